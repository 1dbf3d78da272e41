/**
 * `anvil net run`: builds the namespaces, measures round-trip time on the idle network, then iperf3
 * throughput with round-trip time measured again under that load, and removes everything it created
 * whatever happens (an error, a tool missing, Ctrl-C).
 */
import { AnvilError } from '../../platform/errors.js';
import { resetInterrupted, throwIfInterrupted } from '../targets/host/bounded-process.js';
import { findIperf3, measureThroughput, type ThroughputResult } from './iperf3.js';
import { NetLab, type Endpoint } from './lab.js';
import { measureRtt, measureRttPairs, type RttResult } from './rtt.js';
import type { NetRunSpec } from './spec.js';

export interface NetMeasurement {
  readonly spec: NetRunSpec & { rate_bps?: number; udpBitrate_bps: number };
  readonly lab: { readonly id: string; readonly topology: 'veth-pair' | 'bridge'; readonly endpoints: readonly Endpoint[] };
  /** Round-trip time on the idle network, before the throughput test, endpoint 1 to 0. */
  readonly rtt?: RttResult;
  /** Idle round-trip time between every pair of endpoints (from the higher index to the lower), 1 -> 0 included. */
  readonly rttPairs?: readonly RttResult[];
  /** Round-trip time during the throughput test, over the same (possibly rate-limited) path. */
  readonly rttLoaded?: RttResult;
  readonly throughput: readonly ThroughputResult[];
}

/** Pings sent during the load: 10 ms apart, starting LOADED_PING_DELAY_MS in, ending before the test does. */
const LOADED_PING_DELAY_MS = 300;

export function loadedPingCount(spec: { pings: number; duration_s: number }): number {
  return Math.max(0, Math.min(spec.pings, Math.floor((spec.duration_s * 1000 - 2 * LOADED_PING_DELAY_MS) / 10)));
}

/** Fails unless this process may create network namespaces. */
export function requireRoot(uid: number | undefined = process.getuid?.()): void {
  if (uid !== undefined && uid !== 0) {
    throw new AnvilError(
      'ANVIL_ERR_NOT_ROOT',
      'anvil net run creates network namespaces, veth pairs and tc limits, which needs root; run it with sudo',
    );
  }
}

export async function runNet(spec: NetMeasurement['spec'], hooks: { onLab?: (lab: NetLab) => void } = {}): Promise<NetMeasurement> {
  requireRoot();
  findIperf3();
  resetInterrupted();
  const lab = new NetLab({
    endpoints: spec.endpoints,
    qdisc: spec.rateQdisc,
    ...(spec.rate_bps !== undefined ? { rate_bps: spec.rate_bps } : {}),
  });
  hooks.onLab?.(lab);
  // Ctrl-C while no child runs would end the process before the namespaces are removed: note it, stop at the next step.
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  const step = () => {
    throwIfInterrupted('anvil net run');
    if (interrupted) throw new AnvilError('ANVIL_ERR_INTERRUPTED', 'anvil net run was interrupted; everything it created has been removed');
  };
  try {
    await lab.create();
    step();
    const [server, client] = lab.endpoints as [Endpoint, Endpoint];
    const rttPairs = spec.pings > 0 ? await measureRttPairs(lab, spec.pings) : [];
    const rtt = rttPairs.find((r) => r.from === 1 && r.to === 0);
    step();
    const loadedPings = loadedPingCount(spec);
    const [throughput, rttLoaded] = await Promise.all([
      measureThroughput(lab, spec),
      loadedPings > 0
        ? new Promise((r) => setTimeout(r, LOADED_PING_DELAY_MS)).then(() => measureRtt(lab, client, server, loadedPings))
        : Promise.resolve(undefined),
    ]);
    step();
    return {
      spec,
      lab: { id: lab.id, topology: lab.bridgeNamespace ? 'bridge' : 'veth-pair', endpoints: lab.endpoints },
      ...(rtt ? { rtt, rttPairs } : {}),
      ...(rttLoaded ? { rttLoaded } : {}),
      throughput,
    };
  } finally {
    const failures = await lab.destroy();
    process.off('SIGINT', onSigint);
    if (failures.length > 0)
      process.stderr.write(`anvil: could not remove ${failures.join('; ')}; remove them with \`ip netns del NAME\`\n`);
  }
}
