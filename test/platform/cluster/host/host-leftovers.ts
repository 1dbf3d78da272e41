/** What a host run of Anvil's could have left on this machine (namespaces, links, loop devices, cgroups, journals), for the host tests. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { anvilBin } from '../../../../bench/package-root.js';

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

/** The lock the host test files share: a folder made atomically, with the holder's pid inside. */
const HOST_LOCK = join(tmpdir(), 'anvil-host-tests.lock');
/** How long a file waits for the others' host runs: beyond the suite's hook bound, as three files may go first. */
const HOST_LOCK_WAIT_MS = 1_800_000;

/**
 * Runs this test file's host runs alone on the machine: vitest runs two files at once, and a host test's
 * "nothing left behind" looks at the whole machine, where another file's run would show. A lock left by a
 * process that is gone is taken over. Waits in 100 ms steps, at most HOST_LOCK_WAIT_MS.
 */
export function oneHostFileAtATime(): void {
  beforeAll(async () => {
    for (let tries = 0; tries < HOST_LOCK_WAIT_MS / 100; tries++) {
      try {
        mkdirSync(HOST_LOCK);
        writeFileSync(join(HOST_LOCK, 'pid'), `${process.pid}`);
        return;
      } catch {
        const holder = Number(existsSync(join(HOST_LOCK, 'pid')) ? readFileSync(join(HOST_LOCK, 'pid'), 'utf8') : NaN);
        if (Number.isInteger(holder) && !processAlive(holder)) rmSync(HOST_LOCK, { recursive: true, force: true });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`${HOST_LOCK}: still held after ${HOST_LOCK_WAIT_MS / 60_000} min; remove it if no host test runs`);
  }, HOST_LOCK_WAIT_MS + 60_000);
  afterAll(() => {
    if (existsSync(join(HOST_LOCK, 'pid')) && readFileSync(join(HOST_LOCK, 'pid'), 'utf8') === `${process.pid}`)
      rmSync(HOST_LOCK, { recursive: true, force: true });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The built CLI the host tests run, as a user would (`anvil ...`). */
export const ANVIL_BIN = anvilBin();

/** `anvil ARGS` as its own process: exit code, stdout and stderr. */
export function anvilCli(args: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [ANVIL_BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
