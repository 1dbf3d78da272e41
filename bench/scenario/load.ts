/**
 * Loads a cluster scenario: YAML checked against the schema (defaults filled), then its names, times and
 * embedded fio jobs, every problem at once as `FILE:LINE: /path: message`. A TCO scenario given here is
 * refused with the command that reads it. Node profiles and Kubernetes manifests are checked by the
 * control plane's own readers (`anvil scenario validate` calls them); this module only finds the files.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AnvilError } from '../../platform/errors.js';
import { readYamlText } from '../../platform/yaml-input.js';
import { parseLocatedYaml, schemaProblems, type LocatedYaml } from '../../platform/yaml-problems.js';
import { parseBitRate, parseByteRate, parseQuantity, parseSize } from '../../sim/core/units.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { loadWorkloads } from '../workloads/resolve.js';
import { scenarioSnapshots, type ScenarioSnapshot } from './snapshot-events.js';
import { Problems, checkReferences, checkTimes, durationNs, resolveRef, workloadPairs, type Catalog } from './cross-checks.js';
import { besideScenario, expandNodes, isProfilePath, type ManifestText, type ScenarioNode } from './references.js';
import {
  ClusterScenarioWithNodeGroupSchema,
  ClusterScenarioWithNodeListSchema,
  type ClusterScenarioSpec,
  type FaultEvent,
  type SlaSpec,
  type StackName,
} from './schema.js';

/** The kind line of each scenario file, so either loader can tell the other's files. */
export const CLUSTER_SCENARIO_KIND = 'ClusterScenario';
export const TCO_SCENARIO_KIND = 'TcoScenario';

export interface ScenarioWorkload {
  /** `TENANT/NAME` of the pod that runs it. */
  readonly pod: string;
  /** `TENANT/NAME` of the volume it does its I/O on. */
  readonly volume: string;
  /** The job file's jobs, as `anvil run` resolves them (the volume's size stands for the device's). */
  readonly specs: readonly WorkloadSpec[];
  /** YAML path of the entry. */
  readonly path: string;
}

export interface ScenarioFlow {
  readonly from: string;
  readonly to: string;
  /** Offered bits per second, or 'saturate'. */
  readonly rate_bits_per_s: number | 'saturate';
  readonly message_bytes: number;
  readonly network?: string;
}

export interface ScenarioFault {
  readonly at_ns: number;
  readonly event: FaultEvent;
  readonly node: string;
  readonly drive?: number;
  readonly port?: string;
}

export interface ScenarioSla extends SlaSpec {
  readonly min_bandwidth_bytes_per_s?: number;
  /** Latency limits by percentile (99, 99.9), ns. */
  readonly max_latency_ns?: Readonly<Record<string, number>>;
  readonly max_outage_ns?: number;
  /** The time it is judged over, ns from the start of the run (`from`: default the end of the warm-up; `until`: the end). */
  readonly from_ns?: number;
  readonly until_ns?: number;
}

/** A scenario read and checked, with its times, rates and names resolved. */
export interface LoadedClusterScenario {
  readonly file: string;
  /** The file's content with defaults filled. */
  readonly spec: ClusterScenarioSpec;
  readonly stacks: readonly StackName[];
  readonly seed: number;
  readonly duration_ns: number;
  readonly warmup_ns: number;
  readonly interval_ns: number;
  /** The stack coefficient file it names, resolved against its folder; undefined for the built-in one. */
  readonly coefficientsFile?: string;
  readonly nodes: readonly ScenarioNode[];
  /** Kubernetes YAML to hand to the control plane's manifest import (lines as in their files). */
  readonly manifests: readonly ManifestText[];
  /** Every pod and volume, inline and from manifests, by `TENANT/NAME`. */
  readonly catalog: Catalog;
  readonly workloads: readonly ScenarioWorkload[];
  readonly flows: readonly ScenarioFlow[];
  /** In time order. */
  readonly faults: readonly ScenarioFault[];
  /** Snapshots the control plane takes during the run, in time order (snapshot-events.ts). */
  readonly snapshots: readonly ScenarioSnapshot[];
  readonly slas: readonly ScenarioSla[];
  /** `note: ...` lines: job options the model ignores and the like. */
  readonly notes: readonly string[];
}

/** Text from `path` of the file whose lines keep the file's numbers (blank lines stand for what comes before). */
function textAtItsLines(located: LocatedYaml, path: string, text: string): string {
  const line = located.textLine(path) ?? 1;
  return '\n'.repeat(Math.max(0, line - 1)) + text;
}

