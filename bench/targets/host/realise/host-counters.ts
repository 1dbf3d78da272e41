/**
 * The kernel's counters a host run reads before and after its workloads, for the per-node tables: each
 * pod's CPU time from its cgroup (v2 cpu.stat usage_usec, or v1 cpuacct.usage), each volume's device's I/Os
 * and busy time from /sys/class/block/DEV/stat (a loop device, or a user's disk, partition or dm device), each uplink end's bytes from /sys/class/net/IF/statistics, and
 * the machine's CPU from /proc/stat. Differences of two samples are what the run used.
 */
import type { HostActions } from './host-actions.js';

export interface HostSample {
  /** When it was read, ns on a monotonic clock. */
  readonly at_ns: number;
  /** Per pod cgroup (a pod moved to another node has a cgroup there too), CPU time it used, ns. */
  readonly podCpu_ns: ReadonlyMap<string, number>;
  /** Per device (loopN, or a user's device's kernel name): I/Os completed (reads and writes) and ms with I/O in flight (io_ticks). */
  readonly blocks: ReadonlyMap<string, { readonly ios: number; readonly busy_ms: number }>;
  /** Per interface: bytes sent and received. */
  readonly links: ReadonlyMap<string, { readonly tx_bytes: number; readonly rx_bytes: number }>;
  /** /proc/stat's cpu line: busy (all but idle and iowait) and softirq, in USER_HZ ticks. */
  readonly machine: { readonly busy_ticks: number; readonly softirq_ticks: number };
}

/** What to read: each pod cgroup's CPU file (cpu.stat or cpuacct.usage), by cgroup; the loop devices, the interfaces. */
export interface SampleSources {
  readonly podCpuFiles: ReadonlyMap<string, string>;
  readonly devices: readonly string[];
  readonly interfaces: readonly string[];
}

function number(text: string): number {
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : 0;
}

/** CPU time in a cgroup file: `usage_usec N` in v2's cpu.stat, ns in v1's cpuacct.usage. */
export function cgroupCpu_ns(file: string, text: string): number {
  if (file.endsWith('cpu.stat')) {
    const m = /^usage_usec (\d+)$/m.exec(text);
    return m ? Number(m[1]) * 1000 : 0;
  }
  return number(text);
}

/** /sys/class/block/DEV/stat: reads completed (field 1), writes completed (5), io_ticks ms (10). */
export function blockStat(text: string): { ios: number; busy_ms: number } {
  const f = text.trim().split(/\s+/).map(Number);
  return { ios: (f[0] ?? 0) + (f[4] ?? 0), busy_ms: f[9] ?? 0 };
}

/** /proc/stat's first line: user nice system idle iowait irq softirq steal... */
export function procStatCpu(text: string): { busy_ticks: number; softirq_ticks: number } {
  const line = text.split('\n').find((l) => l.startsWith('cpu ')) ?? 'cpu';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, x) => a + (Number.isFinite(x) ? x : 0), 0);
  return { busy_ticks: total - (f[3] ?? 0) - (f[4] ?? 0), softirq_ticks: f[6] ?? 0 };
}

/** Reads every counter of `sources` now; a file that cannot be read counts 0 (the device or link is gone). */
export function sampleHost(actions: HostActions, sources: SampleSources): HostSample {
  const read = (path: string) => {
    try {
      return actions.readText(path);
    } catch {
      return '';
    }
  };
  const podCpu_ns = new Map<string, number>();
  for (const [pod, file] of sources.podCpuFiles) podCpu_ns.set(pod, cgroupCpu_ns(file, read(file)));
  const blocks = new Map(sources.devices.map((d) => [d, blockStat(read(`/sys/class/block/${d}/stat`))]));
  const links = new Map(
    sources.interfaces.map((i) => [
      i,
      {
        tx_bytes: number(read(`/sys/class/net/${i}/statistics/tx_bytes`)),
        rx_bytes: number(read(`/sys/class/net/${i}/statistics/rx_bytes`)),
      },
    ]),
  );
  return { at_ns: Number(process.hrtime.bigint()), podCpu_ns, blocks, links, machine: procStatCpu(read('/proc/stat')) };
}
