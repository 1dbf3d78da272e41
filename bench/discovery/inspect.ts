/**
 * `anvil host inspect`: what this machine has, in two steps so the parsing is testable on captured
 * data: `captureHost` collects the raw sources (/proc files, lsblk and nvme-cli JSON, the sysfs files
 * read), `nodeProfile` turns a capture into a node profile. A capture is plain JSON: commit one from a
 * machine and the profile can be rebuilt and checked anywhere.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { runBounded, which } from '../targets/host/bounded-process.js';
import { parseCpuinfo, parseMeminfo } from './cpu-memory.js';
import { LSBLK_ARGS, nvmeFromSysfs, parseLsblk, parseNvmeList, withNvme } from './drives.js';
import { readNics } from './nics.js';
import type { NodeProfile } from './discovered-node.js';

/** The raw sources of a node profile. */
export interface HostCapture {
  readonly hostname: string;
  /** ISO date of the capture. */
  readonly date: string;
  readonly cpuinfo: string;
  readonly meminfo: string;
  /** `lsblk` JSON (LSBLK_ARGS). */
  readonly lsblk: string;
  /** `nvme list -o json`, or null when nvme-cli is missing or found nothing. */
  readonly nvmeList: string | null;
  /** sysfs files read, relative to /sys, trimmed; absent or unreadable files are left out. */
  readonly sysfs: Readonly<Record<string, string>>;
  readonly net: { readonly names: readonly string[]; readonly drivers: Readonly<Record<string, string>> };
  readonly nvme: { readonly controllers: readonly string[]; readonly namespaces: readonly string[] };
}

/** A node profile from a capture. */
export function nodeProfile(c: HostCapture): NodeProfile {
  const read = (path: string) => c.sysfs[path];
  const cpu = parseCpuinfo(c.cpuinfo);
  let nvme = c.nvmeList ? parseNvmeList(c.nvmeList) : [];
  if (nvme.length === 0) nvme = nvmeFromSysfs(read, c.nvme.controllers, c.nvme.namespaces);
  return {
    kind: 'node',
    name: c.hostname,
    source: `measured by anvil host inspect on ${c.hostname}, ${c.date}`,
    cpu,
    memory_bytes: parseMeminfo(c.meminfo),
    drives: withNvme(parseLsblk(c.lsblk), nvme),
    nics: readNics(read, c.net.names, (name) => c.net.drivers[name]),
  };
}

function readTrimmed(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Collects this machine's sources. `sys` and `proc` are the roots (tests never change them). */
export async function captureHost(sys = '/sys', proc = '/proc'): Promise<HostCapture> {
  const lsblkPath = which('lsblk');
  if (!lsblkPath)
    throw new AnvilError('ANVIL_ERR_HOST_TOOL_MISSING', 'lsblk is not installed; install it with `apt-get install util-linux`');
  const lsblk = await runBounded(lsblkPath, LSBLK_ARGS, { timeout_ms: 10_000, label: 'lsblk' });
  const nvmePath = which('nvme');
  let nvmeList: string | null = null;
  if (nvmePath) {
    const r = await runBounded(nvmePath, ['list', '-o', 'json'], { timeout_ms: 10_000, label: 'nvme list' });
    // nvme-cli exits non-zero ("Failed to scan topology") on machines without NVMe: sysfs decides then.
    if (r.code === 0 && r.stdout.trim().startsWith('{')) nvmeList = r.stdout;
  }
  const sysfs: Record<string, string> = {};
  const keep = (rel: string) => {
    const v = readTrimmed(join(sys, rel));
    if (v !== undefined) sysfs[rel] = v;
  };
  const names = list(join(sys, 'class/net'));
  const drivers: Record<string, string> = {};
  for (const n of names) {
    for (const f of ['address', 'speed', 'mtu', 'operstate', 'device/sriov_totalvfs', 'device/sriov_numvfs']) keep(`class/net/${n}/${f}`);
    const link = join(sys, 'class/net', n, 'device/driver');
    if (existsSync(link)) drivers[n] = basename(readlinkSync(link));
  }
  const controllers = list(join(sys, 'class/nvme'));
  const namespaces = list(join(sys, 'block')).filter((b) => /^nvme\d+n\d+$/.test(b));
  for (const c of controllers) for (const f of ['model', 'serial', 'firmware_rev']) keep(`class/nvme/${c}/${f}`);
  for (const ns of namespaces) for (const f of ['size', 'queue/logical_block_size']) keep(`block/${ns}/${f}`);
  return {
    hostname: hostname(),
    date: new Date().toISOString().slice(0, 10),
    cpuinfo: readTrimmed(join(proc, 'cpuinfo')) ?? '',
    meminfo: readTrimmed(join(proc, 'meminfo')) ?? '',
    lsblk: lsblk.stdout,
    nvmeList,
    sysfs,
    net: { names, drivers },
    nvme: { controllers, namespaces },
  };
}

/** The profile as an aligned table for people. */
export function profileTable(p: NodeProfile): string {
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  const lines = [
    `node ${p.name} (${p.source})`,
    `  cpu     ${p.cpu.model}: ${p.cpu.sockets} socket(s), ${p.cpu.cores} cores, ${p.cpu.threads} threads`,
    `  memory  ${gib(p.memory_bytes)}`,
  ];
  for (const d of p.drives)
    lines.push(
      `  drive   ${d.name.padEnd(10)} ${d.kind.padEnd(7)} ${gib(d.capacity_bytes).padStart(11)}  ${d.model ?? '-'}${d.serial ? ` (${d.serial})` : ''}`,
    );
  for (const n of p.nics) {
    const speed = n.speed_bps === null ? 'speed ?' : `${n.speed_bps / 1e9} Gbit/s`;
    const sriov = n.sriov ? `SR-IOV ${n.sriov.num_vfs}/${n.sriov.total_vfs} VFs` : 'no SR-IOV';
    lines.push(`  nic     ${n.name.padEnd(10)} ${n.mac}  ${speed}, mtu ${n.mtu}, ${n.state}, ${n.driver ?? '-'}, ${sriov}`);
  }
  return lines.join('\n') + '\n';
}
