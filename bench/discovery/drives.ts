/**
 * Block devices from `lsblk --json --bytes` and NVMe controllers from `nvme list -o json` (nvme-cli)
 * or, without nvme-cli, from sysfs (/sys/class/nvme, /sys/block).
 */
import type { Drive } from './discovered-node.js';

/** The lsblk columns discovery asks for. */
export const LSBLK_ARGS = ['--json', '--bytes', '--nodeps', '-o', 'NAME,TYPE,SIZE,ROTA,MODEL,SERIAL,TRAN,PHY-SEC,LOG-SEC'];

interface LsblkDevice {
  name: string;
  type: string;
  size: number | string;
  rota: boolean | string | number;
  model: string | null;
  serial: string | null;
  tran: string | null;
  'phy-sec': number | string;
  'log-sec': number | string;
}

const VIRTUAL = /^(zram|loop|ram|vd|xvd|nbd|dm-|md)/;

/** Disks (not partitions, ROMs or empty devices) from lsblk's JSON. */
export function parseLsblk(text: string): Drive[] {
  const doc = JSON.parse(text) as { blockdevices?: LsblkDevice[] };
  return (doc.blockdevices ?? [])
    .filter((d) => d.type === 'disk' && Number(d.size) > 0)
    .map((d) => {
      const rotational = d.rota === true || d.rota === '1' || d.rota === 1;
      const kind: Drive['kind'] = d.name.startsWith('nvme') ? 'nvme' : VIRTUAL.test(d.name) ? 'virtual' : rotational ? 'hdd' : 'ssd';
      return {
        name: d.name,
        kind,
        model: d.model?.trim() || null,
        serial: d.serial?.trim() || null,
        capacity_bytes: Number(d.size),
        logical_sector_bytes: Number(d['log-sec']),
        physical_sector_bytes: Number(d['phy-sec']),
        transport: d.tran,
      };
    });
}

/** One namespace as nvme-cli lists it. */
export interface NvmeNamespace {
  readonly device: string;
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  readonly capacity_bytes: number;
  readonly sector_bytes: number;
}

interface NvmeListDevice {
  DevicePath: string;
  Firmware?: string;
  ModelNumber?: string;
  SerialNumber?: string;
  PhysicalSize?: number;
  SectorSize?: number;
}

/** nvme-cli's `nvme list -o json` (non-verbose: a `Devices` array, one entry per namespace). */
export function parseNvmeList(text: string): NvmeNamespace[] {
  const doc = JSON.parse(text) as { Devices?: NvmeListDevice[] };
  return (doc.Devices ?? []).map((d) => ({
    device: d.DevicePath.replace(/^\/dev\//, ''),
    model: (d.ModelNumber ?? '').trim(),
    serial: (d.SerialNumber ?? '').trim(),
    firmware: (d.Firmware ?? '').trim(),
    capacity_bytes: d.PhysicalSize ?? 0,
    sector_bytes: d.SectorSize ?? 512,
  }));
}

/** Reads a file of a (possibly captured) sysfs tree: the trimmed text, or undefined when absent or unreadable. */
export type SysfsReader = (path: string) => string | undefined;

/**
 * NVMe namespaces from sysfs when nvme-cli is missing: /sys/class/nvme/nvmeX/{model,serial,firmware_rev}
 * and /sys/block/nvmeXnY/size (512-byte sectors). `controllers` lists nvmeX, `namespaces` nvmeXnY.
 */
export function nvmeFromSysfs(read: SysfsReader, controllers: readonly string[], namespaces: readonly string[]): NvmeNamespace[] {
  return namespaces
    .filter((ns) => controllers.some((c) => ns.startsWith(`${c}n`)))
    .map((ns) => {
      const c = controllers.find((x) => ns.startsWith(`${x}n`))!;
      return {
        device: ns,
        model: read(`class/nvme/${c}/model`) ?? '',
        serial: read(`class/nvme/${c}/serial`) ?? '',
        firmware: read(`class/nvme/${c}/firmware_rev`) ?? '',
        capacity_bytes: Number(read(`block/${ns}/size`) ?? '0') * 512,
        sector_bytes: Number(read(`block/${ns}/queue/logical_block_size`) ?? '512'),
      };
    });
}

/** Drives with NVMe details (model, serial, firmware) merged in by device name. */
export function withNvme(drives: readonly Drive[], nvme: readonly NvmeNamespace[]): Drive[] {
  const out = drives.map((d) => {
    const n = nvme.find((x) => x.device === d.name);
    return n
      ? {
          ...d,
          kind: 'nvme' as const,
          model: n.model || d.model,
          serial: n.serial || d.serial,
          firmware: n.firmware,
          transport: d.transport ?? 'nvme',
        }
      : d;
  });
  for (const n of nvme) {
    if (!out.some((d) => d.name === n.device)) {
      out.push({
        name: n.device,
        kind: 'nvme',
        model: n.model,
        serial: n.serial,
        capacity_bytes: n.capacity_bytes,
        logical_sector_bytes: n.sector_bytes,
        physical_sector_bytes: n.sector_bytes,
        transport: 'nvme',
        firmware: n.firmware,
      });
    }
  }
  return out;
}
