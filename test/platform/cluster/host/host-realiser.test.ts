/**
 * The host realiser on a dry-run recorder (no root needed): the commands it would run for a scenario
 * placed by the platform's own control plane carry the MAC and IP the platform allocated, the tier's
 * caps as io.max (v2) or blkio throttles (v1) on each loop device, an HTB class per sending pod; its
 * teardown undoes every thing it made, last first, and a failure half-way undoes what was made so far.
 * Refusals of what the host does not realise yet name each entry.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterScenario, parseClusterScenario } from '../../../../bench/scenario/load.js';
import { DryRunRecorder } from '../../../../bench/targets/host/realise/host-actions.js';
import { tierIoCaps } from '../../../../bench/targets/host/realise/host-plan.js';
import { HostJournal } from '../../../../bench/targets/host/realise/journal.js';
import { realiseHost } from '../../../../bench/targets/host/realise/realiser.js';
import { checkHostRealisable, hostPlanOf } from '../../../../platform/cluster/host-plan-of.js';
import { hostJobText, requireRootForHost } from '../../../../platform/cluster/run-scenario-host.js';
import { loadWorkloads } from '../../../../bench/workloads/resolve.js';
import { placeScenario } from '../../../../platform/cluster/placement.js';
import { AnvilError } from '../../../../platform/errors.js';
import { readFileSync } from 'node:fs';

const SCENARIO = join(import.meta.dirname, 'two-pods-capped.yaml');

function placedPlan() {
  const s = loadClusterScenario(SCENARIO);
  const state = placeScenario(s).store.read((st) => st);
  const { plan } = hostPlanOf(s, state);
  return { s, state, plan };
}

/** A recorder whose `failAt`-th command fails, as a kernel refusing a step would. */
class FailingRecorder extends DryRunRecorder {
  private runs = 0;
  constructor(private readonly failAt: number) {
    super('v1');
  }
  override run(argv: readonly string[]): Promise<string> {
    if (++this.runs === this.failAt) {
      this.actions.push('FAILED');
      return Promise.reject(new AnvilError('ANVIL_ERR_HOST_SETUP', `\`${argv.join(' ')}\` failed: refused`));
    }
    return super.run(argv);
  }
}

/** What each made thing's undo is: `ip netns add X` -> `ip netns del X`, and so on. */
function undoOf(action: string): string | undefined {
  const rules: [RegExp, (m: RegExpExecArray) => string][] = [
    [/^ip netns add (\S+)$/, (m) => `ip netns del ${m[1]}`],
    [/^ip link add (\S+) type (bridge|veth).*$/, (m) => `ip link del ${m[1]}`],
    [/^tc qdisc add dev (\S+) root .*$/, (m) => `tc qdisc del dev ${m[1]} root`],
    [/^mkdir (\/sys\/fs\/cgroup\S*)$/, (m) => `rmdir ${m[1]}`],
    [/^mkdir (\S+)$/, (m) => `rm -r ${m[1]}`],
  ];
  for (const [re, undo] of rules) {
    const m = re.exec(action);
    if (m) return undo(m);
  }
  return undefined;
}

