/**
 * Durability: the CLI is killed with SIGKILL at seeded random moments in a stream of changes. Every
 * change it acknowledged (exit 0) is in the state file afterwards, every change is all or nothing (a
 * Deployment's pods all there or none), and SQLite's integrity check passes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/core/random.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { inCI, sayMissing } from '../needs.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const REPLICAS = 12;

function deployment(name: string): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  replicas: ${REPLICAS}\n  template:\n    spec: { containers: [{ name: c, resources: { requests: { cpu: 10m, memory: 16Mi } } }] }\n`;
}

/** Runs one `anvil apply -f -`, killing it with SIGKILL after `killAfterMs` (never if undefined); resolves to whether it was acknowledged. */
function applyWithKill(state: string, name: string, killAfterMs: number | undefined): Promise<'acknowledged' | 'killed' | 'failed'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'apply', '-f', '-', '--state', state], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stdin.end(deployment(name));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else resolve(code === 0 && stdout.includes(`deployment.apps/${name} created`) ? 'acknowledged' : 'failed');
    });
  });
}

/** Runs the CLI without waiting, resolving to its exit code. */
function run(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: 'ignore' });
    child.on('exit', (code) => resolve(code));
  });
}

/** Each test spawns dozens of CLI processes: room for a loaded 2-core machine. */

describe('state durability under kill -9', () => {
  it('loses no acknowledged change, applies each change whole or not at all, and keeps the file sound', async () => {
    const state = join(tempDir('anvil-kill-'), 'state.db');
    const setup = spawnSync(process.execPath, [BIN, 'cluster', 'create', 'c', '--nodes', '20', '--state', state], { encoding: 'utf8' });
    expect(setup.status).toBe(0);
    spawnSync(process.execPath, [
      BIN,
      'network',
      'create',
      'blue',
      '--subnet',
      '10.8.0.0/16',
      '--start',
      '10.8.0.10',
      '--end',
      '10.8.255.250',
      '--gateway',
      '10.8.0.1',
      '--state',
      state,
    ]);
    const rng = new RandomStream(4, 'test/state-kill');
    const outcome = new Map<string, string>();
    // Every fifth command runs to the end and every fifth is killed at once, so both outcomes occur however
    // fast the machine is; the rest are killed at a seeded moment, before, during or after their transaction.
    for (let i = 0; i < 30; i++) {
      const name = `d${i}`;
      const killAfterMs = i % 5 === 0 ? undefined : i % 5 === 1 ? 0 : rng.below(900);
      outcome.set(name, await applyWithKill(state, name, killAfterMs));
    }
    const acknowledged = [...outcome].filter(([, o]) => o === 'acknowledged').map(([n]) => n);
    const killed = [...outcome].filter(([, o]) => o === 'killed').map(([n]) => n);
    expect([...outcome.values()]).not.toContain('failed');
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(killed.length).toBeGreaterThan(0);

    const store = Store.open(state);
    let podCount: number;
    try {
      expect(store.integrityCheck()).toBe('ok');
      const perDeployment = store.read((s) => {
        const count = new Map<string, number>();
        for (const p of s.pods.values()) if (p.owner) count.set(p.owner.name, (count.get(p.owner.name) ?? 0) + 1);
        return count;
      });
      podCount = [...perDeployment.values()].reduce((a, b) => a + b, 0);
      for (const name of acknowledged) expect(perDeployment.get(name), name).toBe(REPLICAS);
      for (const [name, n] of perDeployment) {
        expect(n, name).toBe(REPLICAS);
        expect(outcome.has(name)).toBe(true);
      }
      // One audit row per committed change: the two setup commands and each committed apply.
      expect(store.audit(1000).length).toBe(2 + perDeployment.size);
    } finally {
      store.close();
    }
    // SQLite's own shell agrees, reading the file independently of better-sqlite3.
    const shell = spawnSync(
      'sqlite3',
      ['-readonly', state, 'PRAGMA integrity_check;', "SELECT count(*) FROM objects WHERE kind = 'Pod';"],
      { encoding: 'utf8' },
    );
    if (shell.error && !inCI) return sayMissing('sqlite3 (for its check of the state file)'); // CI installs it (.ci/run)
    expect(shell.stdout.trim().split('\n')).toEqual(['ok', String(podCount)]);
  });

  it('serialises concurrent writers: every change of CLIs running at once lands, none is lost', async () => {
    const state = join(tempDir('anvil-concurrent-'), 'state.db');
    expect(spawnSync(process.execPath, [BIN, 'cluster', 'create', 'c', '--nodes', '3', '--state', state]).status).toBe(0);
    const names = Array.from({ length: 12 }, (_, i) => `team${i}`);
    const codes = await Promise.all(names.map((n) => run(['tenant', 'create', n, '--state', state])));
    expect(codes).toEqual(names.map(() => 0));
    const store = Store.open(state);
    try {
      expect(store.read((s) => names.filter((n) => s.tenants.has(n)))).toEqual(names);
      expect(store.audit(100).filter((a) => a.action === 'create namespaces')).toHaveLength(12);
    } finally {
      store.close();
    }
  });
});
