/** Loads a TCO scenario file: YAML, checked against the schema, defaults filled, every problem at once with its path. */
import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { AnvilError } from '../../platform/errors.js';
import { ScenarioSchema, type Scenario } from './scenario-schema.js';

/** Validates scenario YAML text; `file` names it in errors. */
export function parseScenario(text: string, file: string): Scenario {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_TCO_SCENARIO', `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AnvilError('ANVIL_ERR_TCO_SCENARIO', `${file}: a scenario is a YAML mapping with at least name, databases and stacks (see reports/scenarios/reference.yaml)`);
  }
  const withDefaults = Value.Default(ScenarioSchema, Value.Clone(doc));
  const problems = [...Value.Errors(ScenarioSchema, withDefaults)].map((e) => `${file}: ${e.path || '/'}: ${e.message}${e.schema.description ? ` (${e.schema.description})` : ''}`);
  const scenario = withDefaults as Scenario;
  if (problems.length === 0) problems.push(...crossChecks(scenario, file));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new AnvilError('ANVIL_ERR_TCO_SCENARIO', `${file} does not fit the TCO scenario schema (${unique.length} problem${unique.length > 1 ? 's' : ''})`, unique);
  }
  return scenario;
}

/** What the schema cannot say: stack ids unique, an appliance stack present. */
function crossChecks(s: Scenario, file: string): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  s.stacks.forEach((stack, i) => {
    if (seen.has(stack.id)) problems.push(`${file}: /stacks/${i}/id: "${stack.id}" is used by an earlier stack; ids must be unique`);
    seen.add(stack.id);
  });
  if (!s.stacks.some((st) => st.kind === 'appliance')) problems.push(`${file}: /stacks: no stack has kind appliance; savings and break-even are measured for the appliance`);
  return problems;
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `cannot read scenario ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; give the path of a scenario YAML file, e.g. reports/scenarios/reference.yaml`);
  }
  return parseScenario(text, file);
}
