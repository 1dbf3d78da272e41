/**
 * The schema of the stack coefficient file (`sim/stacks/stack-coefficients.yaml`): the figures that make
 * the appliance stack (`hci`) and the do-it-yourself Kubernetes stack (`diy`) differ on the same hardware,
 * and those of the fabric both share. Every entry is a figure in the TCO catalogue's shape (value, range,
 * unit, source, year), so the TCO's Monte Carlo can draw it and a user can change it; each id fixes its
 * unit, so a file that writes a latency in ms where µs are meant is refused, not misread.
 */
import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';

/** Largest value of any coefficient: far above any real one, far below overflow. */
export const MAX_COEFFICIENT_VALUE = 1e12;

const CoefficientNumber = (description?: string) =>
  Type.Number({ minimum: 0, maximum: MAX_COEFFICIENT_VALUE, ...(description ? { description } : {}) });

/** One coefficient whose value and range are in `unit`. */
function coefficient(unit: string, what: string) {
  return Type.Object(
    {
      description: Type.String({ minLength: 1, description: 'what the coefficient is, in a few words' }),
      value: CoefficientNumber(`the default, in ${unit}`),
      unit: Type.Literal(unit, { description: `the unit of value and range of ${what}` }),
      range: Type.Optional(
        Type.Tuple([CoefficientNumber(), CoefficientNumber()], {
          description: '[low, high] the sources bracket; the TCO draws from a triangular distribution with the value as its mode',
        }),
      ),
      source: Type.String({ minLength: 1, description: 'URL or publication the figure comes from, or "measured: COMMAND"' }),
      year: Type.Integer({ minimum: 1990, maximum: 2100, description: 'year of the source' }),
      judgement: Type.Boolean({ default: false, description: 'true when no citable figure exists and the value is a judgement' }),
    },
    { additionalProperties: false },
  );
}

function section<P extends TProperties>(properties: P, description: string): TObject<P> {
  return Type.Object(properties, { additionalProperties: false, description });
}

export const FabricCoefficientsSchema = section(
  {
    switch_latency_us: coefficient('us', 'switch_latency_us'),
    propagation_ns_per_m: coefficient('ns/m', 'propagation_ns_per_m'),
    phy_latency_us_per_link: coefficient('us/link', 'phy_latency_us_per_link'),
    host_rtt_us: coefficient('us', 'host_rtt_us'),
    kernel_stack_cpu_us_per_packet: coefficient('us/packet', 'kernel_stack_cpu_us_per_packet'),
  },
  'the top-of-rack fabric and host stack both stacks share',
);

export const HciCoefficientsSchema = section(
  {
    qos_dispatch_depth: coefficient('requests', 'qos_dispatch_depth'),
    qos_cost_unit_bytes: coefficient('bytes', 'qos_cost_unit_bytes'),
    qos_cost_per_io_bytes: coefficient('bytes', 'qos_cost_per_io_bytes'),
    qos_write_cost_factor: coefficient('ratio', 'qos_write_cost_factor'),
    nvmeof_added_latency_us: coefficient('us', 'nvmeof_added_latency_us'),
    storage_host_cpu_us_per_io: coefficient('us/io', 'storage_host_cpu_us_per_io'),
    vf_host_cpu_us_per_packet: coefficient('us/packet', 'vf_host_cpu_us_per_packet'),
    vf_added_latency_us: coefficient('us', 'vf_added_latency_us'),
    eswitch_latency_us: coefficient('us', 'eswitch_latency_us'),
  },
  'the appliance stack: SR-IOV pod interfaces, NVMe over Ethernet to a hardware or poll-mode target',
);

export const DiyCoefficientsSchema = section(
  {
    cni_host_cpu_us_per_packet: coefficient('us/packet', 'cni_host_cpu_us_per_packet'),
    cni_added_latency_us: coefficient('us', 'cni_added_latency_us'),
    overlay_bytes_per_packet: coefficient('bytes/packet', 'overlay_bytes_per_packet'),
    sds_replication: coefficient('copies', 'sds_replication'),
    sds_cpu_us_per_client_read: coefficient('us/io', 'sds_cpu_us_per_client_read'),
    sds_cpu_us_per_replica_write: coefficient('us/io', 'sds_cpu_us_per_replica_write'),
    sds_write_latency_us: coefficient('us', 'sds_write_latency_us'),
    sds_read_latency_us: coefficient('us', 'sds_read_latency_us'),
    sds_reference_device_write_latency_us: coefficient('us', 'sds_reference_device_write_latency_us'),
    sds_reference_device_read_latency_us: coefficient('us', 'sds_reference_device_read_latency_us'),
    sds_node_read_iops_ceiling: coefficient('IOPS/node', 'sds_node_read_iops_ceiling'),
    sds_recovery_mib_per_s: coefficient('MiB/s', 'sds_recovery_mib_per_s'),
    sds_recovery_max_active: coefficient('copies', 'sds_recovery_max_active'),
  },
  'the DIY stack: overlay CNI through veth and the host stack, replicated software-defined storage (Ceph-class)',
);

export const StackCoefficientsFileSchema = Type.Object(
  {
    kind: Type.Literal('StackCoefficients', { description: 'what this file is: the coefficients of the hci and diy stacks' }),
    fabric: FabricCoefficientsSchema,
    hci: HciCoefficientsSchema,
    diy: DiyCoefficientsSchema,
  },
  { additionalProperties: false },
);

export type Coefficient = Static<ReturnType<typeof coefficient>>;
export type StackCoefficients = Static<typeof StackCoefficientsFileSchema>;
export type DiyCoefficients = StackCoefficients['diy'];

/**
 * CPU time, µs, the DIY stack's storage spends on one client write: the primary and every replica each
 * write it, and the per-core figures of the source count those replica writes (network.md §5, §7).
 */
export function sdsCpuPerClientWrite_us(replication: number, cpuPerReplicaWrite_us: number): number {
  return replication * cpuPerReplicaWrite_us;
}
