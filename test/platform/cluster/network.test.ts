/**
 * Issue 13, the network on the cluster model: with a saturating neighbour on the same port each VF gets
 * at least its minimum and idle capacity goes to whoever wants it (hci, through anvil run); on diy the
 * victim has no floor (model level, through assembleNetwork and a diy StackBuilder).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FRAMING, wireBytes } from '../../../sim/network/framing.js';
import { anvilInProcess } from '../../cli-harness.js';
import { scenarioFile, shortenedScenario } from './scenario-files.js';
import { POD_PORT_BITS, runNetworkOnly, sharedPortScenario, VICTIM_MIN_BITS } from './network-scenario.js';

interface FlowJson {
  from: string;
  to: string;
  min_bits_per_s: number;
  delivered_bits_per_s: number;
  links: string[];
}

/** Payload share of the wire for messages of `bytes` on plain L2 (VF rates count the wire). */
const payloadShare = (bytes: number) => bytes / wireBytes(bytes, DEFAULT_FRAMING);

async function runFlows(text: string): Promise<{ flows: FlowJson[]; links: { link: string; tx_utilisation: number }[]; stdout: string }> {
  const r = await anvilInProcess(['run', scenarioFile(text), '--output-format', 'json']);
  expect(r.stderr).not.toContain('ANVIL_ERR');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as {
    anvil_scenario: { network: { flows: FlowJson[]; links: { link: string; tx_utilisation: number }[] } };
  };
  return { ...doc.anvil_scenario.network, stdout: r.stdout };
}

describe('pod network on hci (anvil run)', () => {
  it("keeps the victim's minimum beside three saturating neighbours on its port; the neighbours share the rest", async () => {
    const { flows, links } = await runFlows(sharedPortScenario({ victimRate: 'saturate', hogs: 3 }));
    const [victim, ...hogs] = flows;
    expect(victim!.links).toEqual(['node-a/pod0', 'node-b/pod0']);
    expect(victim!.min_bits_per_s).toBe(VICTIM_MIN_BITS);
    // Its fair share would be a quarter of the port (5G); its floor holds it at 12G of wire rate.
    expect(victim!.delivered_bits_per_s).toBeGreaterThanOrEqual(VICTIM_MIN_BITS * payloadShare(16384) * 0.99);
    const port = POD_PORT_BITS * payloadShare(65536);
    for (const h of hogs) expect(h.delivered_bits_per_s).toBeGreaterThan(0.2 * (port - VICTIM_MIN_BITS * payloadShare(65536)));
    // The port is saturated: nothing idles while everyone wants more.
    expect(links.find((l) => l.link === 'node-a/pod0')!.tx_utilisation).toBeGreaterThan(0.97);
  });

  it('lends idle capacity: the victim alone goes above its minimum; a neighbour takes what a light victim leaves', async () => {
    const alone = await runFlows(sharedPortScenario({ victimRate: 'saturate', hogs: 0 }));
    expect(alone.flows[0]!.delivered_bits_per_s).toBeGreaterThan(1.4 * VICTIM_MIN_BITS * payloadShare(16384));
    const light = await runFlows(sharedPortScenario({ victimRate: '1G', hogs: 1 }));
    const [victim, hog] = light.flows;
    expect(victim!.delivered_bits_per_s / 1e9).toBeCloseTo(1, 1);
    // The neighbour has no minimum and gets the line less what the victim uses.
    expect(hog!.min_bits_per_s).toBe(0);
    expect(hog!.delivered_bits_per_s).toBeGreaterThan(0.9 * (POD_PORT_BITS * payloadShare(65536) - 1e9));
  });

  it('prints each flow and each busy link in the text summary', async () => {
    const r = await anvilInProcess(['run', scenarioFile(sharedPortScenario({ victimRate: 'saturate', hogs: 1 }))]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /flow web\/victim -> web\/victim-sink: [\d.]+ Gbit\/s delivered \(saturating, min 12\.0 Gbit\/s, max 20\.0 Gbit\/s\)/,
    );
    expect(r.stdout).toMatch(
      /link node-a\/pod0 \(pods, 20\.0 Gbit\/s\): tx \d+\.\d% busy|link node-a\/pod0 \(pods, 20\.0 Gbit\/s\): tx [\d.]+%, rx [\d.]+% busy/,
    );
  });
});

