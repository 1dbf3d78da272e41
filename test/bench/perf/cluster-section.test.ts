/**
 * The bench's cluster section times `anvil run SCENARIO` as a user runs it; what it reads from the run must
 * be what the run did: the scenario's whole duration simulated, events fired, and the measured window's I/Os
 * (the scenario's pods at their rates after the warm-up). Its time is the bench's business: not read here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTER_BENCH_STACKS, timeScenario } from '../../../bench/perf/cluster-section.js';
import { writeFiles } from '../../cli-harness.js';

describe('bench cluster section', () => {
  it('reads the simulated time, events and window I/Os of a reference scenario run', () => {
    const run = timeScenario('bench/scenarios/noisy-neighbour.yaml', 'hci');
    const yaml = readFileSync('bench/scenarios/noisy-neighbour.yaml', 'utf8');
    const seconds = (field: string) => Number(new RegExp(`^${field}: (\\d+)s$`, 'm').exec(yaml)![1]);
    // The run reaches the scenario's end (the last I/Os in flight complete a little after it).
    expect(run.simulated_ns).toBeGreaterThanOrEqual(seconds('duration') * 1e9);
    expect(run.simulated_ns).toBeLessThan((seconds('duration') + 0.1) * 1e9);
    // Two databases hold at least their 20K-IOPS tier over the window, so the window has at least 2 x 20K x (duration - warm-up).
    expect(run.windowIos).toBeGreaterThan(2 * 20_000 * (seconds('duration') - seconds('warmup')));
    // Each I/O costs several events (generator, QoS, device, completion): more events than I/Os.
    expect(run.events).toBeGreaterThan(run.windowIos);
    expect(run.wall_s).toBeGreaterThan(0);
    // Its CPU time too, where the system tells (Linux's /proc).
    if (process.platform === 'linux') expect(run.cpu_s).toBeGreaterThan(0);
  });

  it('drives the 1M-IOPS speed case: 1M IOPS on hci, bound by the node cores on diy', () => {
    const yaml = readFileSync('bench/perf/scenarios/node-1m-iops.yaml', 'utf8');
    const number = (pattern: RegExp) => Number(pattern.exec(yaml)![1]);
    const pods = number(/replicas: (\d+)/);
    const rate = number(/rate_iops=(\d+)/);
    expect(pods * rate).toBe(1_000_000);
    // The case as the bench runs it, shortened to 0.6 s (0.2 s of warm-up) beside its node profile.
    const dir = writeFiles({
      'node-1m-iops.yaml': yaml
        .replace(/^duration: .*$/m, 'duration: 600ms')
        .replace(/^warmup: .*$/m, 'warmup: 200ms')
        .replace(/runtime=\S+/, 'runtime=600ms'),
      'node-4x-p4510.yaml': readFileSync('bench/perf/scenarios/node-4x-p4510.yaml', 'utf8'),
    });
    const ran = new Map(CLUSTER_BENCH_STACKS.map((stack) => [stack, timeScenario(join(dir, 'node-1m-iops.yaml'), stack)] as const));
    // hci: every pod at its rate over the 0.4 s window (the QoS reserves each its rate): 1M IOPS within 1%.
    const hci = ran.get('hci')!;
    expect(hci.windowIos).toBeGreaterThan(0.99 * pods * rate * 0.4);
    expect(hci.windowIos).toBeLessThan(1.01 * pods * rate * 0.4);
    expect(hci.nodes[0]!.infrastructure_cores).toBe(0);
    // diy: the block store's CPU per read on the node's own cores, beside the pods' computing, is the
    // limit: the node's cores are all busy and it serves a fraction of what hci does.
    const diy = ran.get('diy')!;
    const node = diy.nodes[0]!;
    expect(node.application_cores + node.infrastructure_cores).toBeGreaterThan(0.97 * node.cores);
    expect(diy.windowIos).toBeLessThan(0.5 * hci.windowIos);
    expect(diy.windowIos).toBeGreaterThan(0);
  });
});
