/**
 * Verdicts as JUnit XML, the shape CI systems read (GitLab, Jenkins, GitHub test reporters) and the common
 * schemas accept (the Ant JUnit.xsd, Jenkins' junit-4.xsd and junit-10.xsd): one `<testsuites>` without
 * attributes, one `<testsuite>` per scenario and stack with the attributes and `<properties>` the Ant schema
 * requires and empty `<system-out/>`/`<system-err/>`, one `<testcase>` per check and seed. A broken SLA is a
 * `<failure type="SlaViolation">` whose message holds the figures. A check the run cannot judge (too few
 * I/Os for its percentile, a baseline without the seeds) is an `<error type="NotJudged">`: JUnit's word for
 * a test that could not decide, and the only other outcome the Ant schema has (it knows no `<skipped>`).
 * Test cases carry no properties or output of their own (the Ant schema has none).
 */
import { basename, extname } from 'node:path';
import { checkLabel, formatFigure, formatMargin, type RunVerdicts } from './verdict-report.js';
import type { SlaVerdict } from './evaluate.js';
import { comparisonMessage, type StackComparison } from './baseline-report.js';
import type { BaselineComparison } from './baseline.js';

/** Text as XML attribute or element content: the five markup characters escaped, characters XML 1.0 cannot hold dropped. */
export function xmlText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Seconds since the epoch as the Ant schema wants a timestamp: YYYY-MM-DDThh:mm:ss, UTC, no zone. */
export function junitTimestamp(epoch_s: number): string {
  return new Date(epoch_s * 1000).toISOString().slice(0, 19);
}

/** `anvil.SCENARIO-FILE.STACK`: the test cases' class, unique per scenario file and stack. */
export function junitClassname(file: string, stack: string): string {
  return `anvil.${basename(file, extname(file)).replace(/[^A-Za-z0-9_-]/g, '_')}.${stack}`;
}

const relation = (v: SlaVerdict) => (v.check.startsWith('min_') ? '>=' : '<=');

/** The test case's name: SLA, check and limit, seed. Unique in its class. */
export function junitCaseName(v: SlaVerdict, seed: number): string {
  return `${v.sla}: ${checkLabel(v.check, v.window)} ${relation(v)} ${formatFigure(v.limit, v.unit)} [seed ${seed}]`;
}

/** The figures of a verdict in one line: what a CI shows of a failure. */
export function verdictMessage(v: SlaVerdict): string {
  if (v.measured === null) return `${v.scope}: ${checkLabel(v.check, v.window)} not judged: ${v.note ?? 'nothing measured'}`;
  const tol = v.tolerance > 0 ? ` (limit ${formatFigure(v.limit, v.unit)} with tolerance ${+(v.tolerance * 100).toFixed(2)}%)` : '';
  const missed = v.status === 'fail' ? (relation(v) === '>=' ? '<' : '>') : relation(v);
  return `${v.scope}: ${checkLabel(v.check, v.window)} ${formatFigure(v.measured, v.unit)} ${missed} ${formatFigure(v.allowed, v.unit)}${tol}, margin ${formatMargin(v.margin!, v.margin_fraction, v.unit)}, at ${v.where}`;
}

function detailText(v: SlaVerdict, run: RunVerdicts): string {
  return [
    `scenario: ${run.scenario} (${run.file})`,
    `stack: ${run.stack}, seed: ${run.seed}, target: ${run.target}`,
    `sla: ${v.sla}, scope: ${v.scope}, window: ${v.window}`,
    `measured: ${v.measured === null ? '-' : `${formatFigure(v.measured, v.unit)} (${v.measured} ${v.unit})`}`,
    `limit: ${relation(v)} ${formatFigure(v.limit, v.unit)} (${v.limit} ${v.unit}), tolerance ${v.tolerance}, allowed ${v.allowed} ${v.unit}`,
    `margin: ${v.margin === null ? '-' : `${formatMargin(v.margin, v.margin_fraction, v.unit)} (${v.margin} ${v.unit})`}`,
    `where: ${v.where}`,
    ...(v.samples !== undefined ? [`samples: ${v.samples} I/Os`] : []),
    ...(v.note !== undefined ? [`note: ${v.note}`] : []),
  ].join('\n');
}

function testcase(v: SlaVerdict, run: RunVerdicts, classname: string): string {
  const open = `    <testcase classname="${xmlText(classname)}" name="${xmlText(junitCaseName(v, run.seed))}" time="0">`;
  if (v.status === 'pass') return `${open}</testcase>`;
  if (v.status === 'skipped')
    return `${open}\n      <error type="NotJudged" message="${xmlText(verdictMessage(v))}">${xmlText(detailText(v, run))}</error>\n    </testcase>`;
  return `${open}\n      <failure type="SlaViolation" message="${xmlText(verdictMessage(v))}">${xmlText(detailText(v, run))}</failure>\n    </testcase>`;
}

