/** The whole analysis on scenario files: SLA errors with what to change, a drive profile beside the scenario. */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../bench/package-root.js';
import { analyseFile } from '../../reports/tco/tco.js';
import { tempDir } from '../cli-harness.js';
import { REFERENCE } from './fixtures.js';
import { caughtAnvilError } from '../caught.js';

function scenarioWith(edit: (text: string) => string): string {
  const dir = tempDir('anvil-tco-scenario-');
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, edit(readFileSync(REFERENCE, 'utf8')));
  return file;
}

describe('TCO analysis of a scenario file', () => {
  it("an SLA tighter than a stack's own I/O path is a coded error saying what to change", () => {
    const file = scenarioWith((t) => t.replaceAll('latency_sla_p99_us: 1000', 'latency_sla_p99_us: 400'));
    const e = caughtAnvilError(() => analyseFile(file, { samples: 10 }));
    expect(e.code).toBe('ANVIL_ERR_TCO_SLA_UNREACHABLE');
    expect(e.message).toMatch(
      /p99 SLA \(400 us\) leaves no time for the drive once the diy-sds stack's own I\/O path is taken; raise latency_sla_p99_us/,
    );
  });

  it('an SLA the drive misses at any load is a coded error naming the profile', () => {
    // 150 us less the appliance's 100 us path leaves 50 us: below the drive's read time.
    const file = scenarioWith((t) =>
      t.replaceAll('latency_sla_p99_us: 1000', 'latency_sla_p99_us: 150').replace(/\n {2}- \{ id: diy-oss-sds.*\n/, '\n'),
    );
    const e = caughtAnvilError(() => analyseFile(file, { samples: 10 }));
    expect(e.code).toBe('ANVIL_ERR_TCO_SLA_UNREACHABLE');
    expect(e.message).toMatch(/drive profile intel-p4510-4tb cannot keep p99 within 50 us at any load for the appliance stack/);
  });

  it('reads a drive profile given by a path relative to the scenario', () => {
    const file = scenarioWith((t) => t.replace('drive_profile: intel-p4510-4tb', 'drive_profile: ./my-drive.yaml'));
    copyFileSync(join(packageRoot(), 'sim', 'profiles', 'intel-p4510-4tb.yaml'), join(file, '..', 'my-drive.yaml'));
    const a = analyseFile(file, { samples: 10, cacheDir: tempDir('anvil-iops-cache-') });
    expect(a.profile.name).toBe('my-drive');
    expect(a.driveRuns.map((r) => r.kind)).toEqual(['appliance', 'diy-db-outside', 'diy-sds']);
    for (const r of a.driveRuns) expect(r.result.p99_ns).toBeLessThanOrEqual(r.p99Budget_ns);
    // The SDS stack's drive sees more writes (every copy) and a smaller budget: fewer IOPS per drive.
    const iops = Object.fromEntries(a.driveRuns.map((r) => [r.kind, r.result.iops]));
    expect(iops['diy-sds']).toBeLessThan(iops['diy-db-outside']!);
  });
});