function manifestTexts(spec: ClusterScenarioSpec, file: string, located: LocatedYaml, p: Problems): ManifestText[] {
  const out: ManifestText[] = [];
  spec.manifests.forEach((m, i) => {
    const path = `/manifests/${i}`;
    if ((m.file === undefined) === (m.documents === undefined)) {
      p.at(path, 'a manifest entry gives either file (a Kubernetes YAML file) or documents (the YAML inline), one of the two');
      return;
    }
    if (m.documents !== undefined) {
      out.push({ tenant: m.tenant, file, text: textAtItsLines(located, `${path}/documents`, m.documents), path });
      return;
    }
    const manifestFile = besideScenario(file, m.file!);
    try {
      out.push({ tenant: m.tenant, file: manifestFile, text: readFileSync(manifestFile, 'utf8'), path });
    } catch (e) {
      p.at(
        `${path}/file`,
        `cannot read ${manifestFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; the path is relative to the scenario's folder`,
      );
    }
  });
  return out;
}

/** The fio jobs of every workload, read by the job-file reader with their lines in the scenario. */
function workloadSpecs(
  spec: ClusterScenarioSpec,
  file: string,
  located: LocatedYaml,
  catalog: Catalog,
  p: Problems,
  notes: string[],
): ScenarioWorkload[] {
  const out: ScenarioWorkload[] = [];
  const pairs = workloadPairs(spec, catalog.pods, new Problems(located));
  spec.workloads.forEach((w, i) => {
    const path = `/workloads/${i}`;
    const jobPath = `${path}/job`;
    const mine = pairs.filter((pair) => pair.index === i);
    // A job file's size=N% needs the device's size: the smallest volume it runs on stands for it.
    const sizes = mine
      .map((pair) => spec.volumes.find((v) => `${v.tenant}/${v.name}` === pair.volume))
      .filter((v) => v !== undefined)
      .map((v) => Math.ceil(parseQuantity(v.size)!));
    const capacity = sizes.length > 0 ? Math.min(...sizes) : undefined;
    // The job file's `FILE:LINE: ` becomes `FILE:LINE: /workloads/N/job: `, so the YAML path is named too.
    // A problem of the whole job file (no line) is placed at the job's own line.
    const prefixed = (line: string) =>
      line.startsWith(`${file}: `)
        ? `${located.where(jobPath)}: ${jobPath}: ${line.slice(file.length + 2)}`
        : line.replace(new RegExp(`^(${escapeRegExp(file)}:\\d+): `), `$1: ${jobPath}: `);
    try {
      const loaded = loadWorkloads(textAtItsLines(located, jobPath, w.job), file, capacity, {});
      notes.push(...loaded.notes.map((n) => (n.startsWith(`note: ${file}`) ? `note: ${prefixed(n.slice('note: '.length))}` : n)));
      for (const pair of mine) out.push({ pod: pair.pod, volume: pair.volume, specs: loaded.specs, path });
    } catch (e) {
      if (!(e instanceof AnvilError)) throw e;
      p.list.push(
        ...(e.details.length > 0 ? e.details : [e.message]).map((d) =>
          d.startsWith(file) ? prefixed(d) : `${located.where(jobPath)}: ${jobPath}: ${d}`,
        ),
      );
    }
  });
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function scenarioError(file: string, problems: readonly string[]): AnvilError {
  const unique = [...new Set(problems)];
  return new AnvilError(
    'ANVIL_ERR_CLUSTER_SCENARIO',
    `${file} is not a valid cluster scenario (${unique.length} problem${unique.length > 1 ? 's' : ''}); see bench/scenarios/ for examples and anvil scenario validate --help`,
    unique,
  );
}

/** Validates cluster scenario YAML text; `file` names it in errors and anchors its relative paths. */
export function parseClusterScenario(text: string, file: string): LoadedClusterScenario {
  const located = parseLocatedYaml(text, file, 'ANVIL_ERR_CLUSTER_SCENARIO');
  const doc = located.data;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AnvilError(
      'ANVIL_ERR_CLUSTER_SCENARIO',
      `${file}: a cluster scenario is a YAML mapping that starts with kind: ${CLUSTER_SCENARIO_KIND} (see bench/scenarios/)`,
    );
  }
  const record = doc as Record<string, unknown>;
  if (record.kind === TCO_SCENARIO_KIND || (record.kind === undefined && 'databases' in record && 'stacks' in record)) {
    throw new AnvilError(
      'ANVIL_ERR_SCENARIO_KIND',
      `${file} is a TCO scenario (kind: ${TCO_SCENARIO_KIND}: stacks sized and priced), not a cluster scenario; make its report with: anvil tco ${file}. A cluster scenario says kind: ${CLUSTER_SCENARIO_KIND} (examples in bench/scenarios/)`,
    );
  }
  const schema: TSchema = Array.isArray(record.nodes) ? ClusterScenarioWithNodeListSchema : ClusterScenarioWithNodeGroupSchema;
  const withDefaults = Value.Default(schema, Value.Clone(doc));
  const schemaOnly = schemaProblems(schema, withDefaults, located);
  if (schemaOnly.length > 0) throw scenarioError(file, schemaOnly);

  const spec = withDefaults as ClusterScenarioSpec;
  const p = new Problems(located);
  const notes: string[] = [];
  const nodes = expandNodes(spec, file);
  for (const n of nodes) {
    if (isProfilePath(n.profile) && !existsSync(n.profile))
      p.at(
        `${n.path}/profile`,
        `no node profile file ${n.profile}; give a built-in name (appliance-d10) or a path relative to the scenario, e.g. one written by anvil host inspect --out FILE`,
      );
  }
  const manifests = manifestTexts(spec, file, located, p);
  const catalog = checkReferences(spec, nodes, manifests, p);
  checkTimes(spec, nodes, p);
  const snapshots = scenarioSnapshots(spec, catalog, p);
  const workloads = workloadSpecs(spec, file, located, catalog, p, notes);
  const coefficientsFile = spec.coefficients === undefined ? undefined : besideScenario(file, spec.coefficients);
  if (coefficientsFile !== undefined && !existsSync(coefficientsFile))
    p.at('/coefficients', `no file ${coefficientsFile}; the path is relative to the scenario's folder`);
  if (p.list.length > 0) throw scenarioError(file, p.list);

  const silent = new Problems(located);
  const ref = (r: string) => resolveRef(r, catalog.pods, 'pod', '', silent)!;
  return {
    file,
    spec,
    stacks: typeof spec.stack === 'string' ? [spec.stack] : spec.stack,
    seed: spec.seed,
    duration_ns: durationNs(spec.duration),
    warmup_ns: durationNs(spec.warmup),
    interval_ns: durationNs(spec.interval),
    ...(coefficientsFile !== undefined ? { coefficientsFile } : {}),
    nodes,
    manifests,
    catalog,
    workloads,
    flows: spec.flows.map((f) => ({
      from: ref(f.from),
      to: ref(f.to),
      rate_bits_per_s: f.rate === 'saturate' ? 'saturate' : parseBitRate(f.rate)!,
      message_bytes: parseSize(f.message_size)!,
      ...(f.network !== undefined ? { network: f.network } : {}),
    })),
    faults: spec.faults
      .map((f) => ({
        at_ns: durationNs(f.at),
        event: f.event,
        node: f.node,
        ...(f.drive !== undefined ? { drive: f.drive } : {}),
        ...(f.port !== undefined ? { port: f.port } : {}),
      }))
      .sort((a, b) => a.at_ns - b.at_ns),
    snapshots,
    slas: spec.slas.map((x) => ({
      ...x,
      ...(x.min_bandwidth !== undefined ? { min_bandwidth_bytes_per_s: parseByteRate(x.min_bandwidth)! } : {}),
      ...(x.max_latency !== undefined
        ? { max_latency_ns: Object.fromEntries(Object.entries(x.max_latency).map(([k, v]) => [k.slice(1), durationNs(v)])) }
        : {}),
      ...(x.max_outage !== undefined ? { max_outage_ns: durationNs(x.max_outage) } : {}),
      ...(x.from !== undefined ? { from_ns: durationNs(x.from) } : {}),
      ...(x.until !== undefined ? { until_ns: durationNs(x.until) } : {}),
    })),
    notes,
  };
}

export function loadClusterScenario(file: string): LoadedClusterScenario {
  const text = readYamlText(file, 'scenario', 'give the path of a cluster scenario YAML file, e.g. bench/scenarios/noisy-neighbour.yaml');
  return parseClusterScenario(text, file);
}
