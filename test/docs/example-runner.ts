/**
 * Runs example blocks as a reader would from a fresh clone's root: a scratch folder holding a symlink to
 * every top-level entry of the repository (so `bench/...` paths resolve while what commands write stays in
 * the scratch folder), `anvil` on PATH from node_modules/.bin, a fixed SOURCE_DATE_EPOCH, no colour, CI
 * unset for the command, HOME the scratch folder. Each command runs as `bash -c CMD` with stderr into
 * stdout, so output interleaves as on a terminal.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExampleStep, StepResult } from './example-blocks.js';

/** README.md and every .md under docs/ except the generated docs/reference/, relative to `root`, sorted. */
export function exampleFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md') && !f.startsWith('reference/'))
    .map((f) => join('docs', f));
  return ['README.md', ...docs].sort();
}

/** Top-level names a scratch folder leaves out: git's own, and what runs write (the .gitignore'd outputs). */
function outputsOf(root: string): Set<string> {
  const ignored = existsSync(join(root, '.gitignore')) ? readFileSync(join(root, '.gitignore'), 'utf8').split('\n') : [];
  const names = ignored.map((l) => l.trim().replace(/^\/|\/$/g, '')).filter((l) => l !== '' && !l.includes('/') && !l.includes('*'));
  return new Set(['.git', ...names.filter((n) => n !== 'node_modules' && n !== 'dist')]);
}

/** A fresh scratch folder for one documentation file, with the repository's top-level entries linked in. */
export function scratchFolder(root: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-docs-'));
  const skip = outputsOf(root);
  for (const name of readdirSync(root)) if (!skip.has(name)) symlinkSync(join(root, name), join(dir, name));
  return dir;
}

/** The environment a documented command runs in (see the file's comment). */
export function exampleEnvironment(root: string, scratch: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(CI|ANVIL_(STATE|SERVER|TOKEN|USER|CA_CERT|DEBUG)|XDG_.*|KUBECONFIG|VITEST.*|NODE_OPTIONS)$/.test(key)) env[key] = value;
  return {
    ...env,
    PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: scratch,
    SOURCE_DATE_EPOCH: '1767225600',
    NO_COLOR: '1',
    COLUMNS: '120',
  };
}

/** Which of `requires` are missing here: `root` is the effective user, anything else a command on PATH. */
export function missingRequirements(requires: readonly string[]): string[] {
  return requires.filter((need) =>
    need === 'root' ? process.getuid?.() !== 0 : spawnSync('bash', ['-c', `command -v ${need}`], { stdio: 'ignore' }).status !== 0,
  );
}

/** Background processes started by a file's blocks, killed (their process groups) when the file is done. */
export class ExampleSession {
  private readonly background: { pid: number; exited: Promise<void> }[] = [];
  private started = 0;

  constructor(
    readonly scratch: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Runs one step; a background step is started (output to a log in the scratch folder) and reports exit 0. */
  async run(step: ExampleStep): Promise<StepResult> {
    if (step.background) {
      const log = openSync(join(this.scratch, `.example-background-${++this.started}.log`), 'w');
      const child = spawn('bash', ['-c', step.command], { cwd: this.scratch, env: this.env, detached: true, stdio: ['ignore', log, log] });
      closeSync(log);
      const exited = new Promise<void>((done) => child.on('exit', () => done()));
      if (child.pid !== undefined) this.background.push({ pid: child.pid, exited });
      return { exitCode: 0, output: '' };
    }
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `exec 2>&1\n${step.command}`], {
        cwd: this.scratch,
        env: this.env,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({ exitCode: code ?? (signal ? 128 : 1), output: Buffer.concat(chunks).toString('utf8') }),
      );
    });
  }

  /** Kills the background processes, waits for them to exit, and removes the scratch folder. */
  async close(): Promise<void> {
    for (const { pid, exited } of this.background.splice(0)) {
      try {
        process.kill(-pid, 'SIGTERM');
        await exited;
      } catch {
        // Already gone.
      }
    }
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
