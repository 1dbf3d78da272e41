/** Loads a TCO scenario file: YAML, checked against the schema, defaults filled, every problem at once with its path. */
import { Value } from '@sinclair/typebox/value';
import { AnvilError } from '../../platform/errors.js';
import { readYamlText } from '../../platform/yaml-input.js';
import { ScenarioSchema, type Scenario } from './scenario-schema.js';
import { parseLocatedYaml, schemaProblems, type LocatedYaml } from '../../platform/yaml-problems.js';

/** Validates scenario YAML text; `file` names it in errors. */
export function parseScenario(text: string, file: string): Scenario {
  const located = parseLocatedYaml(text, file, 'ANVIL_ERR_TCO_SCENARIO');
  const doc = located.data;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AnvilError(
      'ANVIL_ERR_TCO_SCENARIO',
      `${file}: a scenario is a YAML mapping with at least name, databases and stacks (see reports/scenarios/reference.yaml)`,
    );
  }
  if ((doc as { kind?: unknown }).kind === 'ClusterScenario') {
    throw new AnvilError(
      'ANVIL_ERR_SCENARIO_KIND',
      `${file} is a cluster scenario (kind: ClusterScenario: a cluster and its workloads for the model), not a TCO scenario; check it with: anvil scenario validate ${file}. A TCO scenario says kind: TcoScenario (see reports/scenarios/reference.yaml)`,
    );
  }
  const withDefaults = Value.Default(ScenarioSchema, Value.Clone(doc));
  const problems = schemaProblems(ScenarioSchema, withDefaults, located);
  const scenario = withDefaults as Scenario;
  if (problems.length === 0) problems.push(...crossChecks(scenario, located));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new AnvilError(
      'ANVIL_ERR_TCO_SCENARIO',
      `${file} does not fit the TCO scenario schema (${unique.length} problem${unique.length > 1 ? 's' : ''})`,
      unique,
    );
  }
  scenarioLocations.set(scenario, located);
  return scenario;
}

/** Where each parsed scenario came from, so later checks (overrides) can name the line too. */
const scenarioLocations = new WeakMap<Scenario, LocatedYaml>();

/** `FILE:LINE` of a path in the scenario's file, or `fallback` for a scenario not parsed from a file. */
export function scenarioWhere(s: Scenario, path: string, fallback: string): string {
  return scenarioLocations.get(s)?.where(path) ?? fallback;
}

/** Is `text` a real calendar date written YYYY-MM-DD (not 2026-02-30)? */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** What the schema cannot say: stack ids unique, an appliance stack present, the report's date a real day. */
function crossChecks(s: Scenario, located: LocatedYaml): string[] {
  const problems: string[] = [];
  if (s.report.date !== undefined && !isCalendarDate(s.report.date))
    problems.push(`${located.where('/report/date')}: /report/date: "${s.report.date}" is not a date; write a real day as YYYY-MM-DD`);
  const seen = new Set<string>();
  s.stacks.forEach((stack, i) => {
    if (seen.has(stack.id))
      problems.push(`${located.where(`/stacks/${i}/id`)}: /stacks/${i}/id: "${stack.id}" is used by an earlier stack; ids must be unique`);
    seen.add(stack.id);
  });
  if (!s.stacks.some((st) => st.kind === 'appliance'))
    problems.push(
      `${located.where('/stacks')}: /stacks: no stack has kind appliance; savings and break-even are measured for the appliance`,
    );
  return problems;
}

export function loadScenario(file: string): Scenario {
  const text = readYamlText(file, 'scenario', 'give the path of a scenario YAML file, e.g. reports/scenarios/reference.yaml');
  return parseScenario(text, file);
}
