/**
 * The text lines of what a scenario's faults did on one stack: each fault as it fired, the outages, and
 * each plex's (or, on diy, block store copy's) end state; the run's text and compare mode's both print them.
 */
import { formatDuration } from '../../sim/core/units.js';
import { plexLine } from './fault-records.js';
import type { ScenarioSummary } from './scenario-summary.js';

/** Each fault with what it did, then the volumes' and pods' outages. */
export function faultLines(s: ScenarioSummary): string[] {
  const lines: string[] = [];
  for (const f of s.faults) {
    // A failed drive does not come back in the run: its plexes are lost for good.
    const kind = s.stack === 'diy' ? 'copies' : 'plexes';
    const plexes = f.plexes.length > 0 ? `${kind} ${f.plexes.join(', ')}${f.event === 'drive-failed' ? ' lost with the drive' : ''}` : '';
    const what = [plexes, ...(f.moved ?? []).map((m) => `${m.pod} moved to ${m.to}`)];
    what.push(...(f.stopped ?? []).map((x) => `${x.pod} stopped`), ...(f.restarted ?? []).map((x) => `${x.pod} started again on ${x.on}`));
    const detail = what.filter((w) => w !== '').join('; ');
    lines.push(
      `fault at ${formatDuration(f.at_ns)}: ${f.event} ${f.node}${f.port !== undefined ? `/${f.port}` : ''}${f.drive !== undefined ? ` drive ${f.drive}` : ''}${detail !== '' ? ` (${detail})` : ''}`,
    );
  }
  for (const o of s.outages?.volumes ?? [])
    lines.push(
      `  volume ${o.name} out (no plex in sync) for ${formatDuration(o.outage_ns)}, from ${formatDuration(o.from_ns)} to ${o.until}`,
    );
  for (const o of s.outages?.pods ?? [])
    lines.push(`  pod ${o.name} down for ${formatDuration(o.outage_ns)}, from ${formatDuration(o.from_ns)} to ${o.until}`);
  return lines;
}

/** Each modelled plex's end state, where the scenario has faults. */
export function plexLines(s: ScenarioSummary): string[] {
  return s.faults.length > 0 ? s.plexes.map(plexLine) : [];
}
