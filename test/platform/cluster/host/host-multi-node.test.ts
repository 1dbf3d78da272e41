/**
 * Several nodes, VLANs, faults and the per-node tables of a host run, on the dry-run recorder (no root):
 * each node a segment bridge whose uplink into the ToR bridge is shaped to its pods port both ways, pods on
 * their node's bridge; VLANs with bridge VLAN filtering where the kernel has 802.1Q, else a coded
 * shortfall naming the missing config options while the rest runs; mirrors, remote plexes and snapshots
 * as coded shortfalls naming md, nvmet and device-mapper; node and link faults as the commands and records
 * they make; the tables computed from the kernel's counters.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseClusterScenario, type LoadedClusterScenario } from '../../../../bench/scenario/load.js';
import { DryRunRecorder } from '../../../../bench/targets/host/realise/host-actions.js';
import type { HostSample } from '../../../../bench/targets/host/realise/host-counters.js';
import { HostJournal } from '../../../../bench/targets/host/realise/journal.js';
import { probeKernel, sriovNote, sriovPorts } from '../../../../bench/targets/host/realise/kernel-features.js';
import { tempDir } from '../../../cli-harness.js';
import { realiseHost } from '../../../../bench/targets/host/realise/realiser.js';
import { scheduleHostFaults } from '../../../../platform/cluster/host-faults.js';
import { hostNodeTables } from '../../../../platform/cluster/host-node-tables.js';
import { hostPlanOf, type HostTool } from '../../../../platform/cluster/host-plan-of.js';
import { shortfallLine } from '../../../../platform/cluster/host-shortfalls.js';
import { placeScenario } from '../../../../platform/cluster/placement.js';

const FILE = join(import.meta.dirname, 'two-nodes.yaml');
const TEXT = readFileSync(FILE, 'utf8');
const ALL_FEATURES = [
  'CONFIG_VLAN_8021Q=y',
  'CONFIG_BRIDGE_VLAN_FILTERING=y',
  'CONFIG_NVME_TARGET=m',
  'CONFIG_NVME_TARGET_TCP=m',
  'CONFIG_NVME_TCP=y',
  'CONFIG_CONFIGFS_FS=y',
  'CONFIG_MD_RAID1=y',
  'CONFIG_DM_SNAPSHOT=y',
].join('\n');

function planned(text: string, kernel: string, tools: readonly HostTool[] = []) {
  const s: LoadedClusterScenario = parseClusterScenario(text, FILE);
  const state = placeScenario(s).store.read((st) => st);
  const recorder = new DryRunRecorder('v1', kernel);
  return { s, state, recorder, ...hostPlanOf(s, state, probeKernel(recorder), new Set(tools)) };
}

describe('several nodes on one host, recorded', () => {
  it('gives each node a segment bridge with an uplink into the ToR shaped to its pods port, and undoes it all', async () => {
    const { plan, recorder } = planned(TEXT, '');
    expect(plan.nodes).toEqual([
      { name: 'node-1', link_bits_per_s: 200e6, port: 'pod0' },
      { name: 'node-2', link_bits_per_s: 200e6, port: 'pod0' },
    ]);
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const id = plan.runId;
    const made = recorder.actions.slice();
    for (const bridge of [`anvbr${id}t`, `anvbr${id}`, `anvbr${id}n1`]) expect(made).toContain(`ip link add ${bridge} type bridge`);
    for (const [i, segment] of [`anvbr${id}`, `anvbr${id}n1`].entries()) {
      expect(made).toContain(`ip link add anv${id}u${i} type veth peer name anv${id}t${i}`);
      expect(made).toContain(`ip link set anv${id}u${i} master ${segment}`);
      expect(made).toContain(`ip link set anv${id}t${i} master anvbr${id}t`);
      // Both directions of the node's line: its transmit (segment end) and receive (ToR end).
      for (const end of [`anv${id}u${i}`, `anv${id}t${i}`])
        expect(made).toContain(`tc class add dev ${end} parent 1: classid 1:1 htb rate 200000000bit ceil 200000000bit`);
    }
    // a and b on node-1's segment, c on node-2's.
    expect(made).toContain(`ip link set ${host.pods.get('lab/a')!.hostVeth} master anvbr${id}`);
    expect(made).toContain(`ip link set ${host.pods.get('lab/b')!.hostVeth} master anvbr${id}`);
    expect(made).toContain(`ip link set ${host.pods.get('lab/c')!.hostVeth} master anvbr${id}n1`);
    // cgroup v1: each pod also joins a cpuacct group (the nodes table) and a freezer group (node-down).
    const c = host.pods.get('lab/c')!;
    expect(c.procs).toEqual([
      `/sys/fs/cgroup/blkio/${c.cgroup}/cgroup.procs`,
      `/sys/fs/cgroup/cpuacct/${c.cgroup}/cgroup.procs`,
      `/sys/fs/cgroup/freezer/${c.cgroup}/cgroup.procs`,
    ]);
    expect(c.freeze).toEqual({ file: `/sys/fs/cgroup/freezer/${c.cgroup}/freezer.state`, frozen: 'FROZEN', thawed: 'THAWED' });

    expect(await host.teardown()).toEqual([]);
    const undone = recorder.actions.slice(made.length);
    for (const a of made) {
      const link = /^ip link add (\S+) type (bridge|veth)/.exec(a);
      if (link) expect(undone).toContain(`ip link del ${link[1]}`);
      const dir = /^mkdir (\/sys\/fs\/cgroup\S*)$/.exec(a);
      if (dir) expect(undone).toContain(`rmdir ${dir[1]}`);
    }
    // A frozen pod (a run killed while its node was down) is thawed before its freezer group is removed.
    const thaw = undone.indexOf(`write ${c.freeze!.file} THAWED`);
    expect(thaw).toBeGreaterThanOrEqual(0);
    expect(thaw).toBeLessThan(undone.indexOf(`rmdir /sys/fs/cgroup/freezer/${c.cgroup}`));
    // The ToR goes last (made first), after every segment.
    expect(undone.indexOf(`ip link del anvbr${id}t`)).toBeGreaterThan(undone.indexOf(`ip link del anvbr${id}n1`));
  });
});

describe('VLANs on the host segments', () => {
  const withVlan = TEXT.replace('default: true }', 'default: true, vlan: 100 }');

  it('are realised with bridge VLAN filtering where the kernel has 802.1Q: pod ports untagged, uplinks trunked', async () => {
    const { plan, recorder, shortfalls } = planned(withVlan, ALL_FEATURES);
    expect(shortfalls).toEqual([]);
    expect(plan.vlans).toEqual([{ vid: 100, pods: expect.arrayContaining(['lab/a', 'lab/b', 'lab/c']) as unknown }]);
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const id = plan.runId;
    for (const bridge of [`anvbr${id}t`, `anvbr${id}`, `anvbr${id}n1`])
      expect(recorder.actions).toContain(`ip link set ${bridge} type bridge vlan_filtering 1`);
    for (const p of host.pods.values()) expect(recorder.actions).toContain(`bridge vlan add dev ${p.hostVeth} vid 100 pvid untagged`);
    for (const end of [`anv${id}u0`, `anv${id}t0`, `anv${id}u1`, `anv${id}t1`])
      expect(recorder.actions).toContain(`bridge vlan add dev ${end} vid 100`);
  });

  it('are left out with a coded message naming the missing kernel options where it has not, and the rest runs', async () => {
    for (const kernel of ['', 'CONFIG_VLAN_8021Q=y']) {
      const { s, plan, recorder, shortfalls } = planned(withVlan, kernel);
      expect(plan.vlans).toBeUndefined();
      expect(shortfalls).toEqual([
        {
          item: '/networks/0/vlan',
          code: 'ANVIL_ERR_HOST_KERNEL_FEATURE',
          missing: [expect.stringContaining('CONFIG_VLAN_8021Q, CONFIG_BRIDGE_VLAN_FILTERING')],
          effect: expect.stringContaining('VLAN 100 is left out') as unknown,
        },
      ]);
      expect(shortfallLine(s.file, shortfalls[0]!)).toMatch(
        /^anvil: ANVIL_ERR_HOST_KERNEL_FEATURE: .*\/networks\/0\/vlan needs 802\.1Q VLANs .* which this host's kernel lacks; VLAN 100 is left out/,
      );
      await realiseHost(plan, recorder, new HostJournal(undefined));
      expect(recorder.actions.some((a) => a.includes('vlan'))).toBe(false);
      expect(recorder.actions.filter((a) => a.startsWith('ip netns add'))).toHaveLength(3);
    }
  });
});

describe('mirrors, remote plexes and snapshots on a host', () => {
  const text = TEXT.replace(
    '  - { name: c-data,',
    '  - { name: a-far, tenant: lab, size: 64Mi, node_selector: { rack: two } }\n  - { name: a-mirror, tenant: lab, size: 64Mi, mirrors: 2 }\n  - { name: c-data,',
  )
    .replace('node_selector: { rack: one } }\n  - { name: b,', 'node_selector: { rack: one }, volumes: [a-far, a-mirror] }\n  - { name: b,')
    .replace('flows:', 'snapshots:\n  - { at: 2s, volume: c-data }\nflows:');

  it('name the kernel features they lack (nvmet, md, device-mapper) and leave only themselves out', () => {
    const { plan, shortfalls } = planned(text, '');
    const by = (prefix: string) => shortfalls.find((x) => x.item.startsWith(prefix))!;
    expect(by('volume lab/a-far').code).toBe('ANVIL_ERR_HOST_KERNEL_FEATURE');
    expect(by('volume lab/a-far').missing).toEqual([expect.stringContaining('CONFIG_NVME_TARGET_TCP')]);
    expect(by('volume lab/a-far').effect).toBe('it is not realised and its workloads do not run');
    expect(by('volume lab/a-mirror').missing).toEqual([
      expect.stringContaining('CONFIG_MD_RAID1'),
      expect.stringContaining('CONFIG_NVME_TARGET_TCP'),
    ]);
    expect(by('volume lab/a-mirror').effect).toBe('it is realised as its plex on node-1 alone (no mirror)');
    expect(by('/snapshots/0').missing).toEqual([expect.stringContaining('CONFIG_DM_SNAPSHOT')]);
    // The far volume is not made; the mirror is (its local plex), as is everything else.
    expect(plan.volumes.map((v) => v.key).sort()).toEqual(['lab/a-mirror', 'lab/c-data']);
    expect(plan.pods).toHaveLength(3);
  });

  it('leave only snapshots out, not realised yet, where the kernel has them all and mdadm is installed', () => {
    const { plan, shortfalls } = planned(text, ALL_FEATURES, ['mdadm']);
    expect(shortfalls).toEqual([
      { item: '/snapshots/0', code: 'ANVIL_ERR_HOST_UNREALISED', missing: [], effect: expect.stringContaining('not taken') as unknown },
    ]);
    // The mirror's two plexes and the far volume's plex on node-2 (host-mirrors.test.ts has their commands).
    expect(plan.volumes.map((v) => [v.key, v.plexes])).toEqual([
      ['lab/a-far', [1]],
      ['lab/a-mirror', [0, 1]],
      ['lab/c-data', undefined],
    ]);
  });
});

describe('node and link faults on a host, recorded', () => {
  afterEach(() => vi.useRealTimers());

  it('freezes the pods and then takes the uplink down at their times, and records them as the model does', async () => {
    const { s, plan, recorder } = planned(TEXT.replace('  - { at: 3s, event: node-up, node: node-2 }\n', ''), '');
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    vi.useFakeTimers();
    const t0 = Date.now();
    const faults = scheduleHostFaults(s.faults, host, plan.nodes, recorder, () => (Date.now() - t0) * 1e6, s.duration_ns);
    const id = plan.runId;
    const freezer = host.pods.get('lab/c')!.freeze!.file;
    const from = recorder.actions.length;
    await vi.advanceTimersByTimeAsync(1499);
    expect(recorder.actions.length).toBe(from);
    await vi.advanceTimersByTimeAsync(1);
    expect(recorder.actions.slice(from)).toEqual([`write ${freezer} FROZEN`, `ip link set anv${id}u1 down`, `ip link set anv${id}t1 down`]);
    await vi.advanceTimersByTimeAsync(3000);
    expect(recorder.actions.slice(-4)).toEqual([
      `ip link set anv${id}u0 down`,
      `ip link set anv${id}t0 down`,
      `ip link set anv${id}u0 up`,
      `ip link set anv${id}t0 up`,
    ]);
    // No node-up: at the run's end the pod is thawed so its workloads end, its outage runs to the end.
    await vi.advanceTimersByTimeAsync(1500);
    expect(recorder.actions.at(-1)).toBe(`write ${freezer} THAWED`);
    await faults.finish(6e9);
    expect(faults.records).toEqual([
      { at_ns: 1.5e9, event: 'node-down', node: 'node-2', plexes: [], stopped: [{ pod: 'lab/c', reason: 'node node-2 down' }] },
      { at_ns: 4e9, event: 'link-down', node: 'node-1', plexes: [], port: 'pod0' },
      { at_ns: 4.5e9, event: 'link-up', node: 'node-1', plexes: [], port: 'pod0' },
    ]);
    expect(faults.podOutages).toEqual([{ name: 'lab/c', from_ns: 1.5e9, to_ns: 6e9, outage_ns: 4.5e9, until: 'end of run' }]);
    expect(faults.errors).toEqual([]);
  });
});

describe("a host run's per-node tables", () => {
  it('are the differences of the kernel counters over the run, in the model shapes', async () => {
    const { plan, recorder, state } = planned(TEXT, '');
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const loop = host.volumes.get('lab/c-data')!.device.replace('/dev/', '');
    const uplink = (i: number) => host.segments.uplinks[i]!.node;
    const [a, b, c] = ['lab/a', 'lab/b', 'lab/c'].map((k) => host.pods.get(k)!.cgroup);
    const sample = (at_s: number, k: number): HostSample => ({
      at_ns: at_s * 1e9,
      podCpu_ns: new Map([
        [a!, k * 1e9],
        [b!, k * 0.2e9],
        [c!, k * 0.5e9],
      ]),
      blocks: new Map([[loop, { ios: k * 1000, busy_ms: k * 500 }]]),
      links: new Map([
        [uplink(0), { tx_bytes: k * 1e6, rx_bytes: k * 25e6 }],
        [uplink(1), { tx_bytes: k * 25e6, rx_bytes: k * 1e6 }],
      ]),
      machine: { busy_ticks: k * 300, softirq_ticks: k * 20 },
    });
    const t = hostNodeTables(host, ['node-1', 'node-2'], state, sample(10, 0), sample(12, 1));
    expect(t.nodes.map((n) => [n.node, n.application_ns, n.application_cores])).toEqual([
      ['node-1', 1.2e9, 0.6],
      ['node-2', 0.5e9, 0.25],
    ]);
    expect(t.drives).toEqual([{ drive: `node-2/${loop}`, node: 'node-2', ios_per_s: 500, busy_fraction: 0.25 }]);
    // 25 MB in 2 s of a 200 Mbit/s line is half of it.
    expect(t.ports.filter((p) => p.role === 'pods').map((p) => [p.node, p.tx_utilisation, p.rx_utilisation])).toEqual([
      ['node-1', 0.02, 0.5],
      ['node-2', 0.5, 0.02],
    ]);
    expect(t.ports.filter((p) => p.role === 'storage').every((p) => p.tx_utilisation === 0 && p.rx_utilisation === 0)).toBe(true);
    expect(t.machine).toEqual({ busy_cores: 1.5, softirq_cores: 0.1 });

    // c moved to node-1: its first cgroup's CPU stays node-2's, its new one's (0 at the start) is node-1's.
    const moved = await host.movePod('lab/c', { node: 0, ip: '10.79.0.77', prefix: 24, mac: '02:00:00:00:00:77' });
    const end = sample(12, 1);
    const afterMove = { ...end, podCpu_ns: new Map([...end.podCpu_ns, [moved.cgroup, 0.3e9]]) };
    expect(hostNodeTables(host, ['node-1', 'node-2'], state, sample(10, 0), afterMove).nodes.map((n) => n.application_ns)).toEqual([
      1.5e9, 0.5e9,
    ]);
  });
});

describe('SR-IOV on a host', () => {
  it('reads which NICs offer VFs from sysfs and says pods get veth ports unless --sriov-pf names one', () => {
    const sys = tempDir('sysfs-net-');
    const nic = (name: string, vfs?: string) => {
      mkdirSync(join(sys, name, 'device'), { recursive: true });
      if (vfs !== undefined) writeFileSync(join(sys, name, 'device', 'sriov_totalvfs'), `${vfs}\n`);
    };
    nic('eth0');
    nic('ens1f1', '0');
    expect(sriovPorts(sys)).toEqual([]);
    expect(sriovNote(sriovPorts(sys))).toBe(
      "no NIC here offers SR-IOV (no /sys/class/net/*/device/sriov_totalvfs above 0): pods get veth ports on their node's bridge",
    );
    nic('ens1f0', '64');
    expect(sriovPorts(sys)).toEqual([{ name: 'ens1f0', total_vfs: 64 }]);
    expect(sriovNote(sriovPorts(sys))).toMatch(
      /^ens1f0 \(64 VFs\) offers SR-IOV: pods get veth ports .*; --sriov-pf ens1f0 puts them on its VFs instead$/,
    );
    expect(sriovPorts(join(sys, 'absent'))).toEqual([]);
  });
});

