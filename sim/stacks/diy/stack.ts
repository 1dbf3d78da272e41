/**
 * One builder per stack for the wiring session: the same interfaces for the appliance (`hci`) and the
 * do-it-yourself stack (`diy`), so a scenario builds its nodes, flows and volumes once and runs on
 * either. `diy` charges host CPU per packet and per I/O and adds the overlay's latency and bytes; `hci`
 * gives the same stations at its own figures (zero host CPU: the NIC does the work). Coefficients come
 * from the stack coefficient file already loaded (`stackTerms`); nothing here reads a file.
 */
import type { StackCoefficients } from '../coefficient-schema.js';
import type { Model } from '../../model/model.js';
import { CPU_APPLICATION, CPU_STORAGE, HostCpu } from '../../resources/host-cpu.js';
import { CpuCharge } from './cpu-charge.js';
import { LimitThrottle, type LimitParams } from './limit-throttle.js';
import {
  IPV4_TCP_TIMESTAMPS_HEADER_BYTES,
  overlayEndpoints,
  overlayMss_bytes,
  overlayWireBytes,
  type OverlayEndpoints,
  type OverlayTerms,
} from './overlay.js';
import { sdsPath, type DeviceQd1, type SdsPath, type SdsTerms } from './sds.js';

export type StackName = 'hci' | 'diy';

/** A stack's figures as plain numbers, ns and bytes. */
export interface StackTerms {
  readonly stack: StackName;
  /** Pod network: per-packet host CPU, added latency, encapsulation bytes, payload per packet. */
  readonly network: OverlayTerms;
  /**
   * Host CPU of the pod's own kernel stack per packet, ns: the same on both stacks (a VF still runs the
   * pod's TCP/IP) and charged to the application, so it is no infrastructure cost of either.
   */
  readonly podStackCpu_ns_per_packet: number;
  /** Host CPU the storage path charges per read and per write on each node that holds a copy, ns. */
  readonly storageCpu: { readonly read_ns: number; readonly write_ns: number };
  /** The replicated block store's terms (`diy`); null on `hci`, whose path is the mirror over NVMe over Ethernet. */
  readonly sds: SdsTerms | null;
}

const US = 1000;

/**
 * A stack's terms from the coefficient file: entries used, by section —
 * fabric: host_rtt_us (a hop is half of it), kernel_stack_cpu_us_per_packet; hci: vf_host_cpu_us_per_packet, vf_added_latency_us,
 * storage_host_cpu_us_per_io; diy: cni_host_cpu_us_per_packet, cni_added_latency_us,
 * overlay_bytes_per_packet, sds_replication, sds_cpu_us_per_client_read, sds_cpu_us_per_replica_write,
 * sds_write_latency_us, sds_read_latency_us, sds_reference_device_write_latency_us,
 * sds_reference_device_read_latency_us. `mtu_bytes` is the host network's MTU (the scenario's).
 */
export function stackTerms(c: StackCoefficients, stack: StackName, mtu_bytes = 1500): StackTerms {
  const podStackCpu_ns_per_packet = c.fabric.kernel_stack_cpu_us_per_packet.value * US;
  if (stack === 'hci') {
    const perIo = c.hci.storage_host_cpu_us_per_io.value * US;
    return {
      stack,
      podStackCpu_ns_per_packet,
      network: {
        cpu_ns_per_packet: c.hci.vf_host_cpu_us_per_packet.value * US,
        added_latency_ns: c.hci.vf_added_latency_us.value * US,
        overlay_bytes_per_packet: 0,
        mss_bytes: mtu_bytes - IPV4_TCP_TIMESTAMPS_HEADER_BYTES,
      },
      storageCpu: { read_ns: perIo, write_ns: perIo },
      sds: null,
    };
  }
  const d = c.diy;
  const overlay_bytes_per_packet = d.overlay_bytes_per_packet.value;
  return {
    stack,
    podStackCpu_ns_per_packet,
    network: {
      cpu_ns_per_packet: d.cni_host_cpu_us_per_packet.value * US,
      added_latency_ns: d.cni_added_latency_us.value * US,
      overlay_bytes_per_packet,
      mss_bytes: overlayMss_bytes(mtu_bytes, overlay_bytes_per_packet),
    },
    storageCpu: { read_ns: d.sds_cpu_us_per_client_read.value * US, write_ns: d.sds_cpu_us_per_replica_write.value * US },
    sds: {
      replication: d.sds_replication.value,
      cpu_ns_per_client_read: d.sds_cpu_us_per_client_read.value * US,
      cpu_ns_per_replica_write: d.sds_cpu_us_per_replica_write.value * US,
      write_latency_ns: d.sds_write_latency_us.value * US,
      read_latency_ns: d.sds_read_latency_us.value * US,
      hop_ns: (c.fabric.host_rtt_us.value * US) / 2,
      reference_device: {
        read_ns: d.sds_reference_device_read_latency_us.value * US,
        write_ns: d.sds_reference_device_write_latency_us.value * US,
      },
    },
  };
}

