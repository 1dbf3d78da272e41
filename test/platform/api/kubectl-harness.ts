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
import { startServe, type ServeChild } from '../../../bench/perf/serve-child.js';
import { anvilBin } from '../../../bench/package-root.js';

const run = promisify(execFile);
/** The kubectl on this machine, undefined where there is none (the suites are skipped then). */
export const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
/** The compiled CLI the suites run. */
export const BIN = anvilBin();

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

/** A plain-http `anvil serve` and what its clients need: the CLI's environment, a kubeconfig path, a discovery cache. */
export interface LoopbackServe {
  serve: ServeChild;
  env: NodeJS.ProcessEnv;
  kubeconfig: string;
  cache: string;
}

/**
 * Starts `anvil serve --kube-anonymous-loopback` on a fresh state in `dir`, with `dir` as the home (kubectl
 * sends no token over http); the kubeconfig is not written yet.
 */
export async function startLoopbackServe(dir: string): Promise<LoopbackServe> {
  const home = homeEnv(dir);
  const serve = await startServe(['--state', join(dir, 'state.db'), '--kube-anonymous-loopback'], home);
  return {
    serve,
    env: { ...home, ANVIL_SERVER: serve.url, ANVIL_TOKEN: serve.token! },
    kubeconfig: join(dir, 'kubeconfig'),
    cache: join(dir, 'kube-cache'),
  };
}

/** The Deployment `web` (2 nginx replicas) the read suites apply to the lab. */
export const WEB_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  template:
    spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 100m, memory: 128Mi } } }] }
`;

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