describe('a pod made anew on another node, recorded', () => {
  it("gets a namespace on the new node's bridge, cgroups with its caps and a shaped port, all journalled and undone", async () => {
    const { plan, recorder } = planned(TEXT, '');
    const journal = new HostJournal(undefined);
    const host = await realiseHost(plan, recorder, journal);
    const id = plan.runId;
    const old = host.pods.get('lab/c')!;
    const volume = host.volumes.get('lab/c-data')!;
    const from = recorder.actions.length;
    const moved = await host.movePod('lab/c', { node: 0, ip: '10.79.0.77', prefix: 24, mac: '02:00:00:00:00:77' });
    const made = recorder.actions.slice(from);
    expect(host.pods.get('lab/c')).toBe(moved);
    expect(moved.node).toBe(0);
    expect(moved.netns).not.toBe(old.netns);
    expect(made).toContain(`ip netns add ${moved.netns}`);
    expect(made).toContain(`ip -n ${moved.netns} addr add 10.79.0.77/24 dev eth0`);
    expect(made).toContain(`ip link set ${moved.hostVeth} master anvbr${id}`);
    // Its tier's cap on its volume's device, now for its new cgroup; its old port down (the address is the new one's).
    expect(made).toContain(`write /sys/fs/cgroup/blkio/${moved.cgroup}/blkio.throttle.read_iops_device ${volume.majorMinor} 500`);
    expect(made).toContain(`tc qdisc add dev ${moved.hostVeth} root handle 1: htb default 9`);
    expect(made.at(-1)).toBe(`ip link set ${old.hostVeth} down`);
    // Names of its own, recognisable as the run's, within Linux's 15 characters for an interface.
    for (const name of [moved.hostVeth, moved.podVeth]) expect(name.length).toBeLessThanOrEqual(15);
    expect(moved.netns.startsWith(`anvilh-${id}-`)).toBe(true);

    const before = recorder.actions.length;
    expect(await host.teardown()).toEqual([]);
    const undone = recorder.actions.slice(before);
    for (const undo of [`ip netns del ${moved.netns}`, `ip link del ${moved.hostVeth}`, `tc qdisc del dev ${moved.hostVeth} root`])
      expect(undone).toContain(undo);
    for (const h of ['blkio', 'cpuacct', 'freezer']) expect(undone).toContain(`rmdir /sys/fs/cgroup/${h}/${moved.cgroup}`);
    // Made last, undone first: before the old pod's namespace.
    expect(undone.indexOf(`ip netns del ${moved.netns}`)).toBeLessThan(undone.indexOf(`ip netns del ${old.netns}`));
  });
});
