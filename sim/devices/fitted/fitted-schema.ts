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
        description: 'completion latency added per KiB above `reference_size`, ns',
      }),
      host_ns_per_kib: Type.Number({
        minimum: 0,
        maximum: 1e9,
        default: 0,
        description: 'host time added per KiB above `reference_size`, ns',
      }),
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
  }
  return out;
}

export const fittedCapacity = (p: FittedParams): number => parseSize(p.capacity)!;
