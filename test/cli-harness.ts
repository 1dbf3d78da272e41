/** Runs `anvil run` in-process on text job files and profiles, capturing what it prints. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll } from 'vitest';
import { runJobFile, type RunOptions } from '../bench/run.js';
import type { RunMeasurement } from '../bench/results/measurement.js';

const created: string[] = [];
// Registered while the importing test file is collected, so each file removes the folders it made.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file that made it is done. */
export function tempDir(prefix = 'anvil-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Writes `files` (name -> text) into a fresh temporary folder and returns its path. */
export function writeFiles(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** `anvil run` on a job file's text: stdout, stderr and the measurement. */
export async function anvilRun(
  job: string,
  options: Partial<RunOptions> & { profileYaml?: string } = {},
): Promise<{ stdout: string; stderr: string; run: RunMeasurement; dir: string }> {
  const files: Record<string, string> = { 'job.fio': job };
  if (options.profileYaml) files['profile.yaml'] = options.profileYaml;
  const dir = writeFiles(files);
  let stdout = '';
  let stderr = '';
  const err = new Writable({
    write(chunk, _enc, cb) {
      stderr += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  const run = await runJobFile(
    join(dir, 'job.fio'),
    {
      target: options.target ?? 'sim',
      profile: options.profileYaml ? join(dir, 'profile.yaml') : (options.profile ?? 'intel-p4510-4tb'),
      seed: options.seed ?? 1,
      outputFormat: options.outputFormat ?? 'json',
      ...(options.out ? { out: options.out } : {}),
      ...(options.outFormat ? { outFormat: options.outFormat } : {}),
      ...(options.filename !== undefined ? { filename: options.filename } : {}),
      ...(options.hosts ? { hosts: options.hosts } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.maxIos !== undefined ? { maxIos: options.maxIos } : {}),
    },
    { stdout: { write: (t: string) => (stdout += t) }, stderr: err },
  );
  return { stdout, stderr, run, dir };
}

/**
 * `anvil ARGS` in-process (runCli, the bin's own entry) with `env` set for the length of the run: what it
 * prints and its exit code, without a node process per command. Runs must not overlap when `env` is given.
 */
export async function anvilInProcess(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { runCli } = await import('../platform/cli/main.js');
  const { capturingIo } = await import('../platform/cli/cli-io.js');
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    const io = capturingIo();
    const code = await runCli(args, io);
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
