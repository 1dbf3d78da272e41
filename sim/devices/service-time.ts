/** The schema and factory for a service-time distribution given in a profile: `{ dist: exponential, mean: 1us }`. */
import { Type, type Static } from '@sinclair/typebox';
import type { Distribution } from '../core/distributions.js';
import { Deterministic, Empirical, Exponential, LogNormal, Normal, Uniform } from '../core/distributions.js';
import type { RandomStream } from '../core/random.js';
import { parseDuration } from '../core/units.js';
import { DURATION_PATTERN } from './schema-types.js';

const duration = (description: string) => Type.String({ pattern: DURATION_PATTERN, description });

export const serviceTimeSchema = Type.Union(
  [
    Type.Object({ dist: Type.Literal('exponential'), mean: duration('mean service time, e.g. "1us"') }, { additionalProperties: false }),
    Type.Object({ dist: Type.Literal('deterministic'), mean: duration('the fixed service time') }, { additionalProperties: false }),
    Type.Object({ dist: Type.Literal('uniform'), min: duration('lower bound'), max: duration('upper bound') }, { additionalProperties: false }),
    Type.Object({ dist: Type.Literal('normal'), mean: duration('mean'), stddev: duration('standard deviation') }, { additionalProperties: false }),
    Type.Object({ dist: Type.Literal('lognormal'), mean: duration('mean of the values'), stddev: duration('standard deviation of the values') }, { additionalProperties: false }),
    Type.Object(
      {
        dist: Type.Literal('empirical'),
        values: Type.Array(duration('a service time'), { minItems: 1, description: 'service times (histogram bucket values)' }),
        weights: Type.Array(Type.Number({ minimum: 0 }), { minItems: 1, description: 'relative frequency of each value (counts)' }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'service-time distribution: exponential, deterministic, uniform, normal, lognormal or empirical' },
);

export type ServiceTimeSpec = Static<typeof serviceTimeSchema>;

const ns = (text: string) => parseDuration(text, 'ns')!;

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
