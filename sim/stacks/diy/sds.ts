/**
 * The DIY stack's replicated block store, in Ceph's style: a client I/O goes over the host network to
 * its primary copy's storage daemon; a write is written there and sent on to `replication - 1` replica
 * daemons on other nodes (primary-copy replication) and acknowledged when every copy has it; a read is
 * served by the primary alone. Each daemon charges its node's host CPU per I/O. No per-volume minimum:
 * at most a `LimitThrottle` in front.
 *
 * The route a client write takes, for the wiring session to compose with the storage fan-out station:
 *   [...front (hop to the primary, primary CPU, primary software), FAN-OUT(
 *       local leg: [primary's device],
 *       each replica leg: [...replicaLeg.out (hop, replica CPU, replica software), replica's device, ...replicaLeg.back (hop)]),
 *    ...back (hop to the client)]
 * A read takes the same front and back around the primary's device alone.
 *
 * Latency: the data file gives the end-to-end QD1 latencies on NVMe (`sds_write_latency_us`,
 * `sds_read_latency_us`); what is left of them after the network hops and the device is the daemons'
 * software time (`sdsSoftwareLatency`), split evenly between primary and replica for a write (a
 * judgement: no source splits it), so a QD1 4K write on the reference drive takes exactly the data
 * file's figure and one on another drive that figure plus the difference of the drives. CPU: a read costs
 * `cpu_ns_per_client_read` on the primary's node; a write costs `cpu_ns_per_replica_write` on each copy's
 * node (`replication` x in all). The CPU charges hold an I/O only while it waits for a core (see
 * `CpuCharge`), their service overlapping the measured software time.
 */
import type { Simulator } from '../../core/kernel.js';
import type { RequestPool, Station } from '../../io/requests.js';
import { DelayStation } from '../../storage/delay-station.js';
import { CPU_STORAGE, type HostCpu } from '../../resources/host-cpu.js';
import { CpuCharge } from './cpu-charge.js';

/** The block store's figures, as plain numbers (defaults from the stack coefficient file's diy section). */
export interface SdsTerms {
  /** Copies of every block (Ceph pool size). */
  readonly replication: number;
  /** Daemon CPU per 4K client read, on the primary's node, ns. */
  readonly cpu_ns_per_client_read: number;
  /** Daemon CPU per 4K replica write, on each copy's node, ns. */
  readonly cpu_ns_per_replica_write: number;
  /** End-to-end 4K write latency at QD1 on NVMe, replication included, ns. */
  readonly write_latency_ns: number;
  /** End-to-end 4K read latency at QD1 on NVMe, ns. */
  readonly read_latency_ns: number;
  /** One-way host network time between nodes (client to daemon, daemon to daemon), ns. */
  readonly hop_ns: number;
  /** QD1 latencies of the drive the end-to-end figures were measured on, ns: subtracted, the scenario drive's own added. */
  readonly reference_device: DeviceQd1;
}

/** The daemons' software time on the path, ns, per I/O. */
export interface SdsSoftware {
  readonly primaryWrite_ns: number;
  readonly replicaWrite_ns: number;
  readonly primaryRead_ns: number;
}

/** The QD1 device latencies the data file's end-to-end figures are taken apart with, ns. */
export interface DeviceQd1 {
  readonly read_ns: number;
  readonly write_ns: number;
}

/**
 * The daemons' software time: the end-to-end figures less the hops and the device. A write crosses
 * four hops when replicated (client to primary, primary to replica and back, primary to client), two
 * when not; a read two.
 */
export function sdsSoftwareLatency(terms: SdsTerms, device: DeviceQd1 = terms.reference_device): SdsSoftware {
  checkTerms(terms);
  const replicated = terms.replication > 1;
  const writeLeft = terms.write_latency_ns - (replicated ? 4 : 2) * terms.hop_ns - device.write_ns;
  const readLeft = terms.read_latency_ns - 2 * terms.hop_ns - device.read_ns;
  if (writeLeft < 0)
    throw new RangeError(
      `the block store's QD1 write latency (${terms.write_latency_ns} ns) is below its hops and device write (${terms.write_latency_ns - writeLeft} ns): raise sds_write_latency_us or lower host_rtt_us`,
    );
  if (readLeft < 0)
    throw new RangeError(
      `the block store's QD1 read latency (${terms.read_latency_ns} ns) is below its hops and device read (${terms.read_latency_ns - readLeft} ns): raise sds_read_latency_us or lower host_rtt_us`,
    );
  return {
    primaryWrite_ns: replicated ? writeLeft / 2 : writeLeft,
    replicaWrite_ns: replicated ? writeLeft / 2 : 0,
    primaryRead_ns: readLeft,
  };
}

function checkTerms(terms: SdsTerms): void {
  const { reference_device, ...figures } = terms;
  const numbers: [string, unknown][] = [
    ...Object.entries(figures),
    ['reference_device.read_ns', reference_device.read_ns],
    ['reference_device.write_ns', reference_device.write_ns],
  ];
  for (const [field, value] of numbers) {
    if (!(typeof value === 'number' && value >= 0 && Number.isFinite(value)))
      throw new RangeError(`block store: ${field} must be a finite number ≥ 0, not ${String(value)}`);
  }
  if (!Number.isInteger(terms.replication) || terms.replication < 1)
    throw new RangeError(`block store: replication must be a whole number ≥ 1, not ${terms.replication}`);
}

/** The stations of one volume's path on the block store (see the file header for the composition; a hop, a daemon's CPU and its software time are one `CpuCharge`). */
export interface SdsPath {
  /** Before the fan-out, on the primary's node: hop from the client, primary CPU, primary software. */
  readonly front: Station[];
  /** After the join: the hop back to the client. */
  readonly back: Station[];
  /** A replica leg's stations before its device (hop, replica CPU, replica software) and after it (hop back). */
  replicaLeg(replicaCpu: HostCpu): { out: Station[]; back: Station[] };
}

/**
 * Builds a volume's path whose primary copy is on the node of `primaryCpu`; the daemons' software time
 * is what the end-to-end figures leave after the hops and `device` (the reference drive by default, so a
 * scenario's drive adds its own latency on top).
 */
export function sdsPath(
  sim: Simulator,
  requests: RequestPool,
  primaryCpu: HostCpu,
  terms: SdsTerms,
  device: DeviceQd1 = terms.reference_device,
): SdsPath {
  const software = sdsSoftwareLatency(terms, device);
  const hop = () => new DelayStation(sim, requests, terms.hop_ns);
  // The hop to a daemon, its CPU and its software time in one station: one event where three were.
  const primary = new CpuCharge(
    sim,
    requests,
    primaryCpu,
    CPU_STORAGE,
    {
      read_ns: terms.cpu_ns_per_client_read,
      write_ns: terms.cpu_ns_per_replica_write,
      arrival_delay_ns: terms.hop_ns,
      added_read_latency_ns: software.primaryRead_ns,
      added_write_latency_ns: software.primaryWrite_ns,
    },
    'queued',
  );
  return {
    front: [primary],
    back: [hop()],
    replicaLeg(replicaCpu: HostCpu) {
      const replica = new CpuCharge(
        sim,
        requests,
        replicaCpu,
        CPU_STORAGE,
        {
          write_ns: terms.cpu_ns_per_replica_write,
          arrival_delay_ns: terms.hop_ns,
          added_read_latency_ns: 0,
          added_write_latency_ns: software.replicaWrite_ns,
        },
        'queued',
      );
      return { out: [replica], back: [hop()] };
    },
  };
}
