/**
 * Scenarios of two appliance nodes (20G pod port, 20G storage port each), side a and side b by label,
 * for the network tests; and a model-level build of one on either stack through `assembleNetwork`.
 */
import { parseClusterScenario, type LoadedClusterScenario } from '../../../bench/scenario/load.js';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { Model } from '../../../sim/model/model.js';
import { StackBuilder, stackTerms } from '../../../sim/stacks/diy/stack.js';
import { assembleNetwork, type AssembledNetwork } from '../../../platform/cluster/assemble-network.js';
import { networkSummary, type NetworkSummary } from '../../../platform/cluster/network-summary.js';
import { placeScenario, type ScenarioPlacement } from '../../../platform/cluster/placement.js';
import { assembleHci, type AssembledCluster } from '../../../platform/cluster/assemble.js';
import type { FaultRecord, PlexRecord } from '../../../platform/cluster/fault-records.js';
import { followModelResyncs, scheduleFaults, settleAfterRun } from '../../../platform/cluster/faults.js';
import type { ReportingUnit } from '../../../sim/model/model.js';

/** The victim's tier: 12 Gbit/s guaranteed on a 20 Gbit/s port. */
export const VICTIM_MIN_BITS = 12e9;
export const POD_PORT_BITS = 20e9;

export interface SharedPortOptions {
  /** The victim's offered rate ('saturate' or a bit rate like 1G). */
  readonly victimRate: string;
  /** Saturating neighbours on the victim's port, each to its own receiver on the other node. */
  readonly hogs: number;
  readonly stack?: 'hci' | 'diy';
  readonly extra?: string;
  readonly pods?: string;
  readonly flows?: string;
  readonly duration?: string;
}

/** A victim (gold tier) and `hogs` best-effort neighbours on node-a's pod port, their receivers on node-b. */
export function sharedPortScenario(o: SharedPortOptions): string {
  const hogPods = Array.from(
    { length: o.hogs },
    (_, i) =>
      `  - { name: hog-${i}, tenant: bulk, cpu: 1, memory: 1Gi, node_selector: { side: a } }\n` +
      `  - { name: hog-sink-${i}, tenant: bulk, cpu: 1, memory: 1Gi, node_selector: { side: b } }\n`,
  ).join('');
  const hogFlows = Array.from(
    { length: o.hogs },
    (_, i) => `  - { from: bulk/hog-${i}, to: bulk/hog-sink-${i}, rate: saturate, message_size: 64k }\n`,
  ).join('');
  return `kind: ClusterScenario
name: shared pod port
stack: ${o.stack ?? 'hci'}
seed: 1
duration: ${o.duration ?? '40ms'}
warmup: 10ms
interval: 10ms
nodes:
  - { name: node-a, profile: appliance-d10, labels: { side: a } }
  - { name: node-b, profile: appliance-d10, labels: { side: b } }
networks:
  - { name: blue, subnet: 10.30.0.0/24, start: 10.30.0.10, end: 10.30.0.250, gateway: 10.30.0.1, default: true }
perf_tiers:
  - { name: gold, storage_iops: 0, network_bandwidth: 12G, max_network_bandwidth: 20G }
tenants:
  - name: web
  - name: bulk
pods:
  - { name: victim, tenant: web, cpu: 1, memory: 1Gi, perf_tier: gold, node_selector: { side: a } }
  - { name: victim-sink, tenant: web, cpu: 1, memory: 1Gi, node_selector: { side: b } }
${hogPods}${o.pods ?? ''}flows:
  - { from: web/victim, to: web/victim-sink, rate: ${o.victimRate}, message_size: 16k }
${hogFlows}${o.flows ?? ''}${o.extra ?? ''}`;
}

/** A scenario's network alone on a model, on `stack`, run to its end; the summary and the builder's CPU rows. */
export function runNetworkOnly(
  text: string,
  stack: 'hci' | 'diy',
): { s: LoadedClusterScenario; network: AssembledNetwork; summary: NetworkSummary; builder: StackBuilder } {
  const s = parseClusterScenario(text, 'network-test.yaml');
  const state = placeScenario(s).store.read((st) => st);
  const coefficients = loadStackCoefficients();
  const model = new Model(s.seed, s.interval_ns);
  const builder = new StackBuilder(model, stackTerms(coefficients, stack));
  const network = assembleNetwork(model, state, coefficients, builder, s.flows, { end_ns: s.duration_ns, measureFrom_ns: s.warmup_ns });
  model.run(s.interval_ns);
  return { s, network, summary: networkSummary(network, model.sim.now), builder };
}

/**
 * A scenario placed and built on hci (assembleHci), faults scheduled, run to its end in slices of its
 * interval (`between` called after each), writes settled; its model's units by pod.
 */
export function runHciModel(
  text: string,
  between?: (built: AssembledCluster, placement: ScenarioPlacement) => void,
): {
  built: AssembledCluster;
  placement: ScenarioPlacement;
  records: FaultRecord[];
  plexes: PlexRecord[];
  unit(pod: string): ReportingUnit;
} {
  const s = parseClusterScenario(text, 'network-test.yaml');
  const placement = placeScenario(s);
  const state = placement.store.read((st) => st);
  const built = assembleHci(s, state, loadStackCoefficients(), followModelResyncs(placement));
  const faults = scheduleFaults(s, placement, built);
  built.model.run(s.interval_ns, between && (() => between(built, placement)));
  const plexes = settleAfterRun(s, placement, built, faults);
  return {
    built,
    placement,
    records: faults.records,
    plexes,
    unit: (pod) => {
      const u = built.model.units.find((x) => x.labels.pod === pod);
      if (!u) throw new Error(`no job of pod ${pod}`);
      return u;
    },
  };
}

/** The tier maximum of the `capped` pod of `sameNodeScenario`, bit/s. */
export const SAME_NODE_CAP_BITS = 200e6;

/**
 * Two pods on one appliance node, each sending flat out to the other (128k messages): `capped` in a tier of
 * 50M minimum and 200M maximum, `free` uncapped.
 */
export function sameNodeScenario(stack: 'hci' | 'diy'): string {
  return `kind: ClusterScenario
name: same node flows on ${stack}
stack: ${stack}
seed: 1
duration: 200ms
warmup: 20ms
interval: 20ms
nodes:
  - { name: node-1, profile: appliance-d10 }
networks:
  - { name: pods, subnet: 10.77.0.0/24, start: 10.77.0.10, end: 10.77.0.250, gateway: 10.77.0.1, default: true }
perf_tiers:
  - { name: capped, storage_iops: 0, network_bandwidth: 50M, max_network_bandwidth: 200M }
tenants:
  - name: lab
pods:
  - { name: capped, tenant: lab, cpu: 1, memory: 1Gi, perf_tier: capped }
  - { name: free, tenant: lab, cpu: 1, memory: 1Gi }
flows:
  - { from: lab/free, to: lab/capped, rate: saturate, message_size: 128k }
  - { from: lab/capped, to: lab/free, rate: saturate, message_size: 128k }
`;
}