describe('pod network on diy (model level)', () => {
  it('gives the victim no floor: three saturating neighbours push it below the hci minimum; the overlay costs host CPU per packet', () => {
    const text = sharedPortScenario({ victimRate: 'saturate', hogs: 3 });
    const hci = runNetworkOnly(text, 'hci');
    const diy = runNetworkOnly(text, 'diy');
    const floor = VICTIM_MIN_BITS * payloadShare(16384) * 0.99;
    expect(hci.summary.flows[0]!.delivered_bits_per_s).toBeGreaterThanOrEqual(floor);
    expect(diy.summary.flows[0]!.min_bits_per_s).toBe(0);
    expect(diy.summary.flows[0]!.delivered_bits_per_s).toBeLessThan(0.6 * VICTIM_MIN_BITS);
    // Host CPU for the overlay on diy only; the pods' own stacks on both.
    const network = (rows: ReturnType<typeof hci.builder.cpuRows>) => rows.reduce((sum, r) => sum + r.network_ns, 0);
    expect(network(hci.builder.cpuRows())).toBe(0);
    expect(network(diy.builder.cpuRows())).toBeGreaterThan(0);
    for (const b of [hci.builder, diy.builder]) expect(b.cpuRows().every((r) => r.application_ns > 0)).toBe(true);
    // VXLAN's bytes: the same payload takes more of the wire on diy.
    const txShare = (r: typeof hci) => r.summary.links.find((l) => l.link === 'node-a/pod0')!.tx_utilisation;
    expect(txShare(hci)).toBeGreaterThan(0.97);
    expect(txShare(diy)).toBeGreaterThan(0.97);
  });
});

describe('flows the platform cannot run', () => {
  it('leaves out a flow to a pending pod with a note naming it, and runs the others', () => {
    const r = runNetworkOnly(
      sharedPortScenario({
        victimRate: '1G',
        hogs: 0,
        pods: '  - { name: too-big, tenant: web, cpu: 100, memory: 1Gi }\n',
        flows: '  - { from: web/victim, to: web/too-big, rate: 1G, message_size: 4k }\n',
      }),
      'hci',
    );
    expect(r.network.notes).toEqual(['note: /flows/1: pod web/too-big is pending: the flow from web/victim to web/too-big does not run']);
    expect(r.summary.flows.map((f) => f.to)).toEqual(['web/victim-sink']);
  });
});

describe('the reference scenario with flows', () => {
  it('runs bench/scenarios/shared-ports.yaml, byte-identical for the same seed', async () => {
    const file = shortenedScenario('shared-ports', { duration: '60ms', warmup: '10ms', interval: '10ms' });
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const first = await anvilInProcess(['run', file, '--output-format', 'json'], env);
    const again = await anvilInProcess(['run', file, '--output-format', 'json'], env);
    expect(first.code).toBe(0);
    expect(again.stdout).toBe(first.stdout);
    // The scenario names both stacks: compare mode, each stack's network in its own summary.
    type Doc = { anvil_scenario: { stacks: string[]; by_stack: Record<string, { network: { flows: FlowJson[] } }> } };
    const doc = JSON.parse(first.stdout) as Doc;
    expect(doc.anvil_scenario.stacks).toEqual(['hci', 'diy']);
    for (const stack of ['hci', 'diy']) {
      const network = doc.anvil_scenario.by_stack[stack]!.network;
      expect(
        network.flows.map((f) => `${f.from}->${f.to}`),
        stack,
      ).toEqual(['web/web-front->web/cache-0', 'web/web-front->web/cache-1', 'analytics/scanner->analytics/sink']);
      // The two 2 Gbit/s flows get what they offer on both stacks (the port has room for them).
      for (const f of network.flows.slice(0, 2)) expect(f.delivered_bits_per_s / 2e9, stack).toBeCloseTo(1, 1);
    }
  });
});
