/**
 * Pods on SR-IOV VFs (`--sriov-pf`), recorded against a fake sysfs tree (no root, no SR-IOV NIC needed): the
 * fake kernel makes a VF folder with a network device per VF when sriov_numvfs is written, and refuses a new
 * count over a nonzero one (EBUSY), as Linux does. The realiser raises the count, sets each VF's MAC and
 * rates through the PF, moves its netdev into the pod's namespace as eth0; teardown restores it all in the
 * journal's reverse order, `anvil host cleanup` replays the same from the journal file; a PF that is
 * missing, has no SR-IOV, too few VFs or VFs in use is refused before anything is made.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterScenario } from '../../../../bench/scenario/load.js';
import { DryRunRecorder } from '../../../../bench/targets/host/realise/host-actions.js';
import type { HostPlan } from '../../../../bench/targets/host/realise/host-plan.js';
import { cleanupJournals, HostJournal, undoSteps } from '../../../../bench/targets/host/realise/journal.js';
import { realiseHost } from '../../../../bench/targets/host/realise/realiser.js';
import { NETNS_RUN_DIR, vfRates } from '../../../../bench/targets/host/realise/sriov.js';
import { hostPlanOf, type SriovPfChoice } from '../../../../platform/cluster/host-plan-of.js';
import { placeScenario } from '../../../../platform/cluster/placement.js';
import { parseSriovPf, refuseSriovOff } from '../../../../platform/cli/sriov-options.js';
import { AnvilError } from '../../../../platform/errors.js';
import { tempDir } from '../../../cli-harness.js';

const SCENARIO = join(import.meta.dirname, 'two-pods-capped.yaml');
const TWO_NODES = join(import.meta.dirname, 'two-nodes.yaml');
const PF = 'ens1f0';

/** A fake /sys/class/net: `PF` with `total` VFs offered, `numvfs` made (each with a netdev PFvN, down unless in `up`), driver `driver`. */
function fakeSysfs(opts: { total?: number; numvfs?: number; up?: number[]; driver?: string } = {}): string {
  const top = tempDir('sriov-sysfs-');
  const root = join(top, 'class', 'net');
  mkdirSync(join(root, PF, 'device'), { recursive: true });
  mkdirSync(join(root, 'eth0', 'device'), { recursive: true });
  mkdirSync(join(top, 'drivers', opts.driver ?? 'ice'), { recursive: true });
  symlinkSync(join(top, 'drivers', opts.driver ?? 'ice'), join(root, PF, 'device', 'driver'));
  writeFileSync(join(root, PF, 'device', 'sriov_totalvfs'), `${opts.total ?? 8}\n`);
  writeFileSync(join(root, PF, 'device', 'sriov_numvfs'), '0\n');
  makeVfs(root, opts.numvfs ?? 0, opts.up ?? []);
  return root;
}

/** What the kernel does on a write of sriov_numvfs: the VFs and their netdevs appear (or go). */
function makeVfs(root: string, count: number, up: readonly number[] = []): void {
  const device = join(root, PF, 'device');
  for (const entry of readdirSync(device).filter((e) => e.startsWith('virtfn'))) {
    rmSync(join(root, `${PF}v${entry.slice('virtfn'.length)}`), { recursive: true, force: true });
    rmSync(join(device, entry), { recursive: true });
  }
  for (let vf = 0; vf < count; vf++) {
    const dev = `${PF}v${vf}`;
    mkdirSync(join(device, `virtfn${vf}`, 'net', dev), { recursive: true });
    mkdirSync(join(root, dev), { recursive: true });
    writeFileSync(join(root, dev, 'flags'), up.includes(vf) ? '0x1003\n' : '0x1002\n');
  }
  writeFileSync(join(device, 'sriov_numvfs'), `${count}\n`);
}

