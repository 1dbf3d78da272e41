/**
 * A measured node dropped into a simulated cluster: `anvil host inspect --from CAPTURE --out FILE`, then
 * `anvil cluster create --node-profile FILE`, through the built CLI; the nodes' inventory is the capture's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeProfile, type HostCapture } from '../../bench/discovery/inspect.js';
import { tempDir } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const CAPTURE = join(process.cwd(), 'test', 'bench', 'discovery', 'fixtures', 'synthetic-nvme-sriov-capture.json');

function anvil(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface StatusJson {
  nodes: {
    name: string;
    inventory: {
      cpu_millicores: number;
      memory_bytes: number;
      drives: { profile: string; capacity_bytes: number }[];
      nic_ports: { name: string; role: string; vfs: number; speed_bits_per_s: number }[];
    };
  }[];
}

describe('anvil host inspect --out into anvil cluster create --node-profile', () => {
  it('creates a cluster of measured nodes whose inventory is the capture', () => {
    const discovered = nodeProfile(JSON.parse(readFileSync(CAPTURE, 'utf8')) as HostCapture);
    const nvme = discovered.drives.filter((d) => d.kind === 'nvme');
    expect(nvme.length).toBeGreaterThan(0);
    const dir = tempDir('anvil-measured-node-');
    const file = join(dir, 'node.yaml');
    const state = join(dir, 'state.db');

    const inspect = anvil(['host', 'inspect', '-o', 'json', '--from', CAPTURE, '--out', file]);
    expect(inspect.stderr).toBe('');
    expect(inspect.code).toBe(0);
    // stdout stays the raw discovery view; the file is the control plane's format, with its sources.
    expect(JSON.parse(inspect.stdout)).toEqual(discovered);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/# measured: anvil host inspect on node-a/);
    expect(text).toMatch(/# default: not measured by host inspect.*\nguaranteeable:/);

    const create = anvil(['cluster', 'create', 'c1', '--nodes', '2', '--node-profile', file, '--state', state]);
    expect(create.stderr).toBe('');
    expect(create.code).toBe(0);
    const status = JSON.parse(anvil(['cluster', 'status', '-o', 'json', '--state', state]).stdout) as StatusJson;
    expect(status.nodes).toHaveLength(2);
    for (const node of status.nodes) {
      expect(node.inventory.cpu_millicores).toBe(discovered.cpu.threads * 1000);
      expect(node.inventory.memory_bytes).toBe(discovered.memory_bytes);
      expect(node.inventory.drives.map((d) => d.capacity_bytes)).toEqual(nvme.map((d) => d.capacity_bytes));
      const sriov = discovered.nics.filter((n) => n.sriov !== null);
      const pods = node.inventory.nic_ports.find((p) => p.role === 'pods');
      expect(pods?.name).toBe(sriov[0]?.name);
      expect(pods?.vfs).toBe(sriov[0]?.sriov?.total_vfs);
      expect(pods?.speed_bits_per_s).toBe(sriov[0]?.speed_bps);
    }
  });

  it('a host inspect report given as --node-profile is refused with the command that writes a profile', () => {
    const dir = tempDir('anvil-measured-node-');
    const report = join(dir, 'report.yaml');
    const inspect = anvil(['host', 'inspect', '-o', 'yaml', '--from', CAPTURE]);
    expect(inspect.code).toBe(0);
    writeFileSync(report, inspect.stdout);
    const create = anvil(['cluster', 'create', 'c1', '--nodes', '1', '--node-profile', report, '--state', join(dir, 'state.db')]);
    expect(create.code).toBe(1);
    expect(create.stderr).toContain(`ANVIL_ERR_NODE_PROFILE: ${report} is a host inspect report`);
    expect(create.stderr).toContain('anvil host inspect --out PROFILE.yaml');
    expect(create.stderr).not.toMatch(/\n\s+at /);
  });
});
