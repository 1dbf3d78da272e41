/**
 * Parameters of the `fitted` device kind: what `anvil calibrate` measures on a drive, as tables. Per
 * direction, a row per queue depth the drive was measured at: the host's time per I/O at that depth and
 * the completion latency's quantiles there. Times are plain numbers in nanoseconds (the tables are
 * written by a fit, hundreds of values, not by hand).
 */
import { Type, type Static } from '@sinclair/typebox';
import { parseSize } from '../../core/units.js';
import { RANGES, rangedSize } from '../schema-types.js';

/** Longest table a profile may hold (depths, quantiles): far past what a fit writes. */
const MAX_ROWS = 1024;
const ns = (description: string) => Type.Number({ minimum: 0, maximum: 10e9, description });
const factorRows = (what: string, axis: string, minimum = 0) =>
  Type.Array(Type.Array(Type.Number({ minimum, maximum: 1e4, description: 'factor' }), { minItems: 1, maxItems: MAX_ROWS }), {
    minItems: 1,
    maxItems: MAX_ROWS,
    description: `per ${axis}, ${what} at each of \`depths\``,
  });
/** Extra host time is a fraction of the reference row's time per I/O (stable where the host time itself is near 0). */
const hostRows = (axis: string) =>
  factorRows('the host time added, as a fraction of the 4K pure time per I/O (host time + mean latency) there; 0: as at 4K', axis, -1);
const gridDepths = Type.Array(Type.Integer({ minimum: 1, maximum: 65_536 }), {
  minItems: 1,
  maxItems: MAX_ROWS,
  description: 'queue depths the factors were measured at, ascending (outside them the nearest holds)',
});

/** Factors on the path's figures for I/O sizes other than `reference_size`. */
const sizeScale = Type.Object(
  {
    sizes: Type.Array(Type.Integer({ minimum: 1, maximum: 2 ** 40 }), {
      minItems: 1,
      maxItems: MAX_ROWS,
      description: 'I/O sizes measured, bytes, ascending and above `reference_size`',
    }),
    depths: gridDepths,
    host: hostRows('size'),
    clat: factorRows('the factor on completion latency up to p90', 'size'),
    clat_tail: Type.Optional(
      factorRows('the factor on completion latency from p99 up (blended with `clat` from p90 to p99; default `clat`)', 'size'),
    ),
  },
  {
    additionalProperties: false,
    description:
      'the path at other I/O sizes: extra host time and factors on latency, none at `reference_size`, interpolated on log size and log depth; past the largest size the time per I/O grows in proportion to the size',
  },
);

/** Factors on the path's figures when reads and writes are mixed. */
const mixScale = Type.Object(
  {
    read_fractions: Type.Array(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 }), {
      minItems: 1,
      maxItems: MAX_ROWS,
      description: 'read fractions of the mixes measured (0.5 for 50/50), ascending',
    }),
    depths: gridDepths,
    host: hostRows('read fraction'),
    clat: factorRows('the factor on completion latency up to p90', 'read fraction'),
    clat_tail: Type.Optional(
      factorRows('the factor on completion latency from p99 up (blended with `clat` from p90 to p99; default `clat`)', 'read fraction'),
    ),
  },
  {
    additionalProperties: false,
    description:
      "this direction's I/Os in a mix: extra host time and factors on latency, none for a pure read or write, linear in the read fraction between, on log depth",
  },
);

const fittedPath = (description: string) =>
  Type.Object(
    {
      depths: Type.Array(Type.Integer({ minimum: 1, maximum: 65_536 }), {
        minItems: 1,
        maxItems: MAX_ROWS,
        description: 'queue depths (I/Os in the device) the rows below were measured at, ascending',
      }),
      host_ns: Type.Array(ns('host time per I/O at that depth, ns'), {
        minItems: 1,
        maxItems: MAX_ROWS,
        description:
          'per depth, the time an I/O spends on the host before the device (fio, the kernel), ns; reported as submission latency',
      }),
      clat_ns: Type.Array(Type.Array(ns('completion latency at that probability, ns'), { minItems: 2, maxItems: MAX_ROWS }), {
        minItems: 1,
        maxItems: MAX_ROWS,
        description: 'per depth, the completion latency at each of `probabilities`, ns, non-decreasing',
      }),
      clat_ns_per_kib: Type.Number({
        minimum: 0,
        maximum: 1e9,
        default: 0,
        description: 'completion latency added per KiB above `reference_size`, ns (older profiles; a fit writes `size_scale`)',
      }),
      host_ns_per_kib: Type.Number({
        minimum: 0,
        maximum: 1e9,
        default: 0,
        description: 'host time added per KiB above `reference_size`, ns (older profiles; a fit writes `size_scale`)',
      }),
      size_scale: Type.Optional(sizeScale),
      mix_scale: Type.Optional(mixScale),
    },
    { additionalProperties: false, description },
  );

export const fittedPathSchema = fittedPath("one direction's path: host time and latency quantiles per queue depth");

