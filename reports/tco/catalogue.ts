/**
 * Loads the cost catalogue: every YAML file of a folder (the built-in one is `reports/tco/catalogue/`),
 * validated against the schema with each problem's file and path, merged by figure id. A scenario may
 * override any figure; an override names an existing id.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { AnvilError } from '../../platform/errors.js';
import { packageRoot } from '../../bench/package-root.js';
import { builtInStackCoefficientsPath, loadStackCoefficients } from '../../bench/stack-coefficients.js';
import { CatalogueFileSchema, FigureSchema, type Catalogue, type CatalogueFigure, type Figure } from './catalogue-schema.js';
import { figureDomain, inDomain } from './figure-domains.js';
import { parseLocatedYaml, rangeProblem, schemaProblems } from '../../platform/yaml-problems.js';
import { MODEL_INPUT_FIGURES, REQUIRED_FIGURES, TCO_STACK_COEFFICIENTS, type FigureId } from './figures.js';

export function builtInCatalogueDir(): string {
  return join(packageRoot(), 'reports', 'tco', 'catalogue');
}

/** Problems of a figure's value or range ends outside what the figure can be (a negative cost, a fraction above 1, ...); `at` is the path. */
function domainProblems(id: string, f: Pick<Figure, 'value' | 'range' | 'unit'>, at: (field: 'value' | 'range') => string): string[] {
  if (!(REQUIRED_FIGURES as readonly string[]).includes(id)) return [];
  const d = figureDomain(id as FigureId);
  const problems: string[] = [];
  if (!inDomain(f.value, d)) problems.push(`${at('value')}: ${f.value} is not a possible ${id} (${f.unit}), allowed: ${d.text}`);
  if (f.range && !f.range.every((v) => inDomain(v, d)))
    problems.push(`${at('range')}: [${f.range.join(', ')}] is not a possible range of ${id} (${f.unit}), allowed: both ends ${d.text}`);
  return problems;
}

/** Latency figures decide the model runs: a range on them would need a simulation per Monte Carlo sample. */
function modelInputProblems(figures: ReadonlyMap<string, CatalogueFigure>): string[] {
  return MODEL_INPUT_FIGURES.filter((id) => figures.get(id)?.range).map(
    (id) => `${figures.get(id)!.file}: /${id}/range: this figure decides which model runs are made, so it takes no range`,
  );
}

/** Validates one catalogue file's text; `file` names it in errors. */
export function parseCatalogueFile(text: string, file: string): CatalogueFigure[] {
  const located = parseLocatedYaml(text, file, 'ANVIL_ERR_TCO_CATALOGUE');
  const doc = located.data;
  const withDefaults = Value.Clone(doc ?? {}) as Record<string, unknown>;
  // Defaults go in figure by figure: Value.Default does not descend into a Record's values.
  if (typeof withDefaults === 'object' && !Array.isArray(withDefaults)) {
    for (const [id, f] of Object.entries(withDefaults))
      if (typeof f === 'object' && f !== null) withDefaults[id] = Value.Default(FigureSchema, f);
  }
  const problems = schemaProblems(CatalogueFileSchema, withDefaults, located);
  if (problems.length === 0) {
    for (const [id, f] of Object.entries(withDefaults as Record<string, Figure>)) {
      const problem = rangeProblem(`/${id}/range`, f.value, f.range);
      if (problem) problems.push(`${located.where(`/${id}/range`)}: ${problem}`);
    }
  }
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new AnvilError(
      'ANVIL_ERR_TCO_CATALOGUE',
      `${file} does not fit the cost catalogue schema (${unique.length} problem${unique.length > 1 ? 's' : ''}); each figure needs description, value, unit, source and year`,
      unique,
    );
  }
  return Object.entries(withDefaults as Record<string, Figure>).map(([id, f]) => ({ ...f, id, file, overridden: false }));
}

