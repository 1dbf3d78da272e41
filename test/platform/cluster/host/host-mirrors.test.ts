/**
 * Mirrors and remote plexes of a host run, on the dry-run recorder (no root, no mdadm): where the kernel
 * has md RAID1 (and mdadm is installed) a mirrored volume's plexes are loop devices assembled into an md
 * RAID1 array the pod's fio uses; where it has NVMe/TCP a plex on another node is exported there through
 * nvmet's configfs and connected through /dev/nvme-fabrics. The commands are checked in order: create,
 * degrade at node-down, re-add at node-up (the resync recorded as the model records it), and a teardown
 * that stops the array and zeroes its superblocks before the loops go, and disconnects before the export goes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseClusterScenario } from '../../../../bench/scenario/load.js';
import { DryRunRecorder } from '../../../../bench/targets/host/realise/host-actions.js';
import { cleanupJournals, HostJournal } from '../../../../bench/targets/host/realise/journal.js';
import { probeKernel } from '../../../../bench/targets/host/realise/kernel-features.js';
import { nvmetPort } from '../../../../bench/targets/host/realise/nvme-tcp.js';
import { realiseHost } from '../../../../bench/targets/host/realise/realiser.js';
import { scheduleHostFaults } from '../../../../platform/cluster/host-faults.js';
import { hostPlanOf, type HostTool } from '../../../../platform/cluster/host-plan-of.js';
import { hostPlexes } from '../../../../platform/cluster/host-plexes.js';
import { shortfallLine } from '../../../../platform/cluster/host-shortfalls.js';
import { placeScenario } from '../../../../platform/cluster/placement.js';
import { tempDir } from '../../../cli-harness.js';

const FILE = join(import.meta.dirname, 'two-nodes.yaml');
const KERNEL = ['CONFIG_NVME_TARGET=m', 'CONFIG_NVME_TARGET_TCP=m', 'CONFIG_NVME_TCP=m', 'CONFIG_CONFIGFS_FS=y', 'CONFIG_MD_RAID1=m'].join(
  '\n',
);
/** a on node-1 uses a mirror (plexes on node-1 and node-2) and a volume whose only plex is on node-2. */
const TEXT = readFileSync(FILE, 'utf8')
  .replace(
    '  - { name: c-data,',
    '  - { name: a-far, tenant: lab, size: 64Mi, node_selector: { rack: two } }\n  - { name: a-mirror, tenant: lab, size: 64Mi, mirrors: 2 }\n  - { name: c-data,',
  )
  .replace('node_selector: { rack: one } }\n  - { name: b,', 'node_selector: { rack: one }, volumes: [a-far, a-mirror] }\n  - { name: b,')
  .replace(/faults:[\s\S]*$/, 'faults:\n  - { at: 1s, event: node-down, node: node-2 }\n  - { at: 2s, event: node-up, node: node-2 }\n');

function planned(kernel: string, tools: readonly HostTool[]) {
  const s = parseClusterScenario(TEXT, FILE);
  const state = placeScenario(s).store.read((st) => st);
  const recorder = new DryRunRecorder('v2', kernel);
  return { s, recorder, ...hostPlanOf(s, state, probeKernel(recorder), new Set(tools)) };
}

/** The recorded actions that match `re`, in order, each cut to its match. */
function matching(actions: readonly string[], re: RegExp): string[] {
  return actions.flatMap((a) => (re.test(a) ? [a] : []));
}

