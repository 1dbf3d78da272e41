/**
 * The figure ids the TCO method reads, and the plain record of numbers it computes with (a Monte Carlo
 * sample is one such record). The catalogue must define every id listed here.
 */
import type { Catalogue } from './catalogue-schema.js';

export const REQUIRED_FIGURES = [
  // hardware.yaml
  'server_base_usd',
  'ram_usd_per_gib',
  'nvme_usd_per_tb',
  'nic_25g_usd',
  'optic_usd_per_port',
  'switch_port_25g_usd',
  'hw_support_per_year',
  'server_power_w',
  'lease_rate_per_year',
  // facilities.yaml
  'colocation_usd_per_kw_month',
  'pue',
  'electricity_usd_per_kwh',
  'rack_unit_usd_per_month',
  // software.yaml
  'k8s_subscription_usd_per_core_year',
  'sds_licence_usd_per_node_year',
  'oracle_ee_usd_per_processor',
  'oracle_core_factor',
  'oracle_support_per_year',
  'commercial_db_discount',
  'oss_db_support_usd_per_server_year',
  'os_subscription_usd_per_server_year',
  'appliance_hardware_premium',
  'appliance_subscription_usd_per_node_year',
  'appliance_deployment_usd',
  // staff.yaml
  'platform_engineer_usd_per_year',
  'sysadmin_usd_per_year',
  'dba_usd_per_year',
  'servers_per_sysadmin',
  'diy_platform_fte',
  'appliance_platform_fte',
  'sds_storage_fte',
  'dba_fte_per_database',
  'diy_build_person_months',
  'appliance_build_person_months',
  'db_migration_person_months',
  // sizing.yaml
  'node_reserved_cores',
  'node_reserved_memory_gib',
  'control_plane_nodes',
  'diy_min_workers',
  'appliance_min_nodes',
  'appliance_node_iops_cap',
  'sds_cores_per_drive',
  'sds_memory_gib_per_drive',
  'appliance_io_latency_us',
  'local_io_latency_us',
  'sds_io_latency_us',
  'nic_usable_fraction',
  // sim/stacks/stack-coefficients.yaml, diy section (TCO_STACK_COEFFICIENTS)
  'sds_replication',
  'sds_cpu_us_per_client_read',
  'sds_cpu_us_per_replica_write',
] as const;

export type FigureId = (typeof REQUIRED_FIGURES)[number];

/**
 * Figures the TCO takes from the stack coefficient file's diy section instead of the catalogue, so the
 * sizing and the cluster model compute the DIY stack's CPU from one set of figures.
 */
export const TCO_STACK_COEFFICIENTS = [
  'sds_replication',
  'sds_cpu_us_per_client_read',
  'sds_cpu_us_per_replica_write',
] as const satisfies readonly FigureId[];

/** One value per figure: the point estimates, or one Monte Carlo sample. */
export type FigureValues = Readonly<Record<FigureId, number>>;

/**
 * Figures that decide which model runs are made (latency budgets): they must not carry a range, since a
 * Monte Carlo sample would otherwise need a fresh simulation.
 */
export const MODEL_INPUT_FIGURES: readonly FigureId[] = ['appliance_io_latency_us', 'local_io_latency_us', 'sds_io_latency_us'];

/** The point estimates of a catalogue. */
export function pointValues(catalogue: Catalogue): FigureValues {
  const values = {} as Record<FigureId, number>;
  for (const id of REQUIRED_FIGURES) values[id] = catalogue.get(id)!.value;
  return values;
}