describe('the host realiser, recorded', () => {
  it('gives each pod a namespace on the bridge with the MAC and IP the platform allocated, and undoes it all', async () => {
    const { state, plan } = placedPlan();
    const recorder = new DryRunRecorder('v2');
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const made = recorder.actions.length;
    for (const pod of state.pods.values()) {
      if (pod.status.state !== 'running') throw new Error('the test scenario places both pods');
      const ep = pod.status.endpoints[0]!;
      const ns = host.pods.get(`${pod.namespace}/${pod.name}`)!.netns;
      expect(recorder.actions).toContain(`ip netns add ${ns}`);
      expect(recorder.actions).toContain(`ip -n ${ns} link set eth0 address ${ep.mac}`);
      expect(recorder.actions).toContain(`ip -n ${ns} addr add ${ep.ip}/24 dev eth0`);
      expect(recorder.actions).toContain(`ip link set ${host.pods.get(`${pod.namespace}/${pod.name}`)!.hostVeth} master ${host.bridge}`);
    }
    // The capped tier's 1,000 IOPS on the capped pod's loop device, reads only (a pure read workload).
    const capped = host.volumes.get('lab/capped-data')!;
    const cappedGroup = host.pods.get('lab/capped')!.cgroup;
    expect(recorder.actions).toContain(
      `write /sys/fs/cgroup/${cappedGroup}/io.max ${capped.majorMinor} riops=1000 wiops=1000 rbps=4096000 wbps=4096000`,
    );
    // The free pod has no tier maximum; it is capped at what the node guarantees less the capped pod's reservation.
    const node = [...state.nodes.values()][0]!;
    const left = node.inventory.guaranteeable_iops - (state.pods.get('lab/capped')!.status as { reserved_iops: number }).reserved_iops;
    const free = host.volumes.get('lab/free-data')!;
    expect(recorder.actions).toContain(
      `write /sys/fs/cgroup/${host.pods.get('lab/free')!.cgroup}/io.max ${free.majorMinor} riops=${left} wiops=${left} rbps=${left * 4096} wbps=${left * 4096}`,
    );
    expect(recorder.actions.filter((a) => a.includes('io.max'))).toHaveLength(2);
    // On the capped pod's port, the free pod's class: best effort (the least rate), ceiling the link.
    const port = host.pods.get('lab/capped')!.hostVeth;
    expect(recorder.actions).toContainEqual(
      expect.stringMatching(new RegExp(`^tc class add dev ${port} parent 1:1 classid 1:b htb rate 8000bit ceil 20000000000bit$`)),
    );
    // On the free pod's port, the capped pod's class: its tier's 50M guaranteed, 200M at most.
    const freePort = host.pods.get('lab/free')!.hostVeth;
    expect(recorder.actions).toContain(`tc class add dev ${freePort} parent 1:1 classid 1:a htb rate 50000000bit ceil 200000000bit`);

    expect(await host.teardown()).toEqual([]);
    const undone = recorder.actions.slice(made);
    const expected = recorder.actions
      .slice(0, made)
      .map(undoOf)
      .filter((u): u is string => u !== undefined)
      .reverse();
    const loops = undone.filter((a) => a.startsWith('losetup -d'));
    expect(loops.sort()).toEqual([...host.volumes.values()].map((v) => `losetup -d ${v.device}`).sort());
    expect(undone.filter((a) => !a.startsWith('losetup -d'))).toEqual(expected);
  });

  it('writes v1 blkio throttles where only cgroup v1 is mounted', async () => {
    const { plan } = placedPlan();
    const recorder = new DryRunRecorder('v1');
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const group = host.pods.get('lab/capped')!.cgroup;
    const dev = host.volumes.get('lab/capped-data')!.majorMinor;
    for (const file of ['read_iops_device 1000', 'write_iops_device 1000', 'read_bps_device 4096000', 'write_bps_device 4096000']) {
      const [name, value] = file.split(' ');
      expect(recorder.actions).toContain(`write /sys/fs/cgroup/blkio/${group}/blkio.throttle.${name} ${dev} ${value}`);
    }
    expect(recorder.actions.some((a) => a.includes('subtree_control'))).toBe(false);
  });

  it('undoes what it made when a step fails half-way, and says which step', async () => {
    const { plan } = placedPlan();
    for (const failAt of [3, 9, 20, 30]) {
      const recorder = new FailingRecorder(failAt);
      const e = await realiseHost(plan, recorder, new HostJournal(undefined)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AnvilError);
      expect((e as AnvilError).message).toMatch(/failed: refused/);
      const failed = recorder.actions.indexOf('FAILED');
      const made = recorder.actions.slice(0, failed);
      const undone = recorder.actions.slice(failed + 1);
      expect(made.length).toBeGreaterThan(0);
      expect(undone).toEqual(
        made
          .map(undoOf)
          .filter((u): u is string => u !== undefined)
          .reverse(),
      );
    }
  });

  it('keeps the journal on disk as it goes, so a killed run can be cleaned up', async () => {
    const { plan } = placedPlan();
    const { tempDir } = await import('../../../cli-harness.js');
    const file = join(tempDir(), 'run.journal');
    const recorder = new DryRunRecorder('v2');
    const journal = new HostJournal(file);
    await realiseHost(plan, recorder, journal);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    // Its owner first (a live run's journal is never cleaned up), then one line per thing made.
    expect(lines).toHaveLength(journal.size + 1);
    expect(JSON.parse(lines[0]!)).toEqual({ kind: 'owner', pid: process.pid });
    expect((JSON.parse(lines[1]!) as { kind: string }).kind).toBe('rmtree');
  });

  it("splits a tier's combined maximum by the workload's read fraction, as Linux caps reads and writes apart", () => {
    expect(tierIoCaps(1000, 0.7)).toEqual({ riops: 700, wiops: 300, rbps: 700 * 4096, wbps: 300 * 4096 });
    expect(tierIoCaps(1000, 1)).toEqual({ riops: 1000, wiops: 1000, rbps: 4096000, wbps: 4096000 });
  });
});

