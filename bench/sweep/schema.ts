/**
 * The sweep file's schema (`kind: Sweep`): a base fio job file, axes over its options or the device
 * profile's parameters, seeds, and bounds. One typebox schema gives the type, the validation (every
 * problem with its file, line and path) and the defaults; plan.ts checks what it cannot say (exactly one
 * target per axis, zipped axes of one length, the number of points).
 */
import { Type, type Static } from '@sinclair/typebox';

/** The most points any sweep may have, whatever its `max_points` says: far above a day of runs, far below a stall. */
export const MAX_SWEEP_POINTS = 100_000;

/** Points a sweep may have unless its `max_points` says otherwise. */
export const DEFAULT_MAX_POINTS = 10_000;

export const SWEEP_KIND = 'Sweep';

const AxisValue = Type.Union([Type.Number(), Type.String({ minLength: 1, maxLength: 256 })], {
  description: 'a number or a string, written into the job file or the profile as given',
});

export const RangeSchema = Type.Object(
  {
    from: Type.Number({ description: 'first value' }),
    to: Type.Number({ description: 'last value (included when a step lands on it)' }),
    step: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'add this to go to the next value' })),
    factor: Type.Optional(
      Type.Number({ exclusiveMinimum: 1, description: 'multiply by this to go to the next value, e.g. 2 for 1, 2, 4, ...' }),
    ),
  },
  { additionalProperties: false, description: 'a range: { from: 1, to: 256, factor: 2 } or { from: 0, to: 100, step: 10 }' },
);

export const AxisSchema = Type.Object(
  {
    option: Type.Optional(
      Type.String({
        pattern: '^[a-z_][a-z0-9_]*$',
        maxLength: 64,
        description: 'an fio option set in every job of the base job file, e.g. iodepth, bs, rw, rwmixread',
      }),
    ),
    profile: Type.Optional(
      Type.String({
        pattern: '^[a-z_][a-z0-9_]*(\\.[a-z_][a-z0-9_]*)*$',
        maxLength: 128,
        description: 'a device profile parameter, dotted for nested ones, e.g. read_latency or nand.channels',
      }),
    ),
    field: Type.Optional(
      Type.String({
        pattern: '^[a-z_][a-z0-9_]*(\\.([a-z0-9_][-a-z0-9_]*))*$',
        maxLength: 256,
        description:
          "a field of the base cluster scenario, dotted, list items by index, e.g. duration, nodes.count, perf_tiers.0.limit_iops; or an fio option in its workloads' jobs: job.iodepth (every workload), workloads.1.job.iodepth, workloads.POD.iodepth (the workloads of pod POD)",
      }),
    ),
    name: Type.Optional(
      Type.String({
        pattern: '^[a-z_][a-z0-9_.]*$',
        maxLength: 64,
        description: 'the axis column in the merged table (default: the option, profile.PARAMETER, or the field)',
      }),
    ),
    values: Type.Optional(Type.Array(AxisValue, { minItems: 1, maxItems: MAX_SWEEP_POINTS, description: 'the values, in order' })),
    range: Type.Optional(RangeSchema),
  },
  {
    additionalProperties: false,
    description:
      'an axis: one of option, profile or field (a scenario sweep), and one of values or range, e.g. { option: iodepth, values: [1, 4, 16] }',
  },
);

const Seeds = Type.Union(
  [
    Type.Array(Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }), { minItems: 1, maxItems: MAX_SWEEP_POINTS }),
    Type.Object(
      {
        from: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }),
        to: Type.Integer({ minimum: 0, maximum: 2 ** 32 - 1 }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'seeds each point runs with: a list, [1, 2, 3], or a range, { from: 1, to: 10 } (default [1])' },
);

export const SweepSchema = Type.Object(
  {
    kind: Type.Literal(SWEEP_KIND, { description: 'kind: Sweep' }),
    name: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63, description: 'the sweep: a DNS label' })),
    base: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'the base fio job file or cluster scenario (kind: ClusterScenario), relative to the sweep file',
      }),
    ),
    job: Type.Optional(
      Type.String({ minLength: 1, description: 'the base fio job file inline (instead of base), as a literal block: job: |' }),
    ),
    profile: Type.String({
      minLength: 1,
      default: 'intel-p4510-4tb',
      description: 'device profile: a built-in name (see anvil profiles) or a YAML file relative to the sweep file',
    }),
    mode: Type.Union([Type.Literal('cartesian'), Type.Literal('zip')], {
      default: 'cartesian',
      description: 'cartesian: every combination of the axes; zip: the i-th values of every axis together',
    }),
    axes: Type.Array(AxisSchema, { default: [], maxItems: 16, description: 'the axes, the first outermost' }),
    // No schema default: typebox's Value.Default replaces a union's given object by the default.
    seeds: Type.Optional(Seeds),
    max_points: Type.Integer({
      minimum: 1,
      maximum: MAX_SWEEP_POINTS,
      default: DEFAULT_MAX_POINTS,
      description: 'refuse a sweep with more points than this (axes times seeds)',
    }),
    max_ios_per_point: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'simulated-time budget of each point: refuse a point estimated to simulate more I/Os (as anvil run --max-ios)',
      }),
    ),
  },
  { additionalProperties: false, description: 'a sweep: kind: Sweep, base (or job), axes, seeds' },
);

export type SweepSpec = Static<typeof SweepSchema>;
export type AxisSpec = Static<typeof AxisSchema>;
export type RangeSpec = Static<typeof RangeSchema>;
