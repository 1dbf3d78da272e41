/**
 * The stack coefficient file (`sim/stacks/stack-coefficients.yaml`, or a copy given by path): read once,
 * checked against its schema with every problem's file, line and path, and handed typed to the TCO and
 * the cluster model, so both compute with the same figures.
 */
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { AnvilError } from '../platform/errors.js';
import { readYamlText } from '../platform/yaml-input.js';
import { parseLocatedYaml, rangeProblem, schemaProblems, type LocatedYaml } from '../platform/yaml-problems.js';
import { StackCoefficientsFileSchema, type Coefficient, type StackCoefficients } from '../sim/stacks/coefficient-schema.js';
import { packageRoot } from './package-root.js';

/** The built-in coefficient file. */
export function builtInStackCoefficientsPath(): string {
  return join(packageRoot(), 'sim', 'stacks', 'stack-coefficients.yaml');
}

/** Every coefficient of a file with its section and id, in file order. */
export function coefficientEntries(c: StackCoefficients): { section: 'fabric' | 'hci' | 'diy'; id: string; coefficient: Coefficient }[] {
  return (['fabric', 'hci', 'diy'] as const).flatMap((section) =>
    Object.entries(c[section] as Record<string, Coefficient>).map(([id, coefficient]) => ({ section, id, coefficient })),
  );
}

/** What the schema cannot say: a range holds its value. */
function rangeProblems(c: StackCoefficients, located: LocatedYaml): string[] {
  return coefficientEntries(c).flatMap(({ section, id, coefficient }) => {
    const path = `/${section}/${id}/range`;
    const problem = rangeProblem(path, coefficient.value, coefficient.range);
    return problem ? [`${located.where(path)}: ${problem}`] : [];
  });
}

/** Validates coefficient YAML text; `file` names it in errors. */
export function parseStackCoefficients(text: string, file: string): StackCoefficients {
  const located = parseLocatedYaml(text, file, 'ANVIL_ERR_STACK_COEFFICIENTS');
  const doc = located.data;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AnvilError(
      'ANVIL_ERR_STACK_COEFFICIENTS',
      `${file}: a stack coefficient file is a YAML mapping with kind: StackCoefficients and the sections fabric, hci and diy (see ${builtInStackCoefficientsPath()})`,
    );
  }
  const withDefaults = Value.Default(StackCoefficientsFileSchema, Value.Clone(doc)) as Record<string, unknown>;
  const problems = schemaProblems(StackCoefficientsFileSchema, withDefaults, located);
  if (problems.length === 0) problems.push(...rangeProblems(withDefaults as StackCoefficients, located));
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new AnvilError(
      'ANVIL_ERR_STACK_COEFFICIENTS',
      `${file} does not fit the stack coefficient schema (${unique.length} problem${unique.length > 1 ? 's' : ''}); each entry needs description, value, unit (the one shown), source and year`,
      unique,
    );
  }
  return withDefaults as StackCoefficients;
}

/** Loads a coefficient file (the built-in one unless a path is given). */
export function loadStackCoefficients(file = builtInStackCoefficientsPath()): StackCoefficients {
  const text = readYamlText(file, 'the stack coefficient file', `the built-in one is ${builtInStackCoefficientsPath()}`);
  return parseStackCoefficients(text, file);
}