function comparisonCase(c: BaselineComparison, classname: string, strict: boolean): string {
  const open = `    <testcase classname="${xmlText(classname)}" name="${xmlText(`${c.sla}: ${c.check} against the baseline [seeds ${c.seeds.join(',') || 'none'}]`)}" time="0">`;
  const failing = c.verdict === 'regression' || (strict && c.verdict === 'inconclusive');
  if (failing)
    return `${open}\n      <failure type="Regression" message="${xmlText(`${c.verdict}: ${comparisonMessage(c)}`)}">${xmlText(JSON.stringify(c, null, 2))}</failure>\n    </testcase>`;
  if (c.verdict === 'skipped')
    return `${open}\n      <error type="NotJudged" message="${xmlText(comparisonMessage(c))}">${xmlText(JSON.stringify(c, null, 2))}</error>\n    </testcase>`;
  return `${open}</testcase>`;
}

export interface JunitContext {
  /** Seconds since the epoch the check ran at (SOURCE_DATE_EPOCH where set). */
  readonly timestamp_s: number;
  readonly hostname: string;
  readonly version: string;
  /** The commit under test, as the CI names it (junitCommit); absent outside a CI that names one. */
  readonly commit?: string;
}

/** CI variables that name the commit under test, first found wins (Anvil's own, GitHub, GitLab, Jenkins, TeamCity). */
export const COMMIT_VARIABLES = ['ANVIL_COMMIT', 'GITHUB_SHA', 'CI_COMMIT_SHA', 'GIT_COMMIT', 'BUILD_VCS_NUMBER'] as const;

/** The commit under test from the environment, or undefined. */
export function junitCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const name of COMMIT_VARIABLES) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * The JUnit XML of a check: one suite per scenario file and stack, its seeds' test cases in it, and with a
 * baseline one case per compared statistic (`strict`: an inconclusive one fails too).
 */
export function junitXml(
  runs: readonly RunVerdicts[],
  ctx: JunitContext,
  compared: readonly StackComparison[] = [],
  strict = false,
): string {
  const suites = new Map<string, RunVerdicts[]>();
  for (const r of runs) {
    const key = junitClassname(r.file, r.stack);
    let s = suites.get(key);
    if (!s) suites.set(key, (s = []));
    s.push(r);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  [...suites].forEach(([classname, group], id) => {
    const all = group.flatMap((r) => r.verdicts);
    const first = group[0]!;
    // The scenario's SLAs, then each pod on its own.
    const suiteCompared = compared.filter((s) => junitClassname(`${s.key}.yaml`, s.stack) === classname);
    const comparisons = suiteCompared.flatMap((s) => s.comparisons);
    const compFailed = comparisons.filter((c) => c.verdict === 'regression' || (strict && c.verdict === 'inconclusive')).length;
    const compNotJudged = comparisons.filter((c) => c.verdict === 'skipped').length;
    const attrs = [
      `name="${xmlText(classname)}"`,
      'package="anvil"',
      `id="${id}"`,
      `hostname="${xmlText(ctx.hostname || 'localhost')}"`,
      `timestamp="${junitTimestamp(ctx.timestamp_s)}"`,
      `tests="${all.length + comparisons.length}"`,
      `failures="${all.filter((v) => v.status === 'fail').length + compFailed}"`,
      `errors="${all.filter((v) => v.status === 'skipped').length + compNotJudged}"`,
      'time="0"',
    ];
    out.push(`  <testsuite ${attrs.join(' ')}>`, '    <properties>');
    const props: [string, string][] = [
      ['scenario', first.scenario],
      ['file', first.file],
      ['stack', first.stack],
      ['target', first.target],
      ['seeds', group.map((r) => r.seed).join(',')],
      ['anvil_version', ctx.version],
      ...(ctx.commit !== undefined ? [['commit', ctx.commit] as [string, string]] : []),
      // What the comparison cases were judged against and at which family-wise error.
      ...(suiteCompared.length > 0
        ? ([
            ['baseline', [...new Set(suiteCompared.map((s) => s.baseline))].join(',')],
            ['alpha', [...new Set(comparisons.map((c) => String(c.alpha)))].join(',')],
            ['strict', String(strict)],
          ] as [string, string][])
        : []),
    ];
    for (const [name, value] of props) out.push(`      <property name="${name}" value="${xmlText(value)}"/>`);
    out.push('    </properties>');
    for (const r of group) for (const v of r.verdicts) out.push(testcase(v, r, classname));
    for (const c of comparisons) out.push(comparisonCase(c, classname, strict));
    out.push('    <system-out/>', '    <system-err/>', '  </testsuite>');
  });
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
