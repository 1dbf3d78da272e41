/** A cluster scenario's pods and volumes with their tiers, as the control plane places it: whom its SLAs hold for (anvil check, anvil compare). */
import type { ScenarioMembers } from '../../bench/check/sla-scopes.js';
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';

/** Pods and volumes with their tiers, as the control plane places the scenario (the same placement every run makes). */
export async function scenarioMembers(s: LoadedClusterScenario): Promise<ScenarioMembers> {
  const { placeScenario } = await import('../cluster/placement.js');
  const state = placeScenario(s).store.read((st) => st);
  return {
    pods: [...state.pods.values()].map((p) => ({
      name: `${p.namespace}/${p.name}`,
      tier: p.perf_tier,
      volumes: p.volumes.map((v) => `${p.namespace}/${v}`),
    })),
    volumes: [...state.volumes.values()].map((v) => ({ name: `${v.namespace}/${v.name}`, tier: v.perf_tier })),
  };
}
