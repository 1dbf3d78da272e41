import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  builtInStackCoefficientsPath,
  coefficientEntries,
  loadStackCoefficients,
  parseStackCoefficients,
} from '../../bench/stack-coefficients.js';
import { loadCatalogue } from '../../reports/tco/catalogue.js';
import { TCO_STACK_COEFFICIENTS } from '../../reports/tco/figures.js';
import { caughtAnvilError } from '../caught.js';

describe('the stack coefficient file', () => {
  it('the built-in file loads; every entry names its source and year, and a range holds its value', () => {
    const c = loadStackCoefficients();
    const entries = coefficientEntries(c);
    expect(entries.length).toBeGreaterThanOrEqual(15);
    for (const { id, coefficient: k } of entries) {
      expect(k.source.length, id).toBeGreaterThan(10);
      expect(k.year, id).toBeGreaterThanOrEqual(1990);
      if (k.range) expect(k.range[0] <= k.value && k.value <= k.range[1], id).toBe(true);
    }
    // research/network.md section 7: 860 us of storage CPU per client write at replication 3.
    expect(c.diy.sds_replication.value * c.diy.sds_cpu_us_per_replica_write.value).toBeGreaterThan(850);
    expect(c.diy.sds_replication.value * c.diy.sds_cpu_us_per_replica_write.value).toBeLessThan(870);
    expect(c.hci.nvmeof_added_latency_us.value).toBe(10);
  });

  it('every problem at once, each with file, line and path: a wrong unit, a missing entry, a range without its value, an unknown field', () => {
    const file = builtInStackCoefficientsPath();
    const text = readFileSync(file, 'utf8')
      .replace(/(switch_latency_us:\n(?:.*\n)*?\s+unit: )us/, '$1ms')
      .replace(/ {2}host_rtt_us:\n(?: {4}.*\n)+/, '')
      .replace(/(sds_cpu_us_per_replica_write:\n(?:.*\n)*?\s+range: )\[256, 633\]/, '$1[300, 633]')
      .replace(/(overlay_bytes_per_packet:\n)/, '$1    colour: blue\n');
    const e = caughtAnvilError(() => parseStackCoefficients(text, 'bad.yaml'));
    expect(e.code).toBe('ANVIL_ERR_STACK_COEFFICIENTS');
    const details = e.details.join('\n');
    expect(details).toMatch(/^bad\.yaml:\d+: \/fabric\/switch_latency_us\/unit: "ms" is not allowed, allowed: us$/m);
    expect(details).toMatch(/^bad\.yaml:\d+: \/fabric\/host_rtt_us: /m);
    expect(details).toMatch(/^bad\.yaml:\d+: \/diy\/overlay_bytes_per_packet\/colour: not a known field/m);
    // The range check runs once the shape is right.
    const rangeOnly = readFileSync(file, 'utf8').replace(
      /(sds_cpu_us_per_replica_write:\n(?:.*\n)*?\s+range: )\[256, 633\]/,
      '$1[300, 633]',
    );
    expect(caughtAnvilError(() => parseStackCoefficients(rangeOnly, 'r.yaml')).details).toEqual([
      expect.stringMatching(/^r\.yaml:\d+: \/diy\/sds_cpu_us_per_replica_write\/range: \[300, 633\] must satisfy low <= value \(286\)/),
    ]);
  });

  it('the TCO takes its DIY storage CPU and replication from this file, range included', () => {
    const c = loadStackCoefficients();
    const catalogue = loadCatalogue();
    for (const id of TCO_STACK_COEFFICIENTS) {
      const figure = catalogue.get(id)!;
      expect(figure.file).toBe(builtInStackCoefficientsPath());
      expect(figure.value).toBe(c.diy[id].value);
      expect(figure.range).toEqual(c.diy[id].range);
    }
    // The old per-core figures are gone, so nothing reads client writes as replica writes again.
    expect(catalogue.has('sds_write_iops_per_core')).toBe(false);
  });
});