/** The figures the TCO takes from the stack coefficient file, as catalogue figures of that file. */
function stackCoefficientFigures(coefficientsFile: string): CatalogueFigure[] {
  const diy = loadStackCoefficients(coefficientsFile).diy;
  return TCO_STACK_COEFFICIENTS.map((id) => ({ ...diy[id], id, file: coefficientsFile, overridden: false }));
}

/**
 * Loads and merges every `.yaml` file of `dir` and the DIY figures of the stack coefficient file; a
 * figure defined twice, or a required one missing, is an error.
 */
export function loadCatalogue(dir = builtInCatalogueDir(), coefficientsFile = builtInStackCoefficientsPath()): Catalogue {
  const figures = new Map<string, CatalogueFigure>();
  const problems: string[] = [];
  for (const figure of stackCoefficientFigures(coefficientsFile)) figures.set(figure.id, figure);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  for (const name of files) {
    const file = join(dir, name);
    for (const figure of parseCatalogueFile(readFileSync(file, 'utf8'), file)) {
      const earlier = figures.get(figure.id);
      if (earlier) problems.push(`${file}: /${figure.id}: already defined in ${earlier.file}`);
      else figures.set(figure.id, figure);
    }
  }
  for (const id of REQUIRED_FIGURES) if (!figures.has(id)) problems.push(`${dir}: figure ${id} is missing`);
  for (const [id, f] of figures) problems.push(...domainProblems(id, f, (field) => `${f.file}: /${id}/${field}`));
  problems.push(...modelInputProblems(figures));
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_TCO_CATALOGUE', `the cost catalogue in ${dir} has ${problems.length} problem(s)`, problems);
  return figures;
}

/** An override as a scenario writes it: a bare number (keeps the catalogue's range only if it holds it) or a partial figure. */
export type FigureOverride = number | { value: number; range?: [number, number]; source?: string; year?: number };

/** The catalogue with a scenario's overrides applied; an unknown id or a value outside its range is an error naming the scenario path. */
export function applyOverrides(
  catalogue: Catalogue,
  overrides: Readonly<Record<string, FigureOverride>>,
  scenarioFile: string,
  /** `FILE:LINE` of a path in the scenario, when known. */
  where: (path: string) => string = () => scenarioFile,
): Catalogue {
  const out = new Map(catalogue);
  const problems: string[] = [];
  for (const [id, o] of Object.entries(overrides)) {
    const at = (sub: string) => `${where(`/overrides/${id}${sub}`)}: /overrides/${id}${sub}`;
    const base = catalogue.get(id);
    if (!base) {
      problems.push(`${at('')}: no catalogue figure has this id`);
      continue;
    }
    const given = typeof o === 'number' ? { value: o } : o;
    const outside = domainProblems(id, { value: given.value, unit: base.unit, ...(given.range ? { range: given.range } : {}) }, (field) =>
      at(typeof o === 'number' ? '' : `/${field}`),
    );
    if (outside.length > 0) {
      problems.push(...outside);
      continue;
    }
    let range = given.range ?? base.range;
    // A bare value outside the catalogue's range drops the range: the customer's figure is a point.
    if (!given.range && range && (given.value < range[0] || given.value > range[1])) range = undefined;
    const next: CatalogueFigure = {
      ...base,
      value: given.value,
      source: given.source ?? `scenario ${scenarioFile} (customer figure)`,
      year: given.year ?? base.year,
      judgement: given.source === undefined ? false : base.judgement,
      file: scenarioFile,
      overridden: true,
      ...(range ? { range } : {}),
    };
    if (!range) delete (next as { range?: unknown }).range;
    if (next.range && (MODEL_INPUT_FIGURES as readonly string[]).includes(id))
      problems.push(`${at('')}: decides which model runs are made, so it takes a single value, not a range`);
    const bad = rangeProblem(`/overrides/${id}/range`, next.value, next.range);
    if (bad) problems.push(`${where(`/overrides/${id}/range`)}: ${bad}`);
    out.set(id, next);
  }
  if (problems.length > 0)
    throw new AnvilError('ANVIL_ERR_TCO_SCENARIO', `${scenarioFile}: ${problems.length} override problem(s)`, problems);
  return out;
}
