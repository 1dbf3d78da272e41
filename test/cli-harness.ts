/** Runs `anvil run` in-process on text job files and profiles, capturing what it prints. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runCommand, type RunCommandOptions } from '../platform/cli/run-command.js';
import type { RunMeasurement } from '../bench/results/measurement.js';

/** A fresh temporary folder. */
export function tempDir(prefix = 'anvil-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
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
  options: Partial<RunCommandOptions> & { profileYaml?: string } = {},
): Promise<{ stdout: string; stderr: string; run: RunMeasurement; dir: string }> {
  const files: Record<string, string> = { 'job.fio': job };
  if (options.profileYaml) files['profile.yaml'] = options.profileYaml;
  const dir = writeFiles(files);
  let stdout = '';
  let stderr = '';
  const err = new Writable({ write(chunk, _enc, cb) { stderr += String(chunk); cb(); } }) as unknown as NodeJS.WriteStream;
  const run = await runCommand(
    join(dir, 'job.fio'),
    {
      target: options.target ?? 'sim',
      profile: options.profileYaml ? join(dir, 'profile.yaml') : (options.profile ?? 'intel-p4510-4tb'),
      seed: options.seed ?? 1,
      outputFormat: options.outputFormat ?? 'json',
      ...(options.out ? { out: options.out } : {}),
      ...(options.filename !== undefined ? { filename: options.filename } : {}),
      ...(options.hosts ? { hosts: options.hosts } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    },
    { stdout: { write: (t: string) => (stdout += t) }, stderr: err },
  );
  return { stdout, stderr, run, dir };
}