describe("a workload's job file on the host", () => {
  it("runs asynchronously and uncached unless the job says otherwise, each job within the scenario's duration", () => {
    const job = [
      '[global]',
      'bs=4k',
      '[long]',
      'rw=randread',
      'runtime=10s',
      'time_based',
      '[short]',
      'rw=randwrite',
      'runtime=2s',
      '[sized]',
      'rw=write',
      'size=16m',
    ].join('\n');
    const specs = loadWorkloads(job, 'job.fio', 2 ** 30, {}).specs;
    const text = hostJobText(job, specs, 4e9);
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual(['; defaults of anvil run SCENARIO --target host', '[global]', 'ioengine=libaio', 'direct=1', '']);
    // Each job section ends with its runtime within the 4 s scenario (the last value fio reads wins).
    const runtimeOf = (name: string) => {
      const from = lines.indexOf(`[${name}]`);
      const next = lines.findIndex((l, i) => i > from && l.startsWith('['));
      return lines
        .slice(from, next < 0 ? undefined : next)
        .filter((l) => l.startsWith('runtime='))
        .pop();
    };
    expect(runtimeOf('long')).toBe('runtime=4000ms');
    expect(runtimeOf('short')).toBe('runtime=2000ms');
    expect(runtimeOf('sized')).toBe('runtime=4000ms');
    // One addition per job section, none in the user's [global].
    expect(lines.filter((l) => l.startsWith('; added by anvil run SCENARIO --target host'))).toHaveLength(3);
  });
});

describe('what the host does not realise yet', () => {
  it('refuses the DIY stack and drive faults, naming each entry; needs root', () => {
    const text = readFileSync(SCENARIO, 'utf8')
      .replace('stack: hci', 'stack: [hci, diy]')
      .replace(
        'slas:',
        'faults:\n  - { at: 2s, event: drive-failed, node: node-1, drive: 0 }\n  - { at: 3s, event: node-down, node: node-1 }\nslas:',
      );
    const s = parseClusterScenario(text, SCENARIO);
    let e: unknown;
    try {
      checkHostRealisable(s, ['hci', 'diy']);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(AnvilError);
    const err = e as AnvilError;
    expect(err.code).toBe('ANVIL_ERR_HOST_UNREALISED');
    // node-down is realised (not listed); drive-failed is not, and says what it would need.
    expect(err.details).toEqual([
      expect.stringMatching(/^\/stack: diy .* not realised on a host yet/),
      expect.stringMatching(/^\/faults\/0: drive-failed is not realised on a host \(failing a loop device needs device-mapper/),
    ]);
    // Realising needs root: a user is told to use sudo.
    expect(() => requireRootForHost(1000)).toThrow(/needs root; run it with sudo/);
    expect(() => requireRootForHost(0)).not.toThrow();
    // The same scenario on hci alone, with no faults, is realisable.
    expect(() => checkHostRealisable(loadClusterScenario(SCENARIO), ['hci'])).not.toThrow();
  });
});
