/**
 * Who the report is for and from, and when: the customer, the preparer, the date and the logo of its
 * first page. Each comes from a flag of `anvil tco`, else the scenario's `report` block; the date defaults
 * to today (UTC), or to SOURCE_DATE_EPOCH when set so that the same inputs give the same bytes. The logo
 * is embedded in the HTML as a data URI (the file stays self-contained; an SVG in an <img> runs no script).
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { runTimestamp } from '../../bench/results/run-output.js';
import { AnvilError } from '../../platform/errors.js';
import type { ReportSpec } from '../tco/scenario-schema.js';

/** Largest logo file embedded, bytes. */
export const MAX_LOGO_BYTES = 1024 * 1024;

export interface Branding {
  readonly customer?: string;
  readonly preparedBy?: string;
  /** YYYY-MM-DD. */
  readonly date: string;
  /** The logo as a data URI, and the file it came from. */
  readonly logo?: { readonly file: string; readonly dataUri: string };
}

/** What the command line gives; each replaces the scenario's field. */
export interface BrandingFlags {
  readonly customer?: string;
  readonly preparedBy?: string;
  readonly date?: string;
  readonly logo?: string;
}

/** The media type of an image file from its first bytes; undefined when it is not PNG, JPEG or SVG. */
function imageType(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const head = bytes
    .subarray(0, 1024)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head)) return 'image/svg+xml';
  return undefined;
}

/** Reads a logo file into a data URI; `from` says where it was named (flag or scenario field) for the error. */
export function loadLogo(file: string, from: string): { file: string; dataUri: string } {
  let bytes: Buffer;
  try {
    const size = statSync(file).size;
    if (size > MAX_LOGO_BYTES)
      throw new AnvilError(
        'ANVIL_ERR_TCO_LOGO',
        `${from}: logo ${file} is ${size} bytes; a logo is at most ${MAX_LOGO_BYTES} bytes (1 MiB): export it smaller`,
      );
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof AnvilError) throw e;
    throw new AnvilError(
      'ANVIL_ERR_TCO_LOGO',
      `${from}: cannot read logo ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a PNG, JPEG or SVG file`,
    );
  }
  const type = imageType(bytes);
  if (type === undefined)
    throw new AnvilError('ANVIL_ERR_TCO_LOGO', `${from}: logo ${file} is not a PNG, JPEG or SVG image; give one of those`);
  return { file, dataUri: `data:${type};base64,${bytes.toString('base64')}` };
}

/** Today (UTC) as YYYY-MM-DD, or the day of SOURCE_DATE_EPOCH when set. */
export function reportDate(): string {
  return new Date(runTimestamp() * 1000).toISOString().slice(0, 10);
}

/** The report's branding from the flags, else the scenario's `report` block (its logo relative to the scenario file). */
export function resolveBranding(spec: ReportSpec, scenarioFile: string, flags: BrandingFlags = {}): Branding {
  const customer = flags.customer ?? spec.customer;
  const preparedBy = flags.preparedBy ?? spec.prepared_by;
  const logo =
    flags.logo !== undefined
      ? loadLogo(flags.logo, '--logo')
      : spec.logo !== undefined
        ? loadLogo(isAbsolute(spec.logo) ? spec.logo : resolve(dirname(scenarioFile), spec.logo), `${scenarioFile}: /report/logo`)
        : undefined;
  return {
    ...(customer !== undefined ? { customer } : {}),
    ...(preparedBy !== undefined ? { preparedBy } : {}),
    date: flags.date ?? spec.date ?? reportDate(),
    ...(logo ? { logo } : {}),
  };
}

/** "3 December 2026" for YYYY-MM-DD. */
export function longDate(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}
