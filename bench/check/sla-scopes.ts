/**
 * Whom each SLA of a scenario holds for, as subjects whose result rows carry their labels: a pod, a
 * volume, a tenant (its pods together), or each member of a tier. Tiers are the platform's knowledge (a
 * pod's tier, or a volume's through its claim's StorageClass), so the caller hands in the members it
 * placed; nothing here reads a run.
 */
import type { LoadedClusterScenario, ScenarioSla } from '../scenario/load.js';
import type { JudgedSla, SlaSubject } from './evaluate.js';

/** Pods and volumes as the platform placed them: `TENANT/NAME`, tier, and a pod's volumes. */
export interface ScenarioMembers {
  readonly pods: readonly { readonly name: string; readonly tier: string; readonly volumes: readonly string[] }[];
  readonly volumes: readonly { readonly name: string; readonly tier: string }[];
}

/** NAME or TENANT/NAME against `TENANT/NAME` keys (the scenario's cross-checks made sure exactly one fits). */
function resolve(ref: string, keys: readonly string[]): string {
  if (ref.includes('/')) return ref;
  return keys.find((k) => k.endsWith(`/${ref}`)) ?? ref;
}

function podSubject(pod: ScenarioMembers['pods'][number]): SlaSubject {
  return {
    name: `pod ${pod.name}`,
    label: 'pod',
    values: new Set([pod.name]),
    outagePods: new Set([pod.name]),
    outageVolumes: new Set(pod.volumes),
    flowPods: new Set([pod.name]),
    pods: new Set([pod.name]),
  };
}

function volumeSubject(volume: string): SlaSubject {
  return {
    name: `volume ${volume}`,
    label: 'volume',
    values: new Set([volume]),
    outagePods: new Set(),
    outageVolumes: new Set([volume]),
    flowPods: new Set(),
    pods: new Set(),
  };
}

/** Whom `sla` holds for among `m`, and its scope as the report names it. */
export function slaSubjects(sla: ScenarioSla, m: ScenarioMembers): { scope: string; subjects: SlaSubject[] } {
  if (sla.pod !== undefined) {
    const name = resolve(
      sla.pod,
      m.pods.map((p) => p.name),
    );
    const pod = m.pods.find((p) => p.name === name) ?? { name, tier: '', volumes: [] };
    return { scope: `pod ${name}`, subjects: [podSubject(pod)] };
  }
  if (sla.volume !== undefined) {
    const name = resolve(
      sla.volume,
      m.volumes.map((v) => v.name),
    );
    return { scope: `volume ${name}`, subjects: [volumeSubject(name)] };
  }
  if (sla.tenant !== undefined) {
    const t = sla.tenant;
    const pods = m.pods.filter((p) => p.name.startsWith(`${t}/`)).map((p) => p.name);
    const volumes = m.volumes.filter((v) => v.name.startsWith(`${t}/`)).map((v) => v.name);
    return {
      scope: `tenant ${t}`,
      subjects: [
        {
          name: `tenant ${t}`,
          label: 'tenant',
          values: new Set([t]),
          outagePods: new Set(pods),
          outageVolumes: new Set(volumes),
          flowPods: new Set(pods),
          pods: new Set(pods),
        },
      ],
    };
  }
  const tier = sla.tier!;
  const pods = m.pods.filter((p) => p.tier === tier);
  const covered = new Set(pods.flatMap((p) => p.volumes));
  // A volume of the tier that no pod of the tier attaches (its claim's StorageClass gave it the tier) is a member of its own.
  const volumes = m.volumes.filter((v) => v.tier === tier && !covered.has(v.name));
  const subjects = [...pods.map(podSubject), ...volumes.map((v) => volumeSubject(v.name))];
  return { scope: `tier ${tier} (${subjects.length} member${subjects.length === 1 ? '' : 's'})`, subjects };
}

/** The scenario's SLAs, each with its subjects and the span it is judged over (default: the end of the warm-up to the end). */
export function judgedSlas(s: LoadedClusterScenario, members: ScenarioMembers): JudgedSla[] {
  return s.slas.map((sla) => ({
    sla,
    ...slaSubjects(sla, members),
    from_ns: sla.from_ns ?? s.warmup_ns,
    until_ns: sla.until_ns ?? s.duration_ns,
  }));
}
