/**
 * The C++ M/M/1 baseline (`mm1-baseline.cpp`): built with `g++ -O2 -std=c++17` into `bench/perf/.build/`
 * (gitignored) when the binary is missing or older than the source, then run as a child process. The
 * child times itself (steady_clock around the simulation), so process start-up is not in its figure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Mm1Throughput } from './mm1-kernel.js';

const SOURCE = join('bench', 'perf', 'mm1-baseline.cpp');
const BUILD_DIR = join('bench', 'perf', '.build');
const BINARY = join(BUILD_DIR, 'mm1-baseline');
export const CXX_FLAGS = ['-O2', '-std=c++17'] as const;

export type CppBaseline = { available: true; binary: string; compiler: string; built: boolean } | { available: false; reason: string };

/** The project root: the nearest directory above this module holding the C++ source (works from `dist/` too). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, SOURCE)) && existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cpp-baseline: cannot find ${SOURCE} above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Builds the baseline if needed. Never throws for a missing or failing compiler: says why instead. */
export function prepareCppBaseline(log: (message: string) => void = () => {}): CppBaseline {
  const root = projectRoot();
  const source = join(root, SOURCE);
  const binary = join(root, BINARY);

  const version = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    const why =
      (version.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
        ? 'not found on PATH'
        : `failed: ${version.error?.message ?? version.stderr.trim()}`;
    return { available: false, reason: `g++ ${why}; no C++ baseline, ratio skipped (install g++ to measure it)` };
  }
  const compiler = version.stdout.split('\n')[0]!.trim();

  const fresh = existsSync(binary) && statSync(binary).mtimeMs >= statSync(source).mtimeMs;
  if (fresh) return { available: true, binary, compiler, built: false };

  mkdirSync(join(root, BUILD_DIR), { recursive: true });
  const args = [...CXX_FLAGS, '-o', binary, source];
  log(`building the C++ baseline: g++ ${args.map((a) => (a.startsWith(root) ? relative(root, a) : a)).join(' ')}`);
  const build = spawnSync('g++', args, { encoding: 'utf8' });
  if (build.error || build.status !== 0) {
    const detail = (build.stderr || build.error?.message || '').trim().split('\n').slice(0, 5).join(' | ');
    return { available: false, reason: `g++ could not build ${SOURCE}: ${detail}` };
  }
  return { available: true, binary, compiler, built: true };
}

/** Runs the baseline once: `customers` customers, streams seeded as `simulateMm1Kernel` seeds them. */
export function runCppMm1(binary: string, customers: number, seed: number): Mm1Throughput {
  const child = spawnSync(binary, [String(customers), String(seed)], { encoding: 'utf8' });
  if (child.error) throw new Error(`cpp-baseline: cannot run ${binary}: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`cpp-baseline: ${binary} exited with ${child.status ?? child.signal}: ${child.stderr.trim()}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(child.stdout);
  } catch {
    throw new Error(`cpp-baseline: output is not JSON: ${child.stdout.slice(0, 200)}`);
  }
  const out = parsed as Partial<Record<keyof Mm1Throughput, unknown>>;
  const fields = ['customers', 'seconds', 'customersPerSecond', 'meanSojourn_ns'] as const;
  for (const field of fields) {
    if (typeof out[field] !== 'number' || !Number.isFinite(out[field]))
      throw new Error(`cpp-baseline: output lacks a numeric "${field}": ${child.stdout.trim()}`);
  }
  return {
    customers: out.customers as number,
    seconds: out.seconds as number,
    customersPerSecond: out.customersPerSecond as number,
    meanSojourn_ns: out.meanSojourn_ns as number,
  };
}
