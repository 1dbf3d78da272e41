/**
 * The network's part of a scenario's summary: per flow the payload bandwidth it delivered over the
 * measurement window (against its VF's minimum and maximum), and per link the share of the run its
 * transmit line (node to switch) and receive line (switch to node) spent serializing.
 */
import { formatBitRate, formatDuration } from '../../sim/core/units.js';
import type { AssembledNetwork } from './assemble-network.js';
import { shareOfRun } from './share-of-run.js';

export interface FlowSummary {
  /** `TENANT/NAME` of the sending and receiving pods. */
  readonly from: string;
  readonly to: string;
  /** The sender's tenant (`TENANT` of `from`). */
  readonly tenant: string;
  /** The nodes of the sending and receiving pods, as placed. */
  readonly from_node: string;
  readonly to_node: string;
  /** Offered payload rate, bits/s, or 'saturate'. */
  readonly offered: number | 'saturate';
  readonly message_bytes: number;
  /** The sender's minimum and maximum on its port, bits/s (0 and null for none). */
  readonly min_bits_per_s: number;
  readonly max_bits_per_s: number | null;
  /** Payload delivered in the measurement window, bits/s. */
  readonly delivered_bits_per_s: number;
  /** Mean one-way message latency in the window, ns (0 when none arrived). */
  readonly mean_latency_ns: number;
  /** `node/port` of the links it crosses. */
  readonly links: readonly string[];
}

export interface LinkSummary {
  /** `node/port`. */
  readonly link: string;
  readonly role: 'pods' | 'storage';
  readonly rate_bits_per_s: number;
  /** Share of the run its transmit and receive lines were busy, 0 to 1. */
  readonly tx_utilisation: number;
  readonly rx_utilisation: number;
}

export interface NetworkSummary {
  readonly flows: readonly FlowSummary[];
  /** Links that carried anything, in node and port order (the summary's `ports` has every port, with its VFs). */
  readonly links: readonly LinkSummary[];
}

/** The summary of `network` after a run that lasted `elapsed_ns`. */
export function networkSummary(network: AssembledNetwork, elapsed_ns: number): NetworkSummary {
  const flows = network.flows.map((f): FlowSummary => {
    const w = f.flow.recorder.write;
    const window_ns = f.flow.recorder.window_ns;
    return {
      from: f.spec.from,
      to: f.spec.to,
      tenant: f.spec.from.slice(0, f.spec.from.indexOf('/')),
      from_node: f.from_node,
      to_node: f.to_node,
      offered: f.spec.rate_bits_per_s,
      message_bytes: f.spec.message_bytes,
      min_bits_per_s: f.min_bits_per_s,
      max_bits_per_s: Number.isFinite(f.max_bits_per_s) ? f.max_bits_per_s : null,
      delivered_bits_per_s: window_ns > 0 ? Math.round((w.io_bytes * 8e9) / window_ns) : 0,
      mean_latency_ns: w.total_ios > 0 ? Math.round(w.clat.mean_ns) : 0,
      links: f.links,
    };
  });
  const links: LinkSummary[] = [];
  for (const [key, p] of network.ports) {
    const tx = p.rack.port.wireBusy_ns;
    const rx = p.rack.ingress.wireBusy_ns;
    if (tx === 0 && rx === 0) continue;
    links.push({
      link: key,
      role: p.role,
      rate_bits_per_s: p.rack.port.rate_bits_per_s,
      tx_utilisation: shareOfRun(tx, elapsed_ns),
      rx_utilisation: shareOfRun(rx, elapsed_ns),
    });
  }
  return { flows, links };
}

/** The summary's lines for the text output. */
export function networkText(n: NetworkSummary): string[] {
  const lines: string[] = [];
  for (const f of n.flows) {
    const offered = f.offered === 'saturate' ? 'saturating' : `${formatBitRate(f.offered)} offered`;
    const bounds = [f.min_bits_per_s > 0 ? `min ${formatBitRate(f.min_bits_per_s)}` : 'no min'];
    if (f.max_bits_per_s !== null) bounds.push(`max ${formatBitRate(f.max_bits_per_s)}`);
    lines.push(
      `flow ${f.from} -> ${f.to}: ${formatBitRate(f.delivered_bits_per_s)} delivered (${offered}, ${bounds.join(', ')}), mean latency ${formatDuration(f.mean_latency_ns)}`,
    );
  }
  for (const l of n.links)
    lines.push(
      `link ${l.link} (${l.role}, ${formatBitRate(l.rate_bits_per_s)}): tx ${(l.tx_utilisation * 100).toFixed(1)}%, rx ${(l.rx_utilisation * 100).toFixed(1)}% busy`,
    );
  return lines;
}
