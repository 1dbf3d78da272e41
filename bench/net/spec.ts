/**
 * What `anvil net run` measures, as one schema: the type, the validation, the defaults and the help.
 * Rates are text as people write them ("200mbit", "1G"), read by the one rate parser.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseBitRate } from '../../sim/core/units.js';
import { AnvilError } from '../../platform/errors.js';

export const NetRunSchema = Type.Object({
  endpoints: Type.Integer({
    minimum: 2,
    maximum: 16,
    default: 2,
    description: 'network namespaces to create; endpoint 0 serves, the others are clients (2: a veth pair; more: a bridge)',
  }),
  protocol: Type.Union([Type.Literal('tcp'), Type.Literal('udp')], { default: 'tcp', description: 'iperf3 protocol' }),
  parallel: Type.Integer({ minimum: 1, maximum: 64, default: 1, description: 'parallel streams per client (iperf3 -P)' }),
  duration_s: Type.Number({ exclusiveMinimum: 0, maximum: 3600, default: 3, description: 'length of the throughput test, s (iperf3 -t)' }),
  interval_s: Type.Number({
    minimum: 0.1,
    maximum: 60,
    default: 0.5,
    description: 'length of a row of the interval series, s (iperf3 -i)',
  }),
  rate: Type.Optional(
    Type.String({
      description: 'per-endpoint egress limit applied with tc (see rateQdisc), e.g. 200mbit or 1G (the analog of a VF max rate)',
    }),
  ),
  rateQdisc: Type.Union([Type.Literal('tbf'), Type.Literal('htb')], {
    default: 'tbf',
    description:
      'tc qdisc that applies --rate: tbf (a token bucket) or htb (one class of a hierarchical token bucket, as shapers of tenants set it up)',
  }),
  udpBitrate: Type.String({ default: '1G', description: 'UDP target bitrate per stream (iperf3 -b)' }),
  pings: Type.Integer({
    minimum: 0,
    maximum: 100_000,
    default: 200,
    description:
      "round trips measured with ping on the idle network, and again (at most this many) under the throughput test's load (0: none)",
  }),
});

export type NetRunSpec = Static<typeof NetRunSchema>;

/** Validates options (absent ones take their defaults); every problem at once, each naming its field. */
export function netRunSpec(input: Record<string, unknown>): NetRunSpec & { rate_bps?: number; udpBitrate_bps: number } {
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const withDefaults = Value.Default(NetRunSchema, Value.Clone(defined)) as Record<string, unknown>;
  const problems = [...Value.Errors(NetRunSchema, withDefaults)].map(
    (e) =>
      `${e.path.replace(/^\//, '') || 'options'}: ${e.message}${NetRunSchema.properties[e.path.slice(1) as keyof NetRunSpec]?.description ? ` (${NetRunSchema.properties[e.path.slice(1) as keyof NetRunSpec]!.description})` : ''}`,
  );
  const spec = withDefaults as NetRunSpec;
  const rate_bps = spec.rate === undefined ? undefined : parseBitRate(spec.rate);
  if (spec.rate !== undefined && (rate_bps === undefined || rate_bps < 1e5))
    problems.push(`rate: '${spec.rate}' is not a rate of at least 100kbit, e.g. 200mbit or 1G`);
  const udpBitrate_bps = parseBitRate(spec.udpBitrate);
  if (udpBitrate_bps === undefined || udpBitrate_bps <= 0) problems.push(`udpBitrate: '${spec.udpBitrate}' is not a rate, e.g. 500M`);
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_NET_SPEC',
      `the network test options have ${problems.length} problem${problems.length > 1 ? 's' : ''}`,
      problems,
    );
  return { ...spec, ...(rate_bps !== undefined ? { rate_bps } : {}), udpBitrate_bps: udpBitrate_bps! };
}
