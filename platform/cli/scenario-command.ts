/**
 * `anvil scenario validate FILE...`: checks cluster scenarios (`kind: ClusterScenario`, see bench/scenarios/)
 * without running them: the schema, names and times (bench/scenario), then what only the control plane's
 * readers can say: every node profile (as `anvil cluster create --node-profile` reads it), fault drives and
 * ports against those profiles, the Kubernetes manifests (as `anvil apply` plans them) and the stack
 * coefficient file a scenario names. Prints `FILE: ok: ...` with a summary per good file; every problem of
 * every bad file goes into one error (exit 1). It lives in the CLI, the floor that may import both bench
 * and the control plane.
 */
import type { Command } from 'commander';
import { ClusterScenarioWithNodeListSchema } from '../../bench/scenario/schema.js';
import { schemaFieldsHelp } from '../../reports/tco/scenario-help.js';
import { AnvilError, isAnvilError } from '../errors.js';
import { cliErr, cliOut } from './cli-io.js';

/** Checks one scenario, also against the node profiles, manifests and coefficient file it names; returns its summary and notes. */
export async function validateScenarioFile(file: string): Promise<{ summary: string; notes: string[] }> {
  const { loadClusterScenario } = await import('../../bench/scenario/load.js');
  const { loadNodeProfile } = await import('../domain/node-profile.js');
  const { parseManifestText } = await import('../manifests/documents.js');
  const { planApply } = await import('../manifests/apply.js');
  const { loadStackCoefficients } = await import('../../bench/stack-coefficients.js');
  const s = loadClusterScenario(file);
  const problems: string[] = [];
  const notes = [...s.notes];
  const note = (e: unknown, where: string) => {
    if (!isAnvilError(e)) throw e;
    problems.push(...(e.details.length > 0 ? [`${where}: ${e.message}`, ...e.details.map((d) => `  ${d}`)] : [`${where}: ${e.message}`]));
  };

  const inventories = new Map<string, ReturnType<typeof loadNodeProfile> | undefined>();
  for (const n of s.nodes) {
    if (inventories.has(n.profile)) continue;
    try {
      inventories.set(n.profile, loadNodeProfile(n.profile));
    } catch (e) {
      inventories.set(n.profile, undefined);
      note(e, `${file}: ${n.path}/profile`);
    }
  }
  s.faults.forEach((f, i) => {
    const inv = inventories.get(s.nodes.find((n) => n.name === f.node)!.profile);
    if (!inv) return;
    if (f.drive !== undefined && f.drive >= inv.drives.length)
      problems.push(
        `${file}: /faults/${i}/drive: node ${f.node} (profile ${inv.profile}) has ${inv.drives.length} drive(s), indices 0 to ${inv.drives.length - 1}`,
      );
    if (f.port !== undefined && !inv.nic_ports.some((p) => p.name === f.port))
      problems.push(
        `${file}: /faults/${i}/port: node ${f.node} (profile ${inv.profile}) has no port ${f.port}; ports: ${inv.nic_ports.map((p) => p.name).join(', ')}`,
      );
  });
  for (const m of s.manifests) {
    try {
      notes.push(...planApply(parseManifestText(m.text, m.file), m.tenant, false).notes.map((n) => `note: ${n}`));
    } catch (e) {
      note(e, `${file}: ${m.path}`);
    }
  }
  if (s.coefficientsFile !== undefined) {
    try {
      loadStackCoefficients(s.coefficientsFile);
    } catch (e) {
      note(e, `${file}: /coefficients`);
    }
  }
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_CLUSTER_SCENARIO',
      `${file} names node profiles, manifests or files the platform refuses (${problems.length} line${problems.length > 1 ? 's' : ''})`,
      problems,
    );
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const seconds = (ns: number) => `${ns / 1e9}s`;
  const summary = [
    `stack ${s.stacks.join(',')}`,
    [
      count(s.nodes.length, 'node'),
      count(s.catalog.pods.size, 'pod'),
      count(s.catalog.volumes.size, 'volume'),
      count(s.workloads.length, 'workload'),
      count(s.flows.length, 'flow'),
      count(s.faults.length, 'fault'),
      ...(s.snapshots.length > 0 ? [count(s.snapshots.length, 'snapshot')] : []),
      count(s.slas.length, 'SLA'),
    ].join(', '),
    `${seconds(s.duration_ns)} (warm-up ${seconds(s.warmup_ns)}), seed ${s.seed}`,
  ].join('; ');
  return { summary, notes };
}

/** Validates every file; prints ok lines and notes; throws one error holding every failure. */
export async function scenarioValidateCommand(files: readonly string[]): Promise<void> {
  const failures: AnvilError[] = [];
  for (const file of files) {
    try {
      const { summary, notes } = await validateScenarioFile(file);
      cliOut(`${file}: ok: ${summary}\n`);
      for (const n of notes) cliErr(`${n}\n`);
    } catch (e) {
      if (!isAnvilError(e)) throw e;
      failures.push(e);
    }
  }
  if (failures.length === 0) return;
  if (failures.length === 1) throw failures[0]!;
  const code = failures.every((f) => f.code === failures[0]!.code) ? failures[0]!.code : 'ANVIL_ERR_CLUSTER_SCENARIO';
  throw new AnvilError(
    code,
    `${failures.length} of ${files.length} scenarios do not validate`,
    failures.flatMap((f) => [`${f.code}: ${f.message}`, ...f.details.map((d) => `  ${d}`)]),
  );
}

/** Adds `anvil scenario validate` to the CLI. */
export function registerScenarioCommands(cli: Command): void {
  const scenario = cli
    .command('scenario')
    .description(
      "cluster scenarios (kind: ClusterScenario, bench/scenarios/): a cluster, tenants, pods, workloads, faults and SLAs for the model; TCO scenarios are anvil tco's",
    );
  scenario
    .command('validate')
    .description(
      'check cluster scenarios without running them: schema, names, times, fio jobs, node profiles, manifests; prints ok with a summary, or every problem (exit 1)',
    )
    .argument('<file...>', 'cluster scenario YAML files (e.g. bench/scenarios/noisy-neighbour.yaml)')
    .addHelpText('after', () =>
      schemaFieldsHelp(
        ClusterScenarioWithNodeListSchema,
        'Cluster scenario file fields (YAML, kind: ClusterScenario; see bench/scenarios/):',
        [
          'nodes may instead be a count of one profile: { count: N, profile: NAME|PATH, name_prefix: node, zones: Z }.',
          'Stack coefficients (fabric, hci, diy) come from sim/stacks/stack-coefficients.yaml unless coefficients names a copy.',
          'TCO scenarios (kind: TcoScenario, reports/scenarios/) are read by anvil tco.',
        ],
      ),
    )
    .action(async (files: string[]) => {
      await scenarioValidateCommand(files);
    });
}
