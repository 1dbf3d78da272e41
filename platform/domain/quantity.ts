/**
 * Kubernetes quantities ("500m", "2Gi", "1.5", "128974848", "129M") and Anvil's own human sizes and
 * rates as the control plane's fields take them (units, ranges, coded errors), read in one place so every
 * command and manifest means the same thing by them; the grammar itself is units.ts's parseQuantity.
 */
import { AnvilError } from '../errors.js';
import { parseBitRate, parseQuantity } from '../../sim/core/units.js';

/** CPU quantity to millicores (rounded up, as Kubernetes does). */
export function cpuMillicores(text: string | number, field: string): number {
  const v = parseQuantity(text);
  if (v === undefined)
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field}: cpu "${text}" is not a Kubernetes quantity; write e.g. 500m or 2`);
  return Math.ceil(v * 1000 - 1e-9);
}

/** Memory or storage quantity to bytes. */
export function quantityBytes(text: string | number, field: string): number {
  const v = parseQuantity(text);
  if (v === undefined) throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field}: "${text}" is not a size; write e.g. 512Mi, 2Gi or 10G`);
  return Math.ceil(v);
}

/**
 * A volume size as dctl takes it ("50G", "100M", "2Gi", "1T"): a single-letter suffix is binary, as in
 * dctl's examples (`-s 50G`); a Kubernetes binary suffix ("Gi") also works. At least 1 MiB.
 */
export function volumeSizeBytes(text: string, field = '--size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT])(i?)[bB]?\s*$/i.exec(text);
  const units: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };
  const bytes = m ? Math.round(Number(m[1]) * units[m[2]!.toUpperCase()]!) : undefined;
  if (bytes === undefined || bytes < 2 ** 20) {
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} "${text}" is not a volume size of at least 1M; write e.g. 100M, 50G or 2T`);
  }
  return bytes;
}

/** A network rate ("125M", "500Mbit", "2G") to bits per second. */
export function bitRate(text: string, field: string): number {
  const v = parseBitRate(text);
  if (v === undefined || !Number.isFinite(v))
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} "${text}" is not a rate; write e.g. 125M, 500Mbit or 2G (bits per second)`);
  return v;
}

/** An IOPS count ("5000", "5k", "20K", "1M"). */
export function iopsCount(text: string, field: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(text);
  const v = m ? Number(m[1]) * ({ '': 1, k: 1e3, m: 1e6 } as Record<string, number>)[m[2]!.toLowerCase()]! : undefined;
  if (v === undefined || !Number.isInteger(v))
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} "${text}" is not an IOPS count; write e.g. 5000, 5k or 1M`);
  return v;
}

/** "1.06TB"-style decimal bytes for tables, as the appliance prints them. */
export function formatBytesDecimal(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(2)}${units[i]}`;
}

/** "9.73GiB"-style binary bytes. */
export function formatBytesBinary(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v.toFixed(0) : v.toFixed(2)}${units[i]}`;
}

/** "30K", "500K", "1.5M": counts the way `cluster status` shows IOPS. */
export function formatCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}K`;
  return String(n);
}

/** "500M", "36G": bits per second the way `cluster status` shows bandwidth. */
export function formatBits(bps: number): string {
  if (bps >= 1e9) return `${+(bps / 1e9).toFixed(2)}G`;
  if (bps >= 1e6) return `${+(bps / 1e6).toFixed(1)}M`;
  if (bps >= 1e3) return `${+(bps / 1e3).toFixed(1)}K`;
  return String(bps);
}
