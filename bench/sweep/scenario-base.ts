/**
 * A cluster scenario (`kind: ClusterScenario`) as a sweep's base: axes set scenario fields by dotted path
 * (`duration`, `nodes.count`, `perf_tiers.0.limit_iops`, `workloads.1.job`) or fio options inside its
 * workloads' jobs (`job.iodepth`, `workloads.1.job.bs`, `workloads.orders-db.iodepth`: workload-options.ts), each value checked against
 * the scenario schema when the sweep is read, so a bad value is named by its axis and field before any
 * point runs. A point's scenario is the base with its values and seed set and every file the base names
 * by a relative path (node profiles, manifests, the coefficient file) made absolute against the base's
 * folder: the copy in a point's folder runs the same wherever it lies.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { parseYamlFile } from '../../platform/yaml-input.js';
import { AnvilError } from '../../platform/errors.js';
import { parseLocatedYaml, schemaProblems } from '../../platform/yaml-problems.js';
import { isProfilePath } from '../scenario/references.js';
import { ClusterScenarioWithNodeGroupSchema, ClusterScenarioWithNodeListSchema } from '../scenario/schema.js';
import {
  jobOptionField,
  jobOptionProblems,
  selectedWorkloads,
  setJobOption,
  type JobOptionField,
  type WorkloadEntry,
} from './workload-options.js';

/** The scenario's name in a point's folder, as the point's results name it. */
export const POINT_SCENARIO_FILE = 'scenario.yaml';

/** A scenario sweep's base. */
export interface ScenarioBase {
  /** The base scenario file, as the sweep names it (resolved against the sweep's folder). */
  readonly file: string;
  readonly text: string;
  /** The scenario's own seed: a scenario sweep's seeds when the sweep gives none. */
  readonly seed: number;
}

