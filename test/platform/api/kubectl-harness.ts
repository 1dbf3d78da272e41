/**
 * What the kubectl suites share: the kubectl binary and the compiled CLI, running either as a child process
 * (its exit code and output, never a throw), a home of its own per server, and the lab every suite starts from
 * (a 3-node cluster and a default pod network).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { packageRoot } from '../../../bench/package-root.js';

const run = promisify(execFile);
/** The kubectl on this machine, undefined where there is none (the suites are skipped then). */
export const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
/** The compiled CLI the suites run. */
export const BIN = join(packageRoot(), 'dist', 'platform', 'cli', 'main.js');

/** How a child process ended: its exit code (-1 when it had none) and what it printed. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `file` with `args` to its end; a non-zero exit is a result, not a throw. */
export async function ran(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  try {
    const r = await run(file, args, { env, maxBuffer: 1 << 24 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The compiled `anvil` with `args`. */
export function anvilIn(env: NodeJS.ProcessEnv, args: string[]): Promise<Ran> {
  return ran(process.execPath, [BIN, ...args], env);
}

/** kubectl with `args` on `kubeconfig` and a discovery cache of its own at `cache`. */
export function kubectlIn(kubeconfig: string, cache: string, env: NodeJS.ProcessEnv, args: string[]): Promise<Ran> {
  return ran(KUBECTL ?? 'kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...args], env);
}

/** The environment with `home` as its home: no user kubeconfig, login file or discovery cache leaks in. */
export function homeEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_STATE_HOME: join(home, 'state'),
    KUBECONFIG: '',
  };
  delete env.ANVIL_SERVER;
  delete env.ANVIL_TOKEN;
  return env;
}

/** The lab: a 3-node cluster `lab` and the default network `pods` (10.20.0.10 to .200). */
const LAB: string[][] = [
  ['cluster', 'create', 'lab', '--nodes', '3'],
  [
    'network',
    'create',
    'pods',
    '--subnet',
    '10.20.0.0/24',
    '--start',
    '10.20.0.10',
    '--end',
    '10.20.0.200',
    '--gateway',
    '10.20.0.1',
    '--set-default',
  ],
];

/** Makes the lab through `anvil`, then runs each of `then`; each must exit 0. */
export async function setUpLab(anvil: (...args: string[]) => Promise<Ran>, then: string[][] = []): Promise<void> {
  for (const args of [...LAB, ...then]) {
    const r = await anvil(...args);
    expect(r.code, r.stderr).toBe(0);
  }
}
