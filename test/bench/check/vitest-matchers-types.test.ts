/**
 * Issue 14, vitest matchers for TypeScript users: a project of its own with anvil and vitest in its
 * node_modules imports `anvil/vitest` by name and gets the types (package.json `exports` names the
 * declarations `npm run build` writes): a good expectation compiles, a limit of the wrong type or a
 * misspelt one does not. Type-checked in process with the TypeScript compiler; nothing runs.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../cli-harness.js';

/** A user's project: package.json, node_modules/anvil (this package) and node_modules/vitest, and `code` as its test. */
function userProject(code: string): string {
  const dir = tempDir('anvil-user-project-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module' }));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(resolve('.'), join(dir, 'node_modules', 'anvil'), 'dir');
  symlinkSync(resolve('node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'), 'dir');
  writeFileSync(join(dir, 'qos.test.ts'), code);
  return join(dir, 'qos.test.ts');
}

/** The type errors of `file`, one line each. */
function typeErrors(file: string): string[] {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file || d.file === undefined)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

const HEADER = `import { expect, it } from 'vitest';
import { anvilMatchers, loadResults, type SlaExpectation } from 'anvil/vitest';
expect.extend(anvilMatchers);
`;

describe('anvil/vitest for TypeScript users', () => {
  it('types toMeetSla, toHoldAgainstBaseline and loadResults for a project that imports them by name', () => {
    const file = userProject(`${HEADER}
const sla: SlaExpectation = { pod: 'db-0', iopsAtLeast: 20000, p99LatencyAtMost: '500us', window: 'interval' };
it('keeps its SLA', async () => {
  expect(await loadResults('out')).toMeetSla(sla);
  expect(await loadResults('out')).not.toMeetSla({ tenant: 'shop', latencyAtMost: { p50: 1000 } });
  expect(await loadResults('out')).toMeetSla({ tier: 'gold', iopsAtLeast: 20000 });
  const baseline = [await loadResults('base/seed-1'), await loadResults('base/seed-2')];
  expect([await loadResults('cur/seed-1'), await loadResults('cur/seed-2')]).toHoldAgainstBaseline(baseline, {
    pod: 'db-0',
    p99LatencyAtMost: '500us',
    regressionTolerance: 0.1,
    strict: true,
  });
});
`);
    expect(typeErrors(file)).toEqual([]);
  });

  it('refuses a limit of the wrong type and a misspelt one', () => {
    const file = userProject(`${HEADER}
it('keeps its SLA', async () => {
  expect(await loadResults('out')).toMeetSla({ pod: 'db-0', iopsAtLeast: '20000' });
  expect(await loadResults('out')).toMeetSla({ pod: 'db-0', iopsAtleast: 20000 });
});
`);
    const errors = typeErrors(file);
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/Type 'string' is not assignable to type 'number'/);
    expect(errors[1]).toMatch(/'iopsAtleast' does not exist in type 'SlaExpectation'/);
  });
});