describe('a mirrored volume where the kernel has md RAID1 and NVMe/TCP', () => {
  afterEach(() => vi.useRealTimers());

  it('is an md RAID1 array of a local loop device and a remote plex over NVMe/TCP, degraded, re-added and removed in order', async () => {
    const { s, plan, recorder, shortfalls } = planned(KERNEL, ['mdadm']);
    // Every volume is realised: only nothing is left out.
    expect(shortfalls).toEqual([]);
    const id = plan.runId;
    const k = plan.volumes.findIndex((v) => v.key === 'lab/a-mirror');
    const far = plan.volumes.findIndex((v) => v.key === 'lab/a-far');
    expect(plan.volumes[k]!.plexes).toEqual([0, 1]);
    expect(plan.volumes[far]!.plexes).toEqual([1]);
    const journal = new HostJournal(undefined);
    const host = await realiseHost(plan, recorder, journal);
    const made = recorder.actions.slice();

    const mirror = host.volumes.get('lab/a-mirror')!;
    const [local, remote] = mirror.plexes!;
    expect(local!.member).toBe(local!.loop);
    expect(remote!.member).toMatch(/^\/dev\/nvme\d+n1$/);
    const nqn = `nqn.2026-01.dev.anvil:anvilh-${id}-v${k}p1`;
    const sub = `/sys/kernel/config/nvmet/subsystems/${nqn}`;
    const port = `/sys/kernel/config/nvmet/ports/${nvmetPort(id, 1).id}`;
    const md = `/dev/md/anvil-${id}-v${k}`;
    const create = `mdadm --create ${md} --run --level=1 --metadata=1.2 --raid-devices=2 --assume-clean --bitmap=internal ${local!.loop} ${remote!.member}`;
    // The remote plex's loop exported on node-2's port, connected, then the array over both; the pod's
    // fio on the md device, capped there (a-mirror has no tier maximum: no cap; c-data's is on its loop).
    // node-2's port, made once (for a-far, the first volume over it), listening before any subsystem is linked.
    expect(matching(made, new RegExp(`^(mkdir|write) ${port}`))).toEqual([
      `mkdir ${port}`,
      `write ${port}/addr_trtype tcp`,
      `write ${port}/addr_adrfam ipv4`,
      `write ${port}/addr_traddr 127.0.0.1`,
      `write ${port}/addr_trsvcid ${nvmetPort(id, 1).trsvcid}`,
    ]);
    expect(made.indexOf(`write ${port}/addr_trsvcid ${nvmetPort(id, 1).trsvcid}`)).toBeLessThan(
      made.findIndex((a) => a.startsWith('ln -s')),
    );
    const plexPlan = [
      `losetup --find --show --direct-io=on ${plan.workDir}/v${k}p0.img`,
      `losetup --find --show --direct-io=on ${plan.workDir}/v${k}p1.img`,
      `mkdir ${sub}`,
      `write ${sub}/attr_allow_any_host 1`,
      `mkdir ${sub}/namespaces/1`,
      `write ${sub}/namespaces/1/device_path ${remote!.loop}`,
      `write ${sub}/namespaces/1/enable 1`,
      `ln -s ${sub} ${port}/subsystems/${nqn}`,
      `write /dev/nvme-fabrics transport=tcp,traddr=127.0.0.1,trsvcid=${nvmetPort(id, 1).trsvcid},nqn=${nqn}`,
      create,
    ];
    expect(matching(made, new RegExp(`^losetup .*v${k}p|${sub}|nvme-fabrics.*v${k}p|^mdadm`))).toEqual(plexPlan);
    expect(mirror.device).toBe('/dev/md127');
    expect(mirror.majorMinor).toBe('9:127');
    // The far volume: its one plex on node-2 over NVMe/TCP, no array.
    const farVolume = host.volumes.get('lab/a-far')!;
    expect(farVolume.mirror).toBeUndefined();
    expect(farVolume.device).toBe(farVolume.plexes![0]!.member);
    expect(farVolume.device).toMatch(/^\/dev\/nvme\d+n1$/);

    // node-2 down: its plex failed and removed; up: re-added, and the resync recorded when md is whole.
    vi.useFakeTimers();
    const t0 = Date.now();
    const plexes = hostPlexes(host, recorder);
    const faults = scheduleHostFaults(s.faults, host, plan.nodes, recorder, () => (Date.now() - t0) * 1e6, s.duration_ns, { plexes });
    await vi.advanceTimersByTimeAsync(2500);
    await faults.finish(6e9);
    expect(matching(recorder.actions.slice(made.length), /^mdadm/)).toEqual([
      `mdadm ${md} --fail ${remote!.member} --remove ${remote!.member}`,
      `mdadm ${md} --re-add ${remote!.member}`,
    ]);
    expect(faults.records.map((r) => [r.event, r.plexes])).toEqual([
      ['node-down', ['lab/a-mirror#1']],
      ['node-up', ['lab/a-mirror#1']],
    ]);
    const records = plexes.records(['node-1', 'node-2'], () => 'in-sync');
    const resynced = records.find((r) => r.volume === 'lab/a-mirror' && r.node === 'node-2')!;
    expect(resynced.state).toBe('in-sync');
    expect(resynced.resyncs).toHaveLength(1);
    expect(resynced.resyncs[0]!.started_ns).toBe(2e9);
    expect(resynced.resyncs[0]!.finished_ns).toBeGreaterThanOrEqual(2e9);
    expect(records.find((r) => r.volume === 'lab/a-mirror' && r.node === 'node-1')!.resyncs).toEqual([]);

    // Teardown: the array stopped and its members' superblocks zeroed while they are still there, then the
    // remote plex disconnected, its export removed (link, namespace, subsystem), its loops, and node-2's port.
    const before = recorder.actions.length;
    expect(await host.teardown()).toEqual([]);
    const undone = recorder.actions.slice(before);
    const order = [
      `mdadm --stop ${md}`,
      `mdadm --zero-superblock --force ${remote!.member}`,
      `mdadm --zero-superblock --force ${local!.loop}`,
      `write /sys/class/nvme/${remote!.member.replace(/^\/dev\/|n1$/g, '')}/delete_controller 1`,
      `rm ${port}/subsystems/${nqn}`,
      `rmdir ${sub}/namespaces/1`,
      `rmdir ${sub}`,
      `losetup -d ${remote!.loop}`,
      `losetup -d ${local!.loop}`,
      // The port goes once the last subsystem linked to it (a-far's, made first) has gone.
      `rmdir ${port}`,
    ];
    const at = order.map((a) => undone.indexOf(a));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('is removed from its journal file by anvil host cleanup after a kill, in the same order', async () => {
    const { plan, recorder } = planned(KERNEL, ['mdadm']);
    const dir = tempDir('anvil-host-state-');
    const host = await realiseHost(plan, recorder, new HostJournal(join(dir, `anvil-host-${plan.runId}.journal`)));
    const remote = host.volumes.get('lab/a-mirror')!.plexes![1]!;
    // The run "was killed": nothing undone; cleanup replays the file (its owner, this process, is not a live run of another).
    const made = recorder.actions.length;
    const [cleaned] = await cleanupJournals(recorder, dir);
    expect(cleaned!.failures).toEqual([]);
    const undone = recorder.actions.slice(made);
    const md = `/dev/md/anvil-${plan.runId}-v${plan.volumes.findIndex((v) => v.key === 'lab/a-mirror')}`;
    const stop = undone.indexOf(`mdadm --stop ${md}`);
    const disconnect = undone.indexOf(`write /sys/class/nvme/${remote.member.replace(/^\/dev\/|n1$/g, '')}/delete_controller 1`);
    const unlink = undone.findIndex((a) => a.startsWith('rm /sys/kernel/config/nvmet/ports/') && a.endsWith(remote.nqn!));
    const loops = undone.indexOf(`losetup -d ${remote.loop}`);
    expect([stop, disconnect, unlink, loops].every((i) => i >= 0)).toBe(true);
    expect(stop).toBeLessThan(disconnect);
    expect(disconnect).toBeLessThan(unlink);
    expect(unlink).toBeLessThan(loops);
    expect(existsSync(join(dir, `anvil-host-${plan.runId}.journal`))).toBe(false);
  });

  it('is its local plex alone where mdadm is missing, with a coded line saying how to install it', () => {
    const { s, plan, shortfalls } = planned(KERNEL, []);
    const mirror = shortfalls.find((x) => x.item.startsWith('volume lab/a-mirror'))!;
    expect(mirror.code).toBe('ANVIL_ERR_HOST_TOOL_MISSING');
    expect(shortfallLine(s.file, mirror)).toMatch(
      /ANVIL_ERR_HOST_TOOL_MISSING: .*volume lab\/a-mirror .* needs mdadm \(apt-get install mdadm\), which is not installed here; it is realised as its plex on node-1 alone/,
    );
    expect(plan.volumes.find((v) => v.key === 'lab/a-mirror')!.plexes).toBeUndefined();
    // The far volume needs no mdadm: it is connected over NVMe/TCP.
    expect(plan.volumes.find((v) => v.key === 'lab/a-far')!.plexes).toEqual([1]);
  });

  it('stays a shortfall naming md and nvmet where the kernel lacks them', () => {
    const { plan, shortfalls } = planned('', ['mdadm']);
    expect(shortfalls.map((x) => [x.item.split(' (')[0], x.code])).toEqual([
      ['volume lab/a-far', 'ANVIL_ERR_HOST_KERNEL_FEATURE'],
      ['volume lab/a-mirror', 'ANVIL_ERR_HOST_KERNEL_FEATURE'],
    ]);
    expect(plan.volumes.every((v) => v.plexes === undefined)).toBe(true);
  });
});
