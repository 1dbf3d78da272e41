/**
 * The journal of what a host run created: each undo step is appended to a file as soon as the thing it
 * undoes exists, so a run killed with SIGKILL leaves a file `anvil host cleanup` can replay. Undo runs
 * in reverse order and goes on past a failure (the thing may already be gone), collecting what it could
 * not remove.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { HostActions } from './host-actions.js';

/**
 * One line of a journal: its owner (the run's pid, first), an undo step (a command, an empty folder (a
 * cgroup) or a folder tree (the loop files' folder) to remove, ...), or a user's device the run borrowed.
 */
export type UndoStep =
  | { readonly kind: 'owner'; readonly pid: number }
  | { readonly kind: 'run'; readonly argv: readonly string[] }
  | { readonly kind: 'rmdir'; readonly path: string }
  | { readonly kind: 'rmtree'; readonly path: string }
  /** Every NVMe/TCP controller connected to subsystem `nqn` (journalled before connecting: none is fine). */
  | { readonly kind: 'nvme-disconnect'; readonly nqn: string }
  /** A symbolic link (an nvmet port's link to a subsystem in configfs). */
  | { readonly kind: 'unlink'; readonly path: string }
  /** A file write that undoes a state (thawing a freezer cgroup; a PF's previous sriov_numvfs), where its folder still exists. */
  | { readonly kind: 'write'; readonly path: string; readonly text: string }
  /**
   * A command that undoes a state of something that may be gone by then: run only where `path` still exists
   * (a VF's MAC and rates reset while the VF exists; a VF's netdev returned while the pod's namespace exists).
   */
  | { readonly kind: 'run-if'; readonly path: string; readonly argv: readonly string[] }
  /** The user's block device a volume used (--host-device): borrowed, not made, so undo leaves it as it is. */
  | { readonly kind: 'borrowed'; readonly device: string; readonly majorMinor: string };

/** Where journals live: ANVIL_HOST_STATE_DIR, else /run/anvil when root, else the temp folder. */
export function journalDir(): string {
  const fixed = process.env.ANVIL_HOST_STATE_DIR;
  if (fixed !== undefined && fixed !== '') return fixed;
  return process.getuid?.() === 0 ? '/run/anvil' : join(tmpdir(), 'anvil-host');
}

export class HostJournal {
  private readonly steps: UndoStep[] = [];

  /** `file`: where the steps are kept on disk (undefined: in memory only, for dry runs). */
  constructor(readonly file: string | undefined) {
    if (file === undefined) return;
    mkdirSync(join(file, '..'), { recursive: true });
    appendFileSync(file, JSON.stringify({ kind: 'owner', pid: process.pid }) + '\n');
  }

  /** Notes that `step` undoes something that now exists. */
  record(step: UndoStep): void {
    this.steps.push(step);
    if (this.file !== undefined) appendFileSync(this.file, JSON.stringify(step) + '\n');
  }

  get size(): number {
    return this.steps.length;
  }

  /** Undoes everything, last first; returns what could not be undone (and keeps the file then). */
  async undo(actions: HostActions): Promise<string[]> {
    const failures = await undoSteps(this.steps, actions);
    this.steps.length = 0;
    if (this.file !== undefined && failures.length === 0) rmSync(this.file, { force: true });
    return failures;
  }
}

/** Runs `steps` last first; a step that fails is reported, the rest still run. */
export async function undoSteps(steps: readonly UndoStep[], actions: HostActions): Promise<string[]> {
  const failures: string[] = [];
  for (const step of [...steps].reverse()) {
    // The user's device is theirs: nothing Anvil undoes touches it (the caps on it go with their cgroups).
    if (step.kind === 'owner' || step.kind === 'borrowed') continue;
    try {
      if (step.kind === 'run') await actions.run(step.argv);
      else if (step.kind === 'run-if') {
        if (actions.exists(step.path)) await actions.run(step.argv);
      } else if (step.kind === 'rmdir') {
        // Already gone (a cleanup after the run removed some): nothing to undo.
        if (actions.exists(step.path)) actions.rmdir(step.path);
      } else if (step.kind === 'write') {
        // Its cgroup already gone (a cleanup after the run removed it): nothing to thaw.
        if (actions.exists(dirname(step.path))) actions.writeText(step.path, step.text);
      } else if (step.kind === 'nvme-disconnect') disconnectNvme(actions, step.nqn);
      else if (step.kind === 'unlink') {
        if (actions.exists(step.path)) actions.unlink(step.path);
      } else if (step.kind === 'rmtree') actions.removeTree(step.path);
    } catch (e) {
      failures.push(`${describe(step)}: ${(e as Error).message}`);
    }
  }
  return failures;
}

function describe(step: Exclude<UndoStep, { kind: 'owner' | 'borrowed' }>): string {
  if (step.kind === 'run' || step.kind === 'run-if') return step.argv.join(' ');
  return step.kind === 'nvme-disconnect' ? `nvme disconnect -n ${step.nqn}` : `${step.kind} ${step.path}`;
}

/** Deletes every controller of subsystem `nqn` (what `nvme disconnect -n NQN` does, through sysfs: no nvme-cli needed). */
export function disconnectNvme(actions: HostActions, nqn: string): void {
  for (const ctrl of actions.listDir('/sys/class/nvme')) {
    const dir = `/sys/class/nvme/${ctrl}`;
    let subsystem: string;
    try {
      subsystem = actions.readText(`${dir}/subsysnqn`).trim();
    } catch {
      continue; // deleted meanwhile
    }
    if (subsystem === nqn) actions.writeText(`${dir}/delete_controller`, '1');
  }
}

/** Reads a journal file; lines that are not steps (a line cut by a kill) are skipped. */
export function readJournal(file: string): UndoStep[] {
  const steps: UndoStep[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      steps.push(JSON.parse(line) as UndoStep);
    } catch {
      // a partial last line: what it recorded did not finish being made either
    }
  }
  return steps;
}

/** Is process `pid` alive (a run still going, whose journal is not a leftover)? */
function alive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What cleanup did with one journal: the steps it undid and what failed, or the live run it left alone. */
export interface JournalCleanup {
  readonly file: string;
  readonly steps: number;
  readonly failures: readonly string[];
  /** The pid of a run still going: its journal was left alone. */
  readonly running?: number;
}

/** Replays every journal left in `dir` by a run that is gone (killed); a live run's journal is left alone. */
export async function cleanupJournals(actions: HostActions, dir: string = journalDir()): Promise<JournalCleanup[]> {
  if (!existsSync(dir)) return [];
  const out: JournalCleanup[] = [];
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.journal'))
    .sort()) {
    const file = join(dir, name);
    const steps = readJournal(file);
    const owner = steps.find((x) => x.kind === 'owner');
    const undo = steps.filter((x) => x.kind !== 'owner' && x.kind !== 'borrowed');
    if (owner !== undefined && alive(owner.pid)) {
      out.push({ file, steps: undo.length, failures: [], running: owner.pid });
      continue;
    }
    const failures = await undoSteps(undo, actions);
    if (failures.length === 0) rmSync(file, { force: true });
    out.push({ file, steps: undo.length, failures });
  }
  return out;
}
