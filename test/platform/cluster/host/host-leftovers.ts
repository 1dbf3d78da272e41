/** What a host run of Anvil's could have left on this machine (namespaces, links, loop devices, cgroups, journals), for the host tests. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Leftovers of Anvil's host runs, with the run's state folder's files; with `runId` those of that run
 * only (another run on the machine, not this test's, is not a leftover of it).
 */
export function leftovers(stateDir: string, runId?: string): string[] {
  const out: string[] = [];
  const ns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  out.push(...ns.split('\n').filter((l) => /^anvilh-/.test(l)));
  const links = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
  out.push(...links.split('\n').filter((l) => /: anv(br)?[0-9a-f]{6}/.test(l)));
  const loops = spawnSync('losetup', ['-a'], { encoding: 'utf8' }).stdout;
  out.push(...loops.split('\n').filter((l) => l.includes('anvil-host-')));
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified', '/sys/fs/cgroup/blkio', '/sys/fs/cgroup/cpuacct'])
    if (existsSync(root))
      out.push(
        ...readdirSync(root)
          .filter((d) => /^anvil-[0-9a-f]{6}$/.test(d))
          .map((d) => `${root}/${d}`),
      );
  const mine = runId === undefined ? out : out.filter((l) => l.includes(runId));
  if (existsSync(stateDir)) mine.push(...readdirSync(stateDir).map((f) => join(stateDir, f)));
  return mine;
}
