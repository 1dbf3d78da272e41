/**
 * Discovery: node profiles from captured sources (this VM's real capture, and a synthetic NVMe +
 * SR-IOV node for the paths a VM cannot show), and a live capture of this machine through the CLI.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { captureHost, nodeProfile, type HostCapture } from '../../../bench/discovery/inspect.js';
import { NodeProfileSchema } from '../../../bench/discovery/discovered-node.js';
import { parseCpuinfo } from '../../../bench/discovery/cpu-memory.js';
import { inspectCommand } from '../../../platform/cli/host-commands.js';
import { tempDir } from '../../cli-harness.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const load = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as HostCapture;

describe('node profiles from captures', () => {
  it('reads this VM: 2 threads, memory, the virtio disk (not the empty zram), eth0 without SR-IOV', () => {
    const p = nodeProfile(load('this-vm-capture.json'));
    expect(Value.Check(NodeProfileSchema, p)).toBe(true);
    expect(p.cpu).toEqual({ model: 'Intel(R) Xeon(R) Processor', sockets: 1, cores: 2, threads: 2 });
    expect(p.memory_bytes).toBe(24684084 * 1024);
    expect(p.drives).toEqual([
      {
        name: 'vda',
        kind: 'virtual',
        model: null,
        serial: null,
        capacity_bytes: 274877906944,
        logical_sector_bytes: 512,
        physical_sector_bytes: 4096,
        transport: null,
      },
    ]);
    expect(p.nics).toEqual([
      { name: 'eth0', mac: '02:fc:00:00:00:01', speed_bps: null, mtu: 1400, state: 'up', driver: 'virtio_net', sriov: null },
    ]);
    expect(p.source).toMatch(/^measured by anvil host inspect on vm, \d{4}-\d\d-\d\d$/);
  });

  it('reads NVMe from nvme-cli, sockets and cores from cpuinfo, SR-IOV VFs and link speed from sysfs', () => {
    const c = load('synthetic-nvme-sriov-capture.json');
    const p = nodeProfile(c);
    expect(Value.Check(NodeProfileSchema, p)).toBe(true);
    expect(p.cpu).toMatchObject({ sockets: 2, cores: 4, threads: 8 });
    expect(p.drives.map((d) => [d.name, d.kind, d.firmware ?? null])).toEqual([
      ['nvme0n1', 'nvme', 'VDV10131'],
      ['sda', 'ssd', null],
      ['nvme1n1', 'nvme', 'VDV10131'],
    ]);
    expect(p.nics.map((n) => [n.name, n.speed_bps, n.sriov])).toEqual([
      ['eno1', null, null],
      ['ens1f0', 25e9, { total_vfs: 64, num_vfs: 8 }],
    ]);
    // Without nvme-cli the same namespaces come from sysfs.
    const fromSysfs = nodeProfile({ ...c, nvmeList: null });
    expect(fromSysfs.drives.filter((d) => d.kind === 'nvme').map((d) => [d.name, d.serial, d.capacity_bytes])).toEqual([
      ['nvme0n1', 'PHLJ000000004P0DGN', 3840755982336],
      ['nvme1n1', 'PHLJ000000005P0DGN', 7501476528 * 512],
    ]);
  });

  it('counts each logical CPU as a core when cpuinfo has no topology', () => {
    expect(parseCpuinfo('processor : 0\nmodel name : X\n\nprocessor : 1\nmodel name : X\n')).toEqual({
      model: 'X',
      sockets: 1,
      cores: 2,
      threads: 2,
    });
  });
});

describe('anvil host inspect', () => {
  it('captures this machine into a valid profile, and rebuilds the same profile from the capture', async () => {
    const capture = await captureHost();
    const p = nodeProfile(capture);
    expect(Value.Check(NodeProfileSchema, p)).toBe(true);
    expect(p.cpu.threads).toBeGreaterThanOrEqual(1);
    expect(p.memory_bytes).toBeGreaterThan(0);

    const dir = tempDir('anvil-inspect-test-');
    let json = '';
    await inspectCommand(
      { output: 'json', out: join(dir, 'node.yaml'), capture: join(dir, 'capture.json') },
      { stdout: { write: (t: string) => (json += t) } },
    );
    const printed = JSON.parse(json) as unknown;
    expect(Value.Check(NodeProfileSchema, printed)).toBe(true);
    // --out writes the control-plane format (test/platform/host-inspect-node-profile.test.ts) from the same figures.
    expect(parse(readFileSync(join(dir, 'node.yaml'), 'utf8'))).toMatchObject({
      name: p.name,
      cpu_millicores: p.cpu.threads * 1000,
      memory: p.memory_bytes,
    });
    let again = '';
    await inspectCommand({ output: 'json', from: join(dir, 'capture.json') }, { stdout: { write: (t: string) => (again += t) } });
    expect(JSON.parse(again)).toEqual(printed);
    await expect(inspectCommand({ output: 'json', from: join(dir, 'missing.json') })).rejects.toMatchObject({
      code: 'ANVIL_ERR_FILE_NOT_FOUND',
    });
    rmSync(dir, { recursive: true, force: true });
  });
});