/** A recorder that reads the fake sysfs tree under `root`, acts as its kernel, and knows which namespaces exist. */
class SysfsRecorder extends DryRunRecorder {
  constructor(
    private readonly root: string,
    /** Rates the fake driver refuses: a nonzero min_tx_rate (i40e, ixgbe), or any rate (ixgbe off a 10 Gb/s link). */
    private readonly refuse: 'min' | 'rates' | undefined = undefined,
    readonly namespaces = new Set<string>(),
  ) {
    super('v2');
  }
  private mine(path: string): boolean {
    return path.startsWith(this.root);
  }
  override run(argv: readonly string[]): Promise<string> {
    const rate = (name: string) => argv.includes(name) && argv[argv.indexOf(name) + 1] !== '0';
    if ((this.refuse === 'min' && rate('min_tx_rate')) || (this.refuse === 'rates' && (rate('min_tx_rate') || rate('max_tx_rate')))) {
      this.actions.push(`REFUSED ${argv.join(' ')}`);
      return Promise.reject(new AnvilError('ANVIL_ERR_HOST_SETUP', `\`${argv.join(' ')}\` failed: RTNETLINK answers: Invalid argument`));
    }
    if (argv[1] === 'netns' && argv[2] === 'add') this.namespaces.add(argv[3]!);
    if (argv[1] === 'netns' && argv[2] === 'del') this.namespaces.delete(argv[3]!);
    return super.run(argv);
  }
  override readText(path: string): string {
    return this.mine(path) ? readFileSync(path, 'utf8') : super.readText(path);
  }
  override writeText(path: string, text: string): void {
    super.writeText(path, text);
    if (!this.mine(path) || !path.endsWith('/sriov_numvfs')) return;
    const now = Number(readFileSync(path, 'utf8').trim());
    if (now !== 0 && Number(text) !== 0)
      throw new AnvilError('ANVIL_ERR_HOST_SETUP', `cannot write "${text}" to ${path}: EBUSY: resource busy`);
    makeVfs(this.root, Number(text));
  }
  override exists(path: string): boolean {
    if (path.startsWith(`${NETNS_RUN_DIR}/`)) return this.namespaces.has(path.slice(NETNS_RUN_DIR.length + 1));
    return this.mine(path) ? existsSync(path) : super.exists(path);
  }
  override listDir(path: string): string[] {
    if (!this.mine(path)) return super.listDir(path);
    return existsSync(path) ? readdirSync(path) : [];
  }
  override realPath(path: string): string {
    return this.mine(path) ? realpathSync(path) : super.realPath(path);
  }
}

function planOn(root: string, sriovPfs: readonly SriovPfChoice[] = [{ pf: PF }], file = SCENARIO): HostPlan {
  const s = loadClusterScenario(file);
  const state = placeScenario(s).store.read((st) => st);
  return hostPlanOf(s, state, new Set(), new Set(), { choices: [], destroyDataOn: [], sriovPfs, sysClassNet: root }).plan;
}

const numvfs = (root: string) => readFileSync(join(root, PF, 'device', 'sriov_numvfs'), 'utf8').trim();

async function refusal(root: string): Promise<AnvilError> {
  const recorder = new SysfsRecorder(root);
  const e = await realiseHost(planOn(root), recorder, new HostJournal(undefined)).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(AnvilError);
  // Refused before anything was made or written.
  expect(recorder.actions).toEqual([]);
  return e as AnvilError;
}

