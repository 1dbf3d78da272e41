/** `anvil profiles` and `anvil devices`: what the model can run, as fio's --enghelp lists engines. */
import { builtInProfiles, loadProfile } from '../../bench/profiles.js';
import { deviceKind, deviceKinds } from '../../sim/devices/index.js';

export function profilesCommand(out = process.stdout): void {
  for (const name of builtInProfiles()) {
    const p = loadProfile(name);
    out.write(`${name.padEnd(24)} ${p.kind.name.padEnd(6)} ${p.title}\n`);
  }
}

export function devicesCommand(out = process.stdout): void {
  for (const name of deviceKinds()) {
    const kind = deviceKind(name)!;
    const caps = Object.entries(kind.capabilities)
      .filter(([, v]) => v)
      .map(([k]) => k);
    out.write(`${name} (v${kind.version}): ${kind.description}\n  capabilities: ${caps.join(', ') || 'none'}\n`);
    const props = (kind.schema as { properties?: Record<string, { description?: string; default?: unknown }> }).properties ?? {};
    for (const [key, prop] of Object.entries(props)) {
      if (key === 'kind') continue;
      const def = prop.default !== undefined ? ` (default ${JSON.stringify(prop.default)})` : '';
      out.write(`  ${key}: ${prop.description ?? ''}${def}\n`);
    }
  }
}
