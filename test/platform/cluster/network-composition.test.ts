/**
 * Composition against arithmetic on hci: a remote plex's read is the local read plus the fabric and target
 * terms of the coefficient file (serialization of the command and the 4K data on the storage links, the
 * cables, the switch, the target's processing); a mirrored write is never faster than its slowest plex.
 */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../bench/stack-coefficients.js';
import { fabricLatencies } from '../../../sim/network/build.js';
import { DEFAULT_FRAMING, serialization_ns, wireBytes } from '../../../sim/network/framing.js';
import { NVME_COMMAND_BYTES, RACK_CABLE_M } from '../../../platform/cluster/assemble-network.js';
import { runHciModel } from './network-scenario.js';

/** appliance-d10's storage port, bits/s. */
const STORAGE_PORT_BITS = 20e9;

const scenario = (volumes: string, pods: string, workloads: string) => `kind: ClusterScenario
name: composition
stack: hci
seed: 2
duration: 400ms
warmup: 20ms
interval: 100ms
nodes:
  - { name: node-a, profile: appliance-d10, labels: { side: a } }
  - { name: node-b, profile: appliance-d10, labels: { side: b } }
networks:
  - { name: blue, subnet: 10.30.0.0/24, start: 10.30.0.10, end: 10.30.0.250, gateway: 10.30.0.1, default: true }
tenants:
  - name: t
volumes:
${volumes}pods:
${pods}workloads:
${workloads}`;

const qd1 = (pod: string, volume: string, rw: string) =>
  `  - pod: ${pod}\n    volume: ${volume}\n    job: |\n      [j]\n      rw=${rw}\n      bs=4k\n      iodepth=1\n      time_based\n      runtime=1s\n`;

describe('composition against arithmetic (hci)', () => {
  it("a remote read's mean latency is the local one plus the fabric and target terms, within 2%", () => {
    const run = runHciModel(
      scenario(
        '  - { name: near, tenant: t, size: 10Gi, node_selector: { side: a } }\n  - { name: far, tenant: t, size: 10Gi, node_selector: { side: b } }\n',
        '  - { name: local-reader, tenant: t, cpu: 1, memory: 1Gi, volumes: [near], node_selector: { side: a } }\n' +
          '  - { name: remote-reader, tenant: t, cpu: 1, memory: 1Gi, volumes: [far], node_selector: { side: a } }\n',
        qd1('local-reader', 'near', 'randread') + qd1('remote-reader', 'far', 'randread'),
      ),
    );
    expect(run.built.volumes.get('t/far')!.plexNodes).toEqual(['node-b']);
    const c = loadStackCoefficients();
    const f = fabricLatencies(c, RACK_CABLE_M);
    // Out: the command; back: the 4K of data; each way NIC, cable, cut-through switch, cable.
    const oneWay = 2 * f.cable_ns + f.switch_latency_ns;
    const fabric_ns =
      serialization_ns(wireBytes(NVME_COMMAND_BYTES, DEFAULT_FRAMING), STORAGE_PORT_BITS) +
      serialization_ns(wireBytes(4096, DEFAULT_FRAMING), STORAGE_PORT_BITS) +
      2 * oneWay;
    // The coefficient is the whole added latency of NVMe over Ethernet; the target has what the fabric's round trip leaves.
    const target_ns = c.hci.nvmeof_added_latency_us.value * 1000 - 2 * oneWay;
    const local = run.unit('t/local-reader').recorder.read;
    const remote = run.unit('t/remote-reader').recorder.read;
    expect(local.total_ios).toBeGreaterThan(1000);
    expect(remote.total_ios).toBeGreaterThan(1000);
    const expected = local.clat.mean_ns + fabric_ns + target_ns;
    expect(Math.abs(remote.clat.mean_ns - expected) / expected).toBeLessThan(0.02);
    // Only the storage ports carried it: the client's port sent commands alone (a whole number of them), no data.
    const commands =
      run.built.network.ports.get('node-a/storage0')!.rack.port.wireBusy_ns /
      serialization_ns(wireBytes(NVME_COMMAND_BYTES, DEFAULT_FRAMING), STORAGE_PORT_BITS);
    expect(commands).toBeGreaterThanOrEqual(remote.total_ios);
    expect(Math.abs(commands - Math.round(commands))).toBeLessThan(1e-6 * commands);
    expect(run.built.network.ports.get('node-a/pod0')!.rack.port.wireBusy_ns).toBe(0);
  });

  it('a mirrored write is never faster than its slowest plex', () => {
    const run = runHciModel(
      scenario(
        '  - { name: both, tenant: t, size: 10Gi, mirrors: 2 }\n' +
          '  - { name: near, tenant: t, size: 10Gi, node_selector: { side: a } }\n' +
          '  - { name: far, tenant: t, size: 10Gi, node_selector: { side: b } }\n',
        '  - { name: mirror-writer, tenant: t, cpu: 1, memory: 1Gi, volumes: [both], node_selector: { side: a } }\n' +
          '  - { name: local-writer, tenant: t, cpu: 1, memory: 1Gi, volumes: [near], node_selector: { side: a } }\n' +
          '  - { name: remote-writer, tenant: t, cpu: 1, memory: 1Gi, volumes: [far], node_selector: { side: a } }\n',
        qd1('mirror-writer', 'both', 'randwrite') + qd1('local-writer', 'near', 'randwrite') + qd1('remote-writer', 'far', 'randwrite'),
      ),
    );
    expect([...run.built.volumes.get('t/both')!.plexNodes].sort()).toEqual(['node-a', 'node-b']);
    const mirror = run.unit('t/mirror-writer').recorder.write;
    const local = run.unit('t/local-writer').recorder.write;
    const remote = run.unit('t/remote-writer').recorder.write;
    expect(remote.clat.mean_ns).toBeGreaterThan(local.clat.mean_ns);
    expect(mirror.clat.mean_ns).toBeGreaterThanOrEqual(remote.clat.mean_ns);
    expect(mirror.clat.min_ns).toBeGreaterThanOrEqual(Math.max(local.clat.min_ns, remote.clat.min_ns));
  });
});