describe('pods on SR-IOV VFs, recorded against a fake sysfs', () => {
  it('raises sriov_numvfs, sets each VF’s MAC and tier rates through the PF, moves its netdev in as eth0, shapes no bridge port', async () => {
    const root = fakeSysfs();
    const plan = planOn(root);
    const recorder = new SysfsRecorder(root);
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const a = recorder.actions;
    const file = join(root, PF, 'device', 'sriov_numvfs');
    // From 0: no zeroing first, straight to the pods' count.
    expect(a.filter((x) => x.startsWith(`write ${file}`))).toEqual([`write ${file} 2`]);
    expect(numvfs(root)).toBe('2');

    const capped = plan.pods.find((p) => p.key === 'lab/capped')!;
    const free = plan.pods.find((p) => p.key === 'lab/free')!;
    const vfOf = (key: string) => host.sriov!.pods.get(key)!;
    expect(new Set([vfOf('lab/capped').vf, vfOf('lab/free').vf])).toEqual(new Set([0, 1]));
    for (const p of [capped, free]) {
      const { vf, dev } = vfOf(p.key);
      const ns = host.pods.get(p.key)!.netns;
      expect(dev).toBe(`${PF}v${vf}`);
      expect(a).toContain(`ip link set dev ${PF} vf ${vf} mac ${p.mac}`);
      const moved = a.indexOf(`ip link set dev ${dev} netns ${ns}`);
      expect(moved).toBeGreaterThan(a.indexOf(`ip netns add ${ns}`));
      expect(a.indexOf(`ip -n ${ns} link set dev ${dev} name eth0`)).toBeGreaterThan(moved);
      expect(a).toContain(`ip -n ${ns} addr add ${p.ip}/${p.prefix} dev eth0`);
      expect(a.indexOf(`ip -n ${ns} link set dev eth0 up`)).toBeGreaterThan(a.indexOf(`ip -n ${ns} addr add ${p.ip}/${p.prefix} dev eth0`));
    }
    // The capped tier (50M guaranteed, 200M maximum) as the VF's rates; best effort below the link: none.
    expect(a).toContain(`ip link set dev ${PF} vf ${vfOf('lab/capped').vf} max_tx_rate 200 min_tx_rate 50`);
    expect(a.filter((x) => x.includes(`vf ${vfOf('lab/free').vf} max_tx_rate`))).toEqual([]);
    // No veth, no HTB on a pod's port: the NIC's switch carries the pods' traffic.
    expect(a.filter((x) => / type veth peer name anv\w+p\d/.test(x))).toEqual([]);
    expect(a.filter((x) => /^tc qdisc add dev anv\w+h\d/.test(x))).toEqual([]);
    expect(host.sriov!.pfs).toEqual([{ pf: PF, driver: 'ice', previous: 0, resizeTo: 2, vfs: [0, 1] }]);
    expect(host.sriov!.notes).toEqual([]);
  });

  it('tears down in the journal’s reverse order: eth0 down, renamed and returned, the VF reset, the namespace deleted, the count restored', async () => {
    const root = fakeSysfs({ numvfs: 1 });
    const plan = planOn(root);
    const recorder = new SysfsRecorder(root);
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const file = join(root, PF, 'device', 'sriov_numvfs');
    // One VF, two pods: zeroed first (the kernel refuses 1 -> 2), then raised.
    expect(recorder.actions.filter((x) => x.startsWith(`write ${file}`))).toEqual([`write ${file} 0`, `write ${file} 2`]);
    const made = recorder.actions.length;
    expect(await host.teardown()).toEqual([]);
    const undone = recorder.actions.slice(made);
    for (const p of plan.pods) {
      const { vf, dev } = host.sriov!.pods.get(p.key)!;
      const ns = host.pods.get(p.key)!.netns;
      const order = [
        `ip -n ${ns} link set dev eth0 down`,
        `ip -n ${ns} link set dev eth0 name ${dev}`,
        `ip -n ${ns} link set dev ${dev} netns 1`,
        `ip link set dev ${PF} vf ${vf} mac 00:00:00:00:00:00`,
        `ip netns del ${ns}`,
        `write ${file} 0`,
      ].map((x) => undone.indexOf(x));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((x, y) => x - y)).toEqual(order);
    }
    const capped = host.sriov!.pods.get('lab/capped')!.vf;
    expect(undone).toContain(`ip link set dev ${PF} vf ${capped} max_tx_rate 0 min_tx_rate 0`);
    // The previous count last: 0 first, then 1.
    expect(undone.filter((x) => x.startsWith(`write ${file}`))).toEqual([`write ${file} 0`, `write ${file} 1`]);
    expect(numvfs(root)).toBe('1');
  });

  it('replays the same restore from the journal file in anvil host cleanup after a kill', async () => {
    const root = fakeSysfs({ numvfs: 1 });
    const dir = tempDir('sriov-journal-');
    const plan = planOn(root);
    const run = new SysfsRecorder(root);
    const journal = new HostJournal(join(dir, `anvil-host-${plan.runId}.journal`));
    const host = await realiseHost(plan, run, journal);
    // Killed here: no teardown. The namespaces still exist (they are files under /run/netns).
    const cleanup = new SysfsRecorder(root, undefined, run.namespaces);
    const done = await cleanupJournals(cleanup, dir);
    expect(done).toHaveLength(1);
    expect(done[0]!.failures).toEqual([]);
    const file = join(root, PF, 'device', 'sriov_numvfs');
    for (const p of plan.pods) {
      const { vf, dev } = host.sriov!.pods.get(p.key)!;
      const ns = host.pods.get(p.key)!.netns;
      expect(cleanup.actions).toContain(`ip -n ${ns} link set dev ${dev} netns 1`);
      expect(cleanup.actions).toContain(`ip link set dev ${PF} vf ${vf} mac 00:00:00:00:00:00`);
      expect(cleanup.actions).toContain(`ip netns del ${ns}`);
    }
    expect(cleanup.actions.filter((x) => x.startsWith(`write ${file}`))).toEqual([`write ${file} 0`, `write ${file} 1`]);
    expect(numvfs(root)).toBe('1');
    expect(existsSync(journal.file!)).toBe(false);

    // Run again over what is gone (the namespaces deleted): the steps on them are skipped, not failures.
    const again = new SysfsRecorder(root);
    expect(await undoSteps([{ kind: 'run-if', path: `${NETNS_RUN_DIR}/gone`, argv: ['ip', 'false'] }], again)).toEqual([]);
    expect(again.actions).toEqual([]);
  });

  it('uses free VFs as they are, skipping one in use, and leaves sriov_numvfs alone', async () => {
    const root = fakeSysfs({ numvfs: 4, up: [0] });
    const recorder = new SysfsRecorder(root);
    const host = await realiseHost(planOn(root), recorder, new HostJournal(undefined));
    expect(host.sriov!.pfs[0]).toEqual({ pf: PF, driver: 'ice', previous: 4, vfs: [1, 2] });
    expect(recorder.actions.filter((x) => x.includes('sriov_numvfs'))).toEqual([]);
    expect(recorder.actions.filter((x) => / vf 0 /.test(x))).toEqual([]);
    expect(await host.teardown()).toEqual([]);
    expect(numvfs(root)).toBe('4');
  });

  it('falls back to a cap where the driver refuses min_tx_rate, and says so', async () => {
    const root = fakeSysfs({ driver: 'ixgbe' });
    const recorder = new SysfsRecorder(root, 'min');
    const host = await realiseHost(planOn(root), recorder, new HostJournal(undefined));
    const vf = host.sriov!.pods.get('lab/capped')!.vf;
    expect(recorder.actions).toContain(`REFUSED ip link set dev ${PF} vf ${vf} max_tx_rate 200 min_tx_rate 50`);
    expect(recorder.actions).toContain(`ip link set dev ${PF} vf ${vf} max_tx_rate 200`);
    expect(host.sriov!.notes).toEqual([
      expect.stringMatching(
        /^pod lab\/capped \(vf \d of ens1f0, driver ixgbe\): the driver refused min_tx_rate 50 .*only its cap \(max_tx_rate 200 Mbit\/s\)$/,
      ),
    ]);
    // A driver that takes no rate at all: both said, and the pod still runs (its namespace is addressed and up).
    const other = fakeSysfs({ driver: 'ixgbe' });
    const none = new SysfsRecorder(other, 'rates');
    const bare = await realiseHost(planOn(other), none, new HostJournal(undefined));
    expect(bare.sriov!.notes).toEqual([
      expect.stringMatching(/refused min_tx_rate 50 .*not enforced by the NIC$/),
      expect.stringMatching(/refused max_tx_rate 200 .*its maximum is not enforced by the NIC$/),
    ]);
    expect(none.actions).toContain(`ip -n ${bare.pods.get('lab/capped')!.netns} link set dev eth0 up`);
  });

  it('refuses a PF that does not exist, has no SR-IOV, offers too few VFs, or has VFs in use a new count would remove', async () => {
    const root = fakeSysfs({ total: 1 });
    const few = await refusal(root);
    expect(few.code).toBe('ANVIL_ERR_HOST_SRIOV');
    expect(few.details).toEqual([`--sriov-pf ${PF}: ${PF} offers 1 VFs, fewer than its 2 pods; name a PF per node, or run fewer pods`]);

    const busy = await refusal(fakeSysfs({ numvfs: 2, up: [1] }));
    expect(busy.details).toEqual([expect.stringMatching(/has 2 VFs, 1 in use \(vf 1: ens1f0v1 is up\).*a new count would remove/)]);

    const other = (pf: string) =>
      realiseHost(planOn(root, [{ pf }]), new SysfsRecorder(root), new HostJournal(undefined)).then(
        () => new AnvilError('ANVIL_ERR_INTERNAL', 'not refused'),
        (e: unknown) => e as AnvilError,
      );
    expect((await other('ens9')).details).toEqual([
      `--sriov-pf ens9: no network device ens9 here (${root}); the NICs here with SR-IOV are ${PF}`,
    ]);
    expect((await other('eth0')).details).toEqual([
      `--sriov-pf eth0: eth0 offers no SR-IOV (no device/sriov_totalvfs above 0); the NICs here with SR-IOV are ${PF}`,
    ]);
  });

  it('maps PFs to nodes: one for all, or NODE=PF for every node with pods; faults refused', () => {
    const root = fakeSysfs();
    // two-nodes.yaml has a node-down fault.
    expect(() => planOn(root, [{ pf: PF }], TWO_NODES)).toThrow(expect.objectContaining({ code: 'ANVIL_ERR_HOST_UNREALISED' }));
    expect(planOn(root, [{ node: 'node-1', pf: PF }]).sriov!.pfs).toEqual([PF]);
    expect(() => planOn(root, [{ node: 'node-9', pf: PF }])).toThrow(
      expect.objectContaining({
        code: 'ANVIL_ERR_USAGE',
        details: [expect.stringMatching(/no node node-9; its nodes are node-1$/), expect.stringMatching(/node-1 has pods but no PF/)],
      }),
    );
    expect(parseSriovPf('node-2=ens2f0', parseSriovPf('node-1=ens1f0'))).toEqual([
      { node: 'node-1', pf: 'ens1f0' },
      { node: 'node-2', pf: 'ens2f0' },
    ]);
    expect(() => parseSriovPf('ens2f0', parseSriovPf('node-1=ens1f0'))).toThrow(/name each/);
    expect(() => parseSriovPf('a-name-far-too-long0')).toThrow(/at most 15 characters/);
    expect(() => refuseSriovOff({ sriovPf: [{ pf: PF }] }, 'sim', true)).toThrow(/add --target host/);
  });

  it('gives a guarantee without a maximum the PF’s speed as its max_tx_rate (no cap, and drivers that refuse min above max take it)', async () => {
    const root = fakeSysfs();
    writeFileSync(join(root, PF, 'speed'), '25000\n');
    const dir = tempDir('sriov-scenario-');
    const file = join(dir, 'floor-only.yaml');
    writeFileSync(file, readFileSync(SCENARIO, 'utf8').replace(', max_network_bandwidth: 200M', ''));
    const recorder = new SysfsRecorder(root);
    const host = await realiseHost(planOn(root, [{ pf: PF }], file), recorder, new HostJournal(undefined));
    const vf = host.sriov!.pods.get('lab/capped')!.vf;
    expect(recorder.actions).toContain(`ip link set dev ${PF} vf ${vf} max_tx_rate 25000 min_tx_rate 50`);
  });

  it('tags a network’s VLAN on the VF through the PF, without the kernel’s 802.1Q, and clears it at teardown', async () => {
    const root = fakeSysfs();
    const file = join(tempDir('sriov-vlan-'), 'vlan.yaml');
    writeFileSync(file, readFileSync(SCENARIO, 'utf8').replace('    default: true', '    default: true\n    vlan: 42'));
    const recorder = new SysfsRecorder(root);
    const plan = planOn(root, [{ pf: PF }], file);
    const host = await realiseHost(plan, recorder, new HostJournal(undefined));
    const vfs = plan.pods.map((p) => host.sriov!.pods.get(p.key)!.vf);
    for (const vf of vfs) expect(recorder.actions).toContain(`ip link set dev ${PF} vf ${vf} vlan 42`);
    // No bridge VLAN filtering: the pods have no bridge ports.
    expect(recorder.actions.filter((x) => x.startsWith('bridge vlan') || x.includes('vlan_filtering'))).toEqual([]);
    const made = recorder.actions.length;
    await host.teardown();
    for (const vf of vfs) expect(recorder.actions.slice(made)).toContain(`ip link set dev ${PF} vf ${vf} vlan 0`);
  });

  it('turns a tier into VF rates in Mbit/s: the cap rounded up, the guarantee down and never above the cap, no cap at the link', () => {
    expect(vfRates(50e6, 200e6, 25e9)).toEqual({ max_mbit: 200, min_mbit: 50 });
    expect(vfRates(0, 25e9, 25e9)).toEqual({ max_mbit: 0, min_mbit: 0 });
    expect(vfRates(1.5e6, 2.2e6, 10e9)).toEqual({ max_mbit: 3, min_mbit: 1 });
    expect(vfRates(5e9, 1e9, 10e9)).toEqual({ max_mbit: 1000, min_mbit: 1000 });
    expect(vfRates(300e6, 10e9, 10e9)).toEqual({ max_mbit: 0, min_mbit: 300 });
  });
});
