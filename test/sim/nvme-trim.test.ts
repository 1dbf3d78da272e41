/**
 * Trim (NVMe Dataset Management, deallocate) on every nvme profile: its QD1 latency and its IOPS at depth
 * follow from the profile's own figures (controller.trim_command, controller.trim_rate, the cores and the
 * PCIe link), computed here from the profile text, not from the model's resolved configuration.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseByteRate, parseDuration, parseSize } from '../../sim/core/units.js';
import { PROFILE_DIR, loadNvmeProfile, runJob } from './nvme-harness.js';

const profiles = readdirSync(PROFILE_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''));

/** Bytes of one Dataset Management range (NVM Command Set specification): what a trim carries over PCIe. */
const DSM_RANGE_BYTES = 16;
const BS = 4096;

/** Core time of one trim of `BS` bytes, ns, from the profile's text. */
function coreTime_ns(name: string): { core_ns: number; link_ns: number; cores: number } {
  const { raw } = loadNvmeProfile(name);
  const controller = raw.controller as Record<string, string | number>;
  const host = raw.host as Record<string, string>;
  const command_ns = parseDuration(String(controller.trim_command), 'ns')!;
  const rate = parseByteRate(String(controller.trim_rate))!;
  const pcie = parseByteRate(host.pcie_bandwidth!)!;
  const payload = parseSize(host.pcie_max_payload!)!;
  const tlp = parseSize(host.pcie_tlp_overhead!)!;
  return {
    core_ns: command_ns + (BS * 1e9) / rate,
    link_ns: ((DSM_RANGE_BYTES + Math.ceil(DSM_RANGE_BYTES / payload) * tlp) * 1e9) / pcie,
    cores: Number(controller.cores),
  };
}

describe.each(profiles)('trim on %s', (name) => {
  test('the profile gives its trim figures, each with a source', () => {
    const { raw } = loadNvmeProfile(name);
    const controller = raw.controller as Record<string, unknown>;
    expect(controller.trim_command).toBeDefined();
    expect(controller.trim_rate).toBeDefined();
    const sources = raw.sources as Record<string, string>;
    expect(sources['controller.trim_command']).toMatch(/20\d\d/);
    expect(sources['controller.trim_rate']).toMatch(/20\d\d/);
  });

  test('a 4 KiB trim at QD1 takes the core time plus the range over PCIe, to the nanosecond', () => {
    const { params } = loadNvmeProfile(name);
    const { core_ns, link_ns } = coreTime_ns(name);
    const r = runJob(params, { op: 'trim', pattern: 'random', bs: BS, iodepth: 1 }, { ramp_ns: 1e6, runtime_ns: 5e6 });
    expect(r.ios).toBeGreaterThan(100);
    expect(r.lat.mean_ns).toBeCloseTo(core_ns + link_ns, 0);
    expect(r.lat.max_ns - r.lat.min_ns).toBeLessThan(1); // a lone trim never queues
  });

  test('4 KiB trims at depth 64 run at the cores’ rate: cores / core time', () => {
    const { params } = loadNvmeProfile(name);
    const { core_ns, cores } = coreTime_ns(name);
    const r = runJob(params, { op: 'trim', pattern: 'random', bs: BS, iodepth: 64 }, { ramp_ns: 1e6, runtime_ns: 10e6 });
    const expected = (cores * 1e9) / core_ns;
    expect(Math.abs(r.iops / expected - 1)).toBeLessThan(0.01);
  });
});
