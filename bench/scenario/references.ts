/**
 * What a scenario's names refer to: nodes (a group expanded to its names), tenants, networks, perf tiers,
 * volumes and pods, those written inline and those its Kubernetes manifests define. Manifests are read
 * only for the names of their objects (metadata, replicas, claim templates, as `anvil apply` names them);
 * everything else in them is the control plane's manifest import's to check.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { parseYamlDocuments } from '../../platform/yaml-input.js';
import type { ClusterScenarioSpec, NodeSpec } from './schema.js';

/** The control plane's built-in perf tiers (platform/domain/perf-tier.ts; a test keeps the two equal). */
export const BUILT_IN_PERF_TIERS: readonly string[] = ['best-effort', 'medium', 'high'];

/** A node as the scenario makes it. */
export interface ScenarioNode {
  readonly name: string;
  /** A built-in node profile's name, or a path (resolved against the scenario's folder). */
  readonly profile: string;
  readonly zone?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly string[];
  /** YAML path of the entry that made it. */
  readonly path: string;
}

/** A path to a file named in the scenario, resolved against the scenario's folder. */
export function besideScenario(scenarioFile: string, path: string): string {
  return isAbsolute(path) ? path : join(dirname(scenarioFile), path);
}

/** A profile given by path (it has a slash or ends in .yaml/.yml), not by built-in name. */
export function isProfilePath(profile: string): boolean {
  return profile.includes('/') || /\.ya?ml$/.test(profile);
}

export function expandNodes(spec: ClusterScenarioSpec, scenarioFile: string): ScenarioNode[] {
  const profileOf = (p: string) => (isProfilePath(p) ? besideScenario(scenarioFile, p) : p);
  if (Array.isArray(spec.nodes)) {
    return spec.nodes.map((n: NodeSpec, i) => ({
      name: n.name,
      profile: profileOf(n.profile),
      ...(n.zone !== undefined ? { zone: n.zone } : {}),
      labels: n.labels ?? {},
      taints: n.taints ?? [],
      path: `/nodes/${i}`,
    }));
  }
  const g = spec.nodes;
  return Array.from({ length: g.count }, (_, i) => ({
    name: `${g.name_prefix}-${i + 1}`,
    profile: profileOf(g.profile),
    ...(g.zones !== undefined ? { zone: `zone-${(i % g.zones) + 1}` } : {}),
    labels: {},
    taints: [],
    path: '/nodes',
  }));
}

/** The Kubernetes YAML of a manifest entry, as text whose line numbers are those of the file it sits in. */
export interface ManifestText {
  readonly tenant: string;
  /** The file the lines belong to: the scenario for inline documents, else the manifest file. */
  readonly file: string;
  readonly text: string;
  /** YAML path of the entry in the scenario. */
  readonly path: string;
}

/** Objects a manifest defines, by `TENANT/NAME`, with the file and line of their document. */
export interface ManifestNames {
  readonly pods: Map<string, string>;
  readonly claims: Map<string, string>;
  /** Problems reading the YAML itself (the manifest import says the rest). */
  readonly problems: string[];
}

/** Names of the pods and claims the manifests define, as `anvil apply` names them. */
export function manifestNames(manifests: readonly ManifestText[]): ManifestNames {
  const pods = new Map<string, string>();
  const claims = new Map<string, string>();
  const problems: string[] = [];
  for (const m of manifests) {
    const parsed = parseYamlDocuments(m.text, m.file);
    problems.push(...parsed.problems);
    for (const { data, line } of parsed.documents) {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
      const body = data as Record<string, unknown>;
      const meta = (body.metadata ?? {}) as Record<string, unknown>;
      const spec = (body.spec ?? {}) as Record<string, unknown>;
      const name = typeof meta.name === 'string' ? meta.name : undefined;
      if (name === undefined) continue;
      const ns = typeof meta.namespace === 'string' ? meta.namespace : m.tenant;
      const where = `${m.file}:${line}`;
      if (body.kind === 'Pod') pods.set(`${ns}/${name}`, where);
      else if (body.kind === 'PersistentVolumeClaim') claims.set(`${ns}/${name}`, where);
      else if (body.kind === 'Deployment' || body.kind === 'StatefulSet') {
        const replicas = Number.isInteger(spec.replicas) ? Math.min(spec.replicas as number, 5000) : 1;
        const templates =
          body.kind === 'StatefulSet' && Array.isArray(spec.volumeClaimTemplates)
            ? (spec.volumeClaimTemplates as Record<string, unknown>[])
            : [];
        for (let i = 0; i < replicas; i++) {
          pods.set(`${ns}/${name}-${i}`, where);
          for (const t of templates) {
            const claim = (t?.metadata as Record<string, unknown> | undefined)?.name;
            if (typeof claim === 'string') claims.set(`${ns}/${claim}-${name}-${i}`, where);
          }
        }
      }
    }
  }
  return { pods, claims, problems };
}
