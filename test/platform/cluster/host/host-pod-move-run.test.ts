/**
 * A pod moved off a down node on this host, as the model moves it (pod-move.yaml), run as root: at
 * node-down the control plane places m on node-1; on the host m is made anew on node-1's bridge, its fio
 * starts again there for the rest of the run (a job labelled node-1, after the fault) while its first fio
 * keeps what it did on node-2; the fault and pod records say where m ran when, as the model's do for the
 * same file; its tier's cap holds in its new cgroup too; nothing the run made is left. Needs root and fio:
 * runs in CI, skips elsewhere with one line.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { which } from '../../../../bench/targets/host/bounded-process.js';
import { tempDir } from '../../../cli-harness.js';
import { needs } from '../../../needs.js';
import { ANVIL_BIN, anvilCli, leftovers, oneHostFileAtATime } from './host-leftovers.js';

const SCENARIO = join(import.meta.dirname, 'pod-move.yaml');
const canRun = process.getuid?.() === 0 && which('fio') !== undefined && which('losetup') !== undefined;
const needHost = needs('root, fio and losetup', canRun);

interface Scenario {
  pods: {
    pod: string;
    iops?: number;
    moves?: { at_ns: number; from: string; to: string }[];
    restarted?: { at_ns: number; node: string };
  }[];
  faults: { at_ns: number; event: string; node: string; moved?: { pod: string; to: string }[]; stopped?: unknown[] }[];
  outages: { pods: { name: string; from_ns: number; to_ns: number; until: string }[] };
  host?: { bridge: string };
}
interface Summary {
  jobs: { jobname: string; anvil_labels: { pod: string; node: string }; read: { total_ios: number } }[];
  anvil: { scenario: Scenario };
}

const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;

// Host runs of other files would show in this file's checks of the machine.
oneHostFileAtATime();

describe('a pod of a down node on this host', () => {
  needHost('is moved where the platform places it, its workloads started again there, as the model moves it; nothing is left', () => {
    const model = join(tempDir(), 'model');
    expect(anvilCli(['run', SCENARIO, '--out', model]).code).toBe(0);
    const onModel = summaryOf(model).anvil.scenario;

    const stateDir = tempDir('anvil-host-state-');
    const out = join(tempDir(), 'host');
    const r = spawnSync(process.execPath, [ANVIL_BIN, 'run', SCENARIO, '--target', 'host', '--out', out], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    });
    // Only shortfalls may be coded lines (this kernel may lack md, so the mirror is its plex on node-2).
    expect(
      r.stderr.split('\n').filter((l) => /ANVIL_ERR/.test(l) && !/^anvil: ANVIL_ERR_HOST_(KERNEL_FEATURE|TOOL_MISSING): /.test(l)),
    ).toEqual([]);
    expect(r.status).toBe(0);
    const summary = summaryOf(out);
    const s = summary.anvil.scenario;
    expect(leftovers(stateDir, s.host!.bridge.replace(/^anvbr/, ''))).toEqual([]);

    // The same move as the model's: node-2 down, m to node-1 (the host's clock fires at 1.5 s or a little after).
    const fault = s.faults[0]!;
    expect(onModel.faults[0]!.moved).toEqual([{ pod: 'lab/m', to: 'node-1' }]);
    expect([fault.event, fault.node, fault.moved]).toEqual(['node-down', 'node-2', onModel.faults[0]!.moved]);
    expect(fault.stopped).toBeUndefined();
    expect(fault.at_ns).toBeGreaterThanOrEqual(1.5e9);
    const m = s.pods.find((p) => p.pod === 'lab/m')!;
    const mOnModel = onModel.pods.find((p) => p.pod === 'lab/m')!;
    expect(m.moves!.map((x) => [x.from, x.to])).toEqual(mOnModel.moves!.map((x) => [x.from, x.to]));
    expect(m.moves![0]!.at_ns).toBe(fault.at_ns);
    // On the host the move takes time: m is down from the fault until its fio starts on node-1.
    expect(m.restarted!.node).toBe('node-1');
    expect(m.restarted!.at_ns).toBeGreaterThan(fault.at_ns);
    expect(s.outages.pods).toEqual([
      {
        name: 'lab/m',
        from_ns: fault.at_ns,
        to_ns: expect.any(Number) as number,
        outage_ns: expect.any(Number) as number,
        until: 'started again on node-1',
      },
    ]);
    expect(s.outages.pods[0]!.to_ns).toBeGreaterThanOrEqual(m.restarted!.at_ns);

    // Where m ran when: its first fio on node-2 until the fault, its second on node-1 from its restart, both doing I/O.
    const jobs = summary.jobs.filter((j) => j.anvil_labels.pod === 'lab/m');
    expect(jobs.map((j) => [j.jobname, j.anvil_labels.node])).toEqual([
      ['lab/m/lab/m-data/0/reader', 'node-2'],
      [`lab/m/lab/m-data/0/reader@${m.restarted!.at_ns}`, 'node-1'],
    ]);
    for (const j of jobs) expect(j.read.total_ios).toBeGreaterThan(0);
    // Its tier's 500 IOPS cap holds on node-1 too (its new cgroup is capped): over the time it ran, at most 5% above.
    expect(m.iops!).toBeLessThanOrEqual(1.05 * 500);
  });
});