/** A cluster scenario's text says `kind: ClusterScenario` at the top level (as anvil run tells one). */
export function isScenarioText(text: string): boolean {
  return /^kind:[ \t]*["']?ClusterScenario["']?[ \t]*(#.*)?$/m.test(text);
}

/** A field's dotted path as YAML keys: numbers index lists (`pods.0.cpu`). */
export function fieldPath(field: string): (string | number)[] {
  return field.split('.').map((k) => (/^[0-9]+$/.test(k) ? Number(k) : k));
}

/** A scenario's YAML as a document to edit, read by the one YAML reader (its bounds on aliases and integers). */
function editable(text: string, file: string): Document {
  return parseYamlFile(text, file, 'ANVIL_ERR_SWEEP').doc;
}

function parsed(base: ScenarioBase): Document {
  return editable(base.text, base.file);
}

/** Reads a scenario base: its text and seed. */
export function scenarioBase(file: string, text: string): ScenarioBase {
  const seed: unknown = (parsed({ file, text, seed: 1 }).toJS() as { seed?: unknown } | null)?.seed;
  return { file, text, seed: typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 ? seed : 1 };
}

/**
 * Problems of one field axis over `base`: the field's parent missing from the scenario, or a value the
 * scenario schema refuses, each as `axis NAME: field FIELD = VALUE: problem` (checked one value at a time).
 */
export function fieldAxisProblems(base: ScenarioBase, name: string, field: string, values: readonly (string | number)[]): string[] {
  const jobOption = jobOptionField(field);
  if (jobOption) return jobOptionProblems(workloadsOf(parsed(base)), name, field, jobOption, values);
  const path = fieldPath(field);
  const problems: string[] = [];
  const parent = path.slice(0, -1);
  if (parent.length > 0) {
    const holder: unknown = parsed(base).getIn(parent);
    if (!isMap(holder) && !isSeq(holder))
      return [
        `axis ${name}: field ${field}: the scenario ${base.file} has no ${parent.join('.')} to set it in; name a field it has, e.g. duration, nodes.count, pods.0.cpu`,
      ];
  }
  for (const value of new Set(values)) {
    const text = setFields(base.text, [[path, value]], base.file);
    const located = parseLocatedYaml(text, base.file, 'ANVIL_ERR_SWEEP');
    const doc = located.data as Record<string, unknown>;
    const schema: TSchema = Array.isArray(doc.nodes) ? ClusterScenarioWithNodeListSchema : ClusterScenarioWithNodeGroupSchema;
    const found = schemaProblems(schema, Value.Default(schema, Value.Clone(doc)), located);
    // Only what this field's value breaks: the base's own problems are the scenario's, said when it runs.
    const mine = found.filter((p) => p.includes(`: /${path.join('/')}`));
    problems.push(...mine.map((p) => `axis ${name}: field ${field} = ${JSON.stringify(value)}: ${p.replace(/^[^ ]*: /, '')}`));
  }
  return problems;
}

/** The scenario's workloads as plain data (none when it has no list of them). */
function workloadsOf(doc: Document): WorkloadEntry[] {
  const workloads: unknown = (doc.toJS() as { workloads?: unknown } | null)?.workloads;
  return Array.isArray(workloads) ? (workloads as WorkloadEntry[]) : [];
}

/** Sets `option` to `value` in the jobs of the workloads `target` selects, each job's block kept as it is written. */
function setWorkloadOption(doc: Document, target: JobOptionField, value: string | number): void {
  for (const i of selectedWorkloads(workloadsOf(doc), target.workloads)) {
    const node: unknown = doc.getIn(['workloads', i, 'job'], true);
    if (!isScalar(node) || typeof node.value !== 'string') continue;
    node.value = setJobOption(node.value, target.option, value, `workloads.${i}.job`);
  }
}

/** `text` with each [path, value] set, comments kept. */
function setFields(text: string, fields: readonly (readonly [(string | number)[], unknown])[], file: string): string {
  const doc = editable(text, file);
  for (const [path, value] of fields) {
    try {
      doc.setIn(path, value);
    } catch (e) {
      throw new AnvilError(
        'ANVIL_ERR_SWEEP',
        `scenario field ${path.join('.')} cannot be set: ${(e as Error).message}; name a field of the scenario`,
      );
    }
  }
  return doc.toString();
}

/** Rewrites each file path `doc` names (node profiles, manifests, coefficients) that `isFile` takes by `to(absolute path)`. */
function rewritePaths(doc: Document, base: ScenarioBase, to: (absolute: string) => string): void {
  const rewrite = (path: (string | number)[], isFile: (p: string) => boolean) => {
    const value: unknown = doc.getIn(path);
    if (typeof value !== 'string' || !isFile(value)) return;
    const absolute = isAbsolute(value) ? value : resolve(dirname(base.file), value);
    const next = to(absolute);
    if (next !== value) doc.setIn(path, next);
  };
  const always = () => true;
  const nodes: unknown = doc.get('nodes');
  if (isSeq(nodes)) nodes.items.forEach((_, i) => rewrite(['nodes', i, 'profile'], isProfilePath));
  else if (isMap(nodes)) rewrite(['nodes', 'profile'], isProfilePath);
  const manifests: unknown = doc.get('manifests');
  if (isSeq(manifests)) manifests.items.forEach((_, i) => rewrite(['manifests', i, 'file'], always));
  rewrite(['coefficients'], always);
}

/** The scenario of a point: the base with `fields` and `seed` set, relative file paths made absolute. */
export function pointScenarioText(base: ScenarioBase, fields: readonly (readonly [string, string | number])[], seed: number): string {
  const plain = fields.filter(([f]) => jobOptionField(f) === undefined);
  const doc = editable(
    setFields(base.text, [...plain.map(([f, v]) => [fieldPath(f), v] as const), [['seed'], seed]], base.file),
    base.file,
  );
  for (const [f, v] of fields) {
    const target = jobOptionField(f);
    if (target) setWorkloadOption(doc, target, v);
  }
  rewritePaths(doc, base, (absolute) => absolute);
  return doc.toString();
}

/**
 * The base scenario with nothing outside it, for a ConfigMap: every file it names by path given a flat name
 * (`input-N-NAME`) beside it, with that file's text. Paths the base gives absolutely are taken in too.
 */
export function selfContainedScenario(base: ScenarioBase): { text: string; files: Record<string, string> } {
  const doc = parsed(base);
  const names = new Map<string, string>();
  const files: Record<string, string> = {};
  rewritePaths(doc, base, (absolute) => {
    let name = names.get(absolute);
    if (name === undefined) {
      name = `input-${names.size}-${basename(absolute).replace(/[^-._a-zA-Z0-9]/g, '_')}`;
      names.set(absolute, name);
      try {
        files[name] = readFileSync(absolute, 'utf8');
      } catch (e) {
        throw new AnvilError(
          'ANVIL_ERR_SWEEP',
          `${base.file} names ${absolute}, which cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); the path is relative to the scenario's folder`,
        );
      }
    }
    return name;
  });
  return { text: doc.toString(), files };
}
