/**
 * The import rules of ARCHITECTURE.md hold: dependency-cruiser, configured in .dependency-cruiser.cjs, finds
 * no import that breaks them and no cycle in the TypeScript sources (type-only imports included). A probe
 * tree of deliberate violations shows the rules bite, and every rule is named in ARCHITECTURE.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './cli-harness.js';

const CONFIG = resolve('.dependency-cruiser.cjs');
const require = createRequire(import.meta.url);
// Its CLI, as `npx depcruise` runs it (the package exports no path to its bin).
const CRUISER = resolve('node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const SOURCES = ['sim', 'bench', 'platform', 'reports'];

interface Violation {
  readonly from: string;
  readonly to: string;
  readonly rule: { readonly name: string };
  readonly cycle?: readonly ({ readonly name: string } | string)[];
}

/** dependency-cruiser on `folders` of `cwd` with the repository's rules: the violations it reports. */
function cruise(cwd: string, folders: readonly string[]): Violation[] {
  const r = spawnSync(process.execPath, [CRUISER, '--config', CONFIG, '--output-type', 'json', ...folders], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.stdout === '') throw new Error(`dependency-cruiser wrote nothing (exit ${r.status}): ${r.stderr}`);
  const result = JSON.parse(r.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  // An empty cruise would pass every rule: the sources must have been read.
  expect(result.summary.totalCruised).toBeGreaterThan(folders.length);
  return result.summary.violations;
}

function describeViolation(v: Violation): string {
  const cycle = v.cycle ? ` (cycle: ${v.cycle.map((c) => (typeof c === 'string' ? c : c.name)).join(' -> ')})` : '';
  return `${v.rule.name}: ${v.from} -> ${v.to}${cycle}`;
}

describe('the architecture (ARCHITECTURE.md)', () => {
  it('holds in the sources: no import against the rules, no import cycle', () => {
    const violations = cruise(process.cwd(), SOURCES).map(describeViolation);
    expect(violations, violations.join('\n')).toEqual([]);
  });

  it('is checked by rules that catch a breach: a probe tree with one of each is refused', () => {
    const dir = tempDir('anvil-arch-');
    const files: Record<string, string> = {
      'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }),
      'platform/errors.ts': 'export class AnvilError extends Error {}\n',
      // The model reaching out of sim/, even to the ground floor.
      'sim/core/clock.ts': "import { AnvilError } from '../../platform/errors.js';\nexport const E = AnvilError;\n",
      // A plugin importing the server that registers it (cycle (a) of issue 12), through a type only.
      'platform/api/server.ts':
        "import { plugin } from './plugins/p.js';\nexport interface Api { n: number }\nexport const server = plugin;\n",
      'platform/api/plugins/p.ts': "import type { Api } from '../server.js';\nexport const plugin = (api: Api) => api.n;\n",
      // A report importing a command of the CLI (the tco command once lived in reports/).
      'platform/cli/arguments.ts': 'export const seed = 1;\n',
      'reports/tco/command.ts': "import { seed } from '../../platform/cli/arguments.js';\nexport const s = seed;\n",
      // Results that know which target ran.
      'bench/targets/sim.ts': 'export const target = "sim";\n',
      'bench/results/writer.ts': "import { target } from '../targets/sim.js';\nexport const t = target;\n",
      // An SLA judged knowing which target ran.
      'bench/check/judge.ts': "import { target } from '../targets/sim.js';\nexport const j = target;\n",
      // The platform on the model reaching into the API, and bench reaching up into it.
      'platform/cluster/run.ts': "import { server } from '../api/server.js';\nexport const r = server;\n",
      'bench/scenario/use.ts': "import { r } from '../../platform/cluster/run.js';\nexport const u = r;\n",
    };
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const found = cruise(dir, SOURCES).map(describeViolation).sort();
    expect(found).toEqual(
      [
        'no-circular: platform/api/plugins/p.ts -> platform/api/server.ts (cycle: platform/api/server.ts -> platform/api/plugins/p.ts)',
        'nothing-imports-the-cli: reports/tco/command.ts -> platform/cli/arguments.ts',
        'reports-not-control-plane: reports/tco/command.ts -> platform/cli/arguments.ts',
        'results-know-no-target: bench/results/writer.ts -> bench/targets/sim.ts',
        'checks-know-no-target: bench/check/judge.ts -> bench/targets/sim.ts',
        'cluster-uses-the-control-plane-and-the-model: platform/cluster/run.ts -> platform/api/server.ts',
        'bench-below-platform-and-reports: bench/scenario/use.ts -> platform/cluster/run.ts',
        'only-the-cli-imports-cluster: bench/scenario/use.ts -> platform/cluster/run.ts',
        'sim-imports-only-sim: sim/core/clock.ts -> platform/errors.ts',
      ].sort(),
    );
  });

  it('names every rule it checks in ARCHITECTURE.md', () => {
    const rules = (require(CONFIG) as { forbidden: { name: string }[] }).forbidden.map((r) => r.name);
    const doc = readFileSync('ARCHITECTURE.md', 'utf8');
    expect(rules.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});