export const fittedSchema = Type.Object(
  {
    kind: Type.Literal('fitted'),
    capacity: rangedSize(RANGES.capacity, { default: '1T', description: 'capacity the jobs address, e.g. "1T"' }),
    reference_size: rangedSize(RANGES.capacity, { default: '4k', description: 'I/O size the tables were measured at, e.g. "4k"' }),
    probabilities: Type.Array(Type.Number({ minimum: 0, maximum: 1 }), {
      minItems: 2,
      maxItems: MAX_ROWS,
      description: 'the probabilities of every `clat_ns` row, ascending from 0 to 1',
    }),
    read: fittedPath('the read path: per queue depth, host time and completion-latency quantiles of reads'),
    write: fittedPath('the write path (trims too): per queue depth, host time and completion-latency quantiles of writes'),
  },
  { additionalProperties: false },
);

export type FittedParams = Static<typeof fittedSchema>;
export type FittedPath = Static<typeof fittedPathSchema>;
export type FittedSizeScale = Static<typeof sizeScale>;
export type FittedMixScale = Static<typeof mixScale>;

/** Problems of a factor grid: its axis ascending (and past `floor`), one row per axis value, one factor per depth. */
function gridProblems(
  at: string,
  axisName: string,
  axis: readonly number[],
  floor: number,
  grid: { depths: number[]; host: number[][]; clat: number[][]; clat_tail?: number[][] },
): string[] {
  const out: string[] = [];
  for (let i = 0; i < axis.length; i++)
    if (!(axis[i]! > (i === 0 ? floor : axis[i - 1]!))) {
      out.push(
        `${at}/${axisName}/${i}: ${axis[i]} is not above ${i === 0 ? floor : axis[i - 1]}; give them ascending${i === 0 && floor > 0 ? ' and above reference_size' : ''}`,
      );
      break;
    }
  for (let i = 1; i < grid.depths.length; i++)
    if (!(grid.depths[i]! > grid.depths[i - 1]!)) {
      out.push(`${at}/depths/${i}: ${grid.depths[i]} is not above ${grid.depths[i - 1]}; give the depths ascending`);
      break;
    }
  for (const table of ['host', 'clat', 'clat_tail'] as const) {
    const rows = grid[table];
    if (!rows) continue;
    if (rows.length !== axis.length) out.push(`${at}/${table}: ${rows.length} rows for ${axis.length} ${axisName}; give one per value`);
    rows.forEach((row, r) => {
      if (row.length !== grid.depths.length)
        out.push(`${at}/${table}/${r}: ${row.length} factors for ${grid.depths.length} depths; give one per depth`);
    });
  }
  return out;
}

/** What the schema cannot say (relations between fields), as messages naming the field; empty when the tables can be built. */
export function fittedProblems(p: FittedParams): string[] {
  const out: string[] = [];
  const probs = p.probabilities;
  if (probs[0] !== 0 || probs[probs.length - 1] !== 1) out.push('/probabilities: must start at 0 and end at 1');
  for (let i = 1; i < probs.length; i++)
    if (!(probs[i]! > probs[i - 1]!)) {
      out.push(`/probabilities/${i}: ${probs[i]} is not above ${probs[i - 1]}; give them ascending`);
      break;
    }
  for (const dir of ['read', 'write'] as const) {
    const path = p[dir];
    const rows = path.depths.length;
    for (let i = 1; i < rows; i++)
      if (!(path.depths[i]! > path.depths[i - 1]!)) {
        out.push(`/${dir}/depths/${i}: ${path.depths[i]} is not above ${path.depths[i - 1]}; give the depths ascending`);
        break;
      }
    if (path.host_ns.length !== rows) out.push(`/${dir}/host_ns: ${path.host_ns.length} values for ${rows} depths; give one per depth`);
    if (path.clat_ns.length !== rows) out.push(`/${dir}/clat_ns: ${path.clat_ns.length} rows for ${rows} depths; give one per depth`);
    path.clat_ns.forEach((row, r) => {
      if (row.length !== probs.length)
        out.push(`/${dir}/clat_ns/${r}: ${row.length} values for ${probs.length} probabilities; give one per probability`);
      for (let i = 1; i < row.length; i++)
        if (row[i]! < row[i - 1]!) {
          out.push(`/${dir}/clat_ns/${r}/${i}: ${row[i]} is below ${row[i - 1]}; quantiles never decrease`);
          break;
        }
    });
    if (path.size_scale)
      out.push(...gridProblems(`/${dir}/size_scale`, 'sizes', path.size_scale.sizes, parseSize(p.reference_size) ?? 0, path.size_scale));
    if (path.mix_scale) out.push(...gridProblems(`/${dir}/mix_scale`, 'read_fractions', path.mix_scale.read_fractions, 0, path.mix_scale));
  }
  return out;
}

export const fittedCapacity = (p: FittedParams): number => parseSize(p.capacity)!;
