/** The schema and factory for a service-time distribution given in a profile: `{ dist: exponential, mean: 1us }`. */
import { Type, type Static } from '@sinclair/typebox';
import type { Distribution } from '../core/distributions.js';
import { Deterministic, Empirical, Exponential, LogNormal, Normal, Uniform } from '../core/distributions.js';
import type { RandomStream } from '../core/random.js';
import { parseDuration } from '../core/units.js';
import { RANGES, rangedDuration } from './schema-types.js';

/** Most values of an empirical distribution (a histogram has hundreds of buckets at most). */
export const MAX_EMPIRICAL_VALUES = 100_000;

const duration = (description: string) => rangedDuration(RANGES.time, { description });
const positiveDuration = (description: string) => rangedDuration(RANGES.positiveTime, { description });

export const serviceTimeSchema = Type.Union(
  [
    Type.Object({ dist: Type.Literal('exponential'), mean: duration('mean service time, e.g. "1us"') }, { additionalProperties: false }),
    Type.Object({ dist: Type.Literal('deterministic'), mean: duration('the fixed service time') }, { additionalProperties: false }),
    Type.Object(
      { dist: Type.Literal('uniform'), min: duration('lower bound'), max: duration('upper bound') },
      { additionalProperties: false },
    ),
    Type.Object(
      { dist: Type.Literal('normal'), mean: duration('mean'), stddev: duration('standard deviation') },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        dist: Type.Literal('lognormal'),
        mean: positiveDuration('mean of the values'),
        stddev: duration('standard deviation of the values'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        dist: Type.Literal('empirical'),
        values: Type.Array(duration('a service time'), {
          minItems: 1,
          maxItems: MAX_EMPIRICAL_VALUES,
          description: 'service times (histogram bucket values)',
        }),
        weights: Type.Array(Type.Number({ minimum: 0, maximum: 1e15 }), {
          minItems: 1,
          maxItems: MAX_EMPIRICAL_VALUES,
          description: 'relative frequency of each value (counts), one per value, not all zero',
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'service-time distribution: exponential, deterministic, uniform, normal, lognormal or empirical' },
);

export type ServiceTimeSpec = Static<typeof serviceTimeSchema>;

const ns = (text: string) => parseDuration(text, 'ns')!;

/**
 * What a service time's schema cannot say on its own (relations between its fields), as
 * `{ path, message }` under `path`; empty when the distribution can be built and sampled.
 */
export function serviceTimeProblems(spec: ServiceTimeSpec, path: string): { path: string; message: string }[] {
  if (spec.dist === 'uniform' && ns(spec.min) > ns(spec.max)) {
    return [{ path: `${path}/min`, message: `min (${spec.min}) is above max (${spec.max}); give min <= max` }];
  }
  if (spec.dist === 'empirical') {
    if (spec.values.length !== spec.weights.length) {
      return [
        { path: `${path}/weights`, message: `${spec.weights.length} weights for ${spec.values.length} values; give one weight per value` },
      ];
    }
    if (!spec.weights.some((w) => w > 0))
      return [{ path: `${path}/weights`, message: 'every weight is 0; at least one must be greater than 0' }];
  }
  return [];
}

/** Builds the distribution (values in nanoseconds) drawing from `stream`. */
export function serviceTime(spec: ServiceTimeSpec, stream: RandomStream): Distribution {
  switch (spec.dist) {
    case 'exponential':
      return new Exponential(ns(spec.mean), stream);
    case 'deterministic':
      return new Deterministic(ns(spec.mean));
    case 'uniform':
      return new Uniform(ns(spec.min), ns(spec.max), stream);
    case 'normal':
      return new Normal(ns(spec.mean), ns(spec.stddev), stream);
    case 'lognormal':
      return new LogNormal(ns(spec.mean), ns(spec.stddev), stream);
    case 'empirical':
      return new Empirical(spec.values.map(ns), spec.weights, stream);
  }
}
