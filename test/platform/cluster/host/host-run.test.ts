/**
 * `anvil run SCENARIO --target host` on this machine: the capped pod's IOPS is its tier's maximum within
 * 3% (its cgroup caps its loop device) while the uncapped pod's is far above; the results folder is read
 * by `anvil check` as a model run's is; nothing the run made is left (namespaces, links, loop devices,
 * cgroups, journal), also after Ctrl-C, and after SIGKILL once `anvil host cleanup` has run. Needs root, fio and iperf3: runs in CI, skips elsewhere.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { which } from '../../../../bench/targets/host/bounded-process.js';
import { tempDir } from '../../../cli-harness.js';
import { needs } from '../../../needs.js';
import { leftovers, oneHostFileAtATime } from './host-leftovers.js';
import { anvilBin } from '../../../../bench/package-root.js';

const SCENARIO = join(import.meta.dirname, 'two-pods-capped.yaml');
const BIN = anvilBin();
const canRun = process.getuid?.() === 0 && which('fio') !== undefined && which('iperf3') !== undefined && which('losetup') !== undefined;
const needHost = needs('root, fio, iperf3 and losetup', canRun);

interface PodLine {
  pod: string;
  iops?: number;
}

/** Starts a host run of the scenario and resolves once its cgroups exist (the namespaces, bridge and classes come before them). */
async function startedRun(stateDir: string) {
  const child = spawn(process.execPath, [BIN, 'run', SCENARIO, '--target', 'host'], {
    env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  for (let polls = 0; polls < 6000; polls++) {
    if (leftovers(stateDir).some((l) => l.includes('/sys/fs/cgroup'))) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, exited, stderr: () => stderr };
}

// Host runs of other files would show in this file's checks of the machine.
oneHostFileAtATime();

describe('a scenario realised on this host', () => {
  needHost('holds the capped pod at its cap, is judged by anvil check, and leaves nothing behind', () => {
    const stateDir = tempDir('anvil-host-state-');
    const out = join(tempDir(), 'run');
    const r = spawnSync(process.execPath, [BIN, 'run', SCENARIO, '--target', 'host', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    });
    expect(r.stderr).not.toMatch(/ANVIL_ERR/);
    expect(r.status).toBe(0);
    expect(leftovers(stateDir)).toEqual([]);

    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      anvil: {
        target: string;
        scenario: { pods: PodLine[]; host: { cgroup: string }; network: { flows: { from: string; delivered_bits_per_s: number }[] } };
      };
    };
    expect(summary.anvil.target).toBe('host');
    const iops = (pod: string) => summary.anvil.scenario.pods.find((p) => p.pod === pod)!.iops!;
    // The capped tier's maximum is 1,000 IOPS (4K reads): its cgroup holds the pod at most 3% above it
    // (on an idle machine within 3% of it; how close from below depends on the machine's load), while
    // the uncapped pod goes past it.
    expect(iops('lab/capped')).toBeLessThanOrEqual(1030);
    expect(iops('lab/capped')).toBeGreaterThan(500);
    expect(iops('lab/free')).toBeGreaterThan(1030);
    // capped's flow is held by its class on free's bridge port to its tier's 200M (payload: a little below,
    // HTB counts frames); free's flow to capped has no maximum (how far past it goes depends on the machine).
    const flow = (from: string) => summary.anvil.scenario.network.flows.find((f) => f.from === from)!.delivered_bits_per_s;
    expect(flow('lab/capped')).toBeLessThanOrEqual(200e6);
    expect(flow('lab/capped')).toBeGreaterThan(0.8 * 200e6);
    expect(flow('lab/free')).toBeGreaterThan(0);

    // anvil check reads the host's folder as a model run's: laid out as an earlier check's --out.
    const results = tempDir();
    cpSync(out, join(results, 'two-pods-capped', 'hci', 'seed-1'), { recursive: true });
    const verdictsDir = join(tempDir(), 'check');
    const c = spawnSync(process.execPath, [BIN, 'check', SCENARIO, '--results', results, '--out', verdictsDir], { encoding: 'utf8' });
    expect(c.stderr).not.toMatch(/ANVIL_ERR/);
    expect(c.status).toBe(0);
    const verdicts = JSON.parse(readFileSync(join(verdictsDir, 'verdicts.json'), 'utf8')) as {
      checks: { sla: string; status: string; worst: { measured: number } }[];
    };
    // The same SLAs on the model give the same verdicts.
    const simDir = join(tempDir(), 'sim');
    const sim = spawnSync(process.execPath, [BIN, 'check', SCENARIO, '--out', simDir], { encoding: 'utf8' });
    expect(sim.status).toBe(0);
    const simVerdicts = JSON.parse(readFileSync(join(simDir, 'verdicts.json'), 'utf8')) as typeof verdicts;
    const statuses = (doc: typeof verdicts) => doc.checks.map((v) => `${v.sla} ${v.status}`);
    expect(statuses(verdicts)).toEqual(statuses(simVerdicts));
    const capped = verdicts.checks.find((v) => v.sla === 'capped-keeps-its-floor')!;
    expect(capped.status).toBe('pass');
    expect(capped.worst.measured).toBeLessThanOrEqual(1030);
  });

  needHost("keeps each sender's tier floor on a shared 1G bridge port, judged by anvil check --target host", () => {
    const stateDir = tempDir('anvil-host-state-');
    const out = join(tempDir(), 'check');
    const c = spawnSync(
      process.execPath,
      [BIN, 'check', join(import.meta.dirname, 'three-senders.yaml'), '--target', 'host', '--out', out],
      {
        encoding: 'utf8',
        env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
      },
    );
    expect(c.stderr).not.toMatch(/ANVIL_ERR/);
    expect(c.status).toBe(0);
    expect(leftovers(stateDir)).toEqual([]);
    const summary = JSON.parse(readFileSync(join(out, 'three-senders', 'hci', 'seed-1', 'summary.json'), 'utf8')) as {
      anvil: { scenario: { network: { flows: { from: string; delivered_bits_per_s: number }[] } } };
    };
    const flow = (from: string) => summary.anvil.scenario.network.flows.find((f) => f.from === from)!.delivered_bits_per_s;
    // Each floor within 5% (gold 300M, silver 100M), and together no more than the port's 1G.
    expect(flow('lab/a')).toBeGreaterThan(0.95 * 300e6);
    expect(flow('lab/b')).toBeGreaterThan(0.95 * 100e6);
    expect(flow('lab/a') + flow('lab/b') + flow('lab/noisy')).toBeLessThanOrEqual(1e9);
  });

  needHost("caps a noisy neighbour at the node's capacity less the victim's reservation", () => {
    const stateDir = tempDir('anvil-host-state-');
    const out = join(tempDir(), 'run');
    const r = spawnSync(process.execPath, [BIN, 'run', join(import.meta.dirname, 'noisy-victim.yaml'), '--target', 'host', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    });
    expect(r.stderr).not.toMatch(/ANVIL_ERR/);
    expect(r.status).toBe(0);
    expect(leftovers(stateDir)).toEqual([]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      anvil: {
        scenario: {
          pods: { pod: string; iops: number; reserved_iops: number }[];
          host: { volumes: { volume: string; cap_iops?: number; cap_from?: string }[] };
        };
      };
    };
    const pod = (name: string) => summary.anvil.scenario.pods.find((p) => p.pod === name)!;
    const noisyVolume = summary.anvil.scenario.host.volumes.find((v) => v.volume === 'lab/noisy-data')!;
    // lab-1g.yaml guarantees 20K IOPS; the neighbour gets what the victim's reservation leaves, and no more.
    expect(noisyVolume.cap_from).toBe('neighbours');
    expect(noisyVolume.cap_iops).toBe(20000 - pod('lab/victim').reserved_iops);
    expect(pod('lab/noisy').iops).toBeLessThanOrEqual(1.03 * noisyVolume.cap_iops!);
    expect(pod('lab/victim').iops).toBeGreaterThan(0);
  });

  needHost('removes everything it made when interrupted with Ctrl-C', async () => {
    const stateDir = tempDir('anvil-host-state-');
    const run = await startedRun(stateDir);
    expect(leftovers(stateDir).length).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(run.stderr()).toMatch(/ANVIL_ERR_INTERRUPTED/);
    expect(code).not.toBe(0);
    expect(leftovers(stateDir)).toEqual([]);
  });

  needHost('anvil host cleanup removes what a run killed with SIGKILL left, from its journal', async () => {
    const stateDir = tempDir('anvil-host-state-');
    const run = await startedRun(stateDir);
    run.child.kill('SIGKILL');
    await run.exited;
    const left = leftovers(stateDir);
    expect(left.some((l) => l.endsWith('.journal'))).toBe(true);
    expect(left.some((l) => l.startsWith('anvilh-'))).toBe(true);
    const c = spawnSync(process.execPath, [BIN, 'host', 'cleanup'], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    });
    expect(c.stderr).toBe('');
    expect(c.stdout).toMatch(/removed the \d+ things a killed run made/);
    expect(leftovers(stateDir)).toEqual([]);
    const again = spawnSync(process.execPath, [BIN, 'host', 'cleanup'], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    });
    expect(again.stdout).toMatch(/^nothing to clean up/);
  });
});