/** A node's CPU use for its report row: core-seconds per class over the run's window. */
export interface NodeCpuRow {
  readonly node: string;
  readonly cores: number;
  readonly application_ns: number;
  readonly storage_ns: number;
  readonly network_ns: number;
}

/** Builds a stack's pieces onto a model: one host CPU per node, network endpoints, storage charges and paths. */
export class StackBuilder {
  private readonly cpus = new Map<string, HostCpu>();

  constructor(
    private readonly model: Model,
    readonly terms: StackTerms,
  ) {}

  /** The host CPU of `node`, made with `cores` on first use (the same cores every later call). */
  hostCpu(node: string, cores: number): HostCpu {
    const existing = this.cpus.get(node);
    if (existing) {
      if (existing.cores !== cores) throw new RangeError(`node "${node}" has ${existing.cores} cores already, not ${cores}`);
      return existing;
    }
    const cpu = new HostCpu(node, cores);
    this.cpus.set(node, cpu);
    return cpu;
  }

  /** The host CPU of a node made before. */
  cpuOf(node: string): HostCpu {
    const cpu = this.cpus.get(node);
    if (!cpu)
      throw new RangeError(
        `no host CPU for node "${node}" (nodes: ${[...this.cpus.keys()].join(', ') || 'none'}); call hostCpu(node, cores) first`,
      );
    return cpu;
  }

  /** The two ends of a pod-to-pod traversal from `fromNode` to `toNode` (one direction of a flow). */
  network(fromNode: string, toNode: string): OverlayEndpoints {
    return overlayEndpoints(this.model.sim, this.model.requests, this.cpuOf(fromNode), this.cpuOf(toNode), this.terms.network);
  }

  /**
   * The pod's own TCP/IP stack on `node` (sender or receiver), per packet, charged to the application:
   * put it on a flow's route beside `network`'s endpoints on either stack.
   */
  podStack(node: string): CpuCharge {
    const { podStackCpu_ns_per_packet: packet_ns, network } = this.terms;
    return new CpuCharge(this.model.sim, this.model.requests, this.cpuOf(node), CPU_APPLICATION, {
      packet_ns,
      mss_bytes: network.mss_bytes,
    });
  }

  /** Bytes a message occupies on the wire beyond its inner headers: payload plus encapsulation per packet. */
  wireBytes(message_bytes: number): number {
    return overlayWireBytes(message_bytes, this.terms.network.mss_bytes, this.terms.network.overlay_bytes_per_packet);
  }

  /** The storage path's host CPU charge per I/O on `node` (where a copy is written or read; zero on hci). */
  storageCharge(node: string): CpuCharge {
    const { read_ns, write_ns } = this.terms.storageCpu;
    return new CpuCharge(this.model.sim, this.model.requests, this.cpuOf(node), CPU_STORAGE, { read_ns, write_ns }, 'queued');
  }

  /** A volume's path on the replicated block store, its primary copy on `primaryNode` (diy only); `device` overrides the reference drive the latencies are taken apart with. */
  sdsPath(primaryNode: string, device?: DeviceQd1): SdsPath {
    if (!this.terms.sds)
      throw new RangeError(
        `the ${this.terms.stack} stack has no software-defined block store; its volumes take the mirror over NVMe over Ethernet`,
      );
    return sdsPath(this.model.sim, this.model.requests, this.cpuOf(primaryNode), this.terms.sds, device);
  }

  /** A limit-only throttle (maxima, no minimum): a DIY volume's or pod interface's cap. */
  limit(params: LimitParams): LimitThrottle {
    return new LimitThrottle(this.model.sim, this.model.requests, params);
  }

  /** Per node, the CPU each class was charged, in the order the nodes were made. */
  cpuRows(): NodeCpuRow[] {
    return [...this.cpus.values()].map((cpu) => ({
      node: cpu.name,
      cores: cpu.cores,
      application_ns: cpu.busy_ns[0]!,
      storage_ns: cpu.busy_ns[1]!,
      network_ns: cpu.busy_ns[2]!,
    }));
  }
}
