/**
 * A discovered node: what a machine has, as discovery finds it and as a simulated cluster will
 * take it (a measured node dropped into a model). One schema gives the type and the validation; every
 * profile says where its figures came from.
 */
import { Type, type Static } from '@sinclair/typebox';

export const DriveSchema = Type.Object({
  name: Type.String({ description: 'kernel name, e.g. nvme0n1 or sda' }),
  kind: Type.Union([Type.Literal('nvme'), Type.Literal('ssd'), Type.Literal('hdd'), Type.Literal('virtual')], {
    description: 'nvme, ssd (non-rotational), hdd (rotational) or virtual (virtio, zram, loop)',
  }),
  model: Type.Union([Type.String(), Type.Null()]),
  serial: Type.Union([Type.String(), Type.Null()]),
  capacity_bytes: Type.Number({ minimum: 0 }),
  logical_sector_bytes: Type.Number({ minimum: 0 }),
  physical_sector_bytes: Type.Number({ minimum: 0 }),
  transport: Type.Union([Type.String(), Type.Null()], { description: 'lsblk TRAN: nvme, sata, sas, usb; null for virtual devices' }),
  firmware: Type.Optional(Type.String()),
  /** A device profile for the model (anvil profiles), when one is known to match; set by hand or by calibration. */
  profile: Type.Optional(Type.String({ description: 'device profile for the model, e.g. intel-p4510-4tb or a calibrated file' })),
});

export const NicSchema = Type.Object({
  name: Type.String(),
  mac: Type.String(),
  speed_bps: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
    description: 'link speed, bits per second; null when the driver does not report it (virtio, down)',
  }),
  mtu: Type.Number({ minimum: 0 }),
  state: Type.String({ description: 'operstate: up, down, unknown' }),
  driver: Type.Union([Type.String(), Type.Null()]),
  sriov: Type.Union([Type.Object({ total_vfs: Type.Integer({ minimum: 0 }), num_vfs: Type.Integer({ minimum: 0 }) }), Type.Null()], {
    description: 'SR-IOV virtual functions the device supports and has enabled; null without SR-IOV',
  }),
});

export const NodeProfileSchema = Type.Object({
  kind: Type.Literal('node'),
  name: Type.String({ description: 'hostname' }),
  source: Type.String({ description: 'where the figures come from: "measured by anvil host inspect on HOST, DATE"' }),
  cpu: Type.Object({
    model: Type.String(),
    sockets: Type.Integer({ minimum: 1 }),
    cores: Type.Integer({ minimum: 1 }),
    threads: Type.Integer({ minimum: 1 }),
  }),
  memory_bytes: Type.Number({ minimum: 0 }),
  drives: Type.Array(DriveSchema),
  nics: Type.Array(NicSchema),
});

export type Drive = Static<typeof DriveSchema>;
export type Nic = Static<typeof NicSchema>;
export type NodeProfile = Static<typeof NodeProfileSchema>;
