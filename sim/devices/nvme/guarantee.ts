/**
 * What an NVMe drive of the model can guarantee: the I/O rate of one size and read/write mix it keeps
 * with a given number of requests outstanding (the storage QoS's dispatch depth), from its parameters
 * alone, without running the model. Admission counts reservations against it, so that what the control
 * plane admits the model keeps.
 *
 * The rule, per I/O of `size` bytes, a read with probability r:
 * 1. Service demand per resource (seconds of the resource per I/O, over its parallel units), the read's
 *    and the write's weighted by r and 1 - r:
 *    - controller cores: command time + size / data rate, over the cores;
 *    - PCIe, one direction each: payload + a TLP header per max payload;
 *    - dies: a read reads max(1, ceil(size / page)) pages of the mean read time; a write costs its share
 *      of a program unit times the program, the GC copies (write amplification - 1, each a multi-plane
 *      read of the unit and a program) and the erases (one per block of programs);
 *    - channels: a read's data; a write's program unit transfers (a GC copy moves a unit twice).
 *    The busiest resource bounds the rate: peak = 1 / max(demand). A read that finds its die programming
 *    suspends the program (`media.program_suspend`), which costs the die that latency too: the dies'
 *    bound counts it (a quadratic in the rate, since how often a die is programming grows with it).
 * 2. The depth bound: with `depth` requests outstanding a read's die time is spent queued behind the
 *    others' on the same die. Mean value analysis (MVA) of a closed network of `depth` customers over
 *    the dies (a read visits one at random per page, its pages in parallel) plus a delay for the rest of
 *    an I/O's path gives the rate. MVA is exact for exponential service; the model's die reads vary less (three page
 *    types), so its queues are shorter and the model does better than the bound: 348K against the 394K
 *    the model serves for the P4510 at depth 64 (bench/scenarios/full-node.yaml before admission
 *    followed this rule: `anvil run bench/scenarios/full-node.yaml --target sim`).
 *    Measured the same way (N pods of one tier on one appliance-d10 node, each at its reservation), the
 *    model serves 4K random 70/30 at 162K (the rule: 161.8K), 4K random writes at 64.5K (63.7K), and
 *    128K random reads two at a time (the QoS's 64 units hold two) at 6.0K (6.0K); 8K 70/30 gives 93K
 *    against the rule's 91K. Scenarios of N pods of one tier on one appliance-d10 node, greedy, through
 *    `anvil run FILE --target sim` (test/platform/cluster/admission-kept.test.ts writes them).
 * 3. Headroom: a reservation at the very peak leaves the bottleneck fully busy, where queues (and the
 *    model's variance) grow without bound; the guarantee is `utilisation` of the lesser of the two.
 */
import type { GuaranteeLoad } from '../device.js';
import type { NvmeConfig } from './params.js';

/**
 * Mean value analysis of `customers` cycling through a delay of `delay_s` and `visits` reads of `service_s`
 * each on `stations` identical queues picked at random, the visits of one cycle made in parallel (a read's
 * pages on different dies): the cycle rate, per second. Exact MVA when `visits` is 1 and service is exponential.
 */
function closedNetworkRate(customers: number, stations: number, service_s: number, visits: number, delay_s: number): number {
  let queuePerStation = 0;
  let rate = 0;
  for (let n = 1; n <= customers; n++) {
    const residence = service_s * (1 + queuePerStation);
    rate = n / (delay_s + residence);
    queuePerStation = (rate * visits * residence) / stations;
  }
  return rate;
}

/** Seconds of each resource one I/O takes, per direction: `[read, write]` per resource, over its parallel units. */
function nvmeServiceDemands(
  cfg: NvmeConfig,
  size_bytes: number,
): { readonly name: string; readonly read_s: number; readonly write_s: number }[] {
  const s = size_bytes;
  const pcieNsPerByte = 1e9 / cfg.pcie_bytes_per_s;
  const pcie_ns = s * pcieNsPerByte + Math.ceil(s / cfg.pcieMaxPayload_bytes) * cfg.pcieTlpOverhead_bytes * pcieNsPerByte;
  const channelNsPerByte = 1e9 / cfg.channel_bytes_per_s;
  const pages = Math.max(1, Math.ceil(s / cfg.page_bytes));
  const units = s / cfg.programUnit_bytes;
  const wa = cfg.randomWriteAmplification;
  const gcCopyArray_ns = cfg.pagesPerProgram * cfg.read_ns;
  const erases = cfg.unitsPerBlock === Infinity ? 0 : (wa * cfg.erase_ns) / cfg.unitsPerBlock;
  const programXfer_ns = cfg.programUnit_bytes * channelNsPerByte;
  return [
    {
      name: 'controller',
      read_s: (cfg.readCommand_ns + (s * 1e9) / cfg.readDataRate_bytes_per_s) / cfg.cores / 1e9,
      write_s: (cfg.writeCommand_ns + (s * 1e9) / cfg.writeDataRate_bytes_per_s) / cfg.cores / 1e9,
    },
    { name: 'pcie device-to-host', read_s: pcie_ns / 1e9, write_s: 0 },
    { name: 'pcie host-to-device', read_s: 0, write_s: pcie_ns / 1e9 },
    {
      name: 'dies',
      read_s: (pages * cfg.read_ns) / cfg.dies / 1e9,
      write_s: (units * (cfg.program_ns + (wa - 1) * (gcCopyArray_ns + cfg.program_ns) + erases)) / cfg.dies / 1e9,
    },
    {
      name: 'channels',
      read_s: (s * channelNsPerByte) / cfg.channels / 1e9,
      write_s: (units * (1 + 2 * (wa - 1)) * programXfer_ns) / cfg.channels / 1e9,
    },
  ];
}

/** I/Os a second of `load`'s size and mix the drive keeps at `load.depth` outstanding, after the headroom (see the file's comment). */
export function nvmeGuaranteedIops(cfg: NvmeConfig, load: GuaranteeLoad): number {
  const r = load.readFraction;
  if (!(r >= 0 && r <= 1)) throw new RangeError(`readFraction must be within 0..1, got ${r}`);
  if (!(load.size_bytes > 0)) throw new RangeError(`size_bytes must be > 0, got ${load.size_bytes}`);
  if (!(load.depth >= 1)) throw new RangeError(`depth must be >= 1, got ${load.depth}`);
  if (!(load.utilisation > 0 && load.utilisation <= 1)) throw new RangeError(`utilisation must be within (0, 1], got ${load.utilisation}`);
  let peak = Infinity;
  for (const d of nvmeServiceDemands(cfg, load.size_bytes)) {
    const demand_s = r * d.read_s + (1 - r) * d.write_s;
    if (d.name !== 'dies' || cfg.programSuspend_ns < 0 || r === 0 || r === 1) {
      peak = Math.min(peak, 1 / demand_s);
      continue;
    }
    // A read that finds its die programming suspends the program, which costs the die the suspend
    // latency besides the read: with the die busy in the background (1 - r) x rate x write_s of the time,
    // the die time per I/O is demand + rate x r (1 - r) write_s suspend / dies. Setting it to one second
    // a second gives rate = (-a + sqrt(a^2 + 4b)) / 2b.
    const b = (r * (1 - r) * d.write_s * cfg.programSuspend_ns) / 1e9 / cfg.dies;
    peak = Math.min(peak, (-demand_s + Math.sqrt(demand_s * demand_s + 4 * b)) / (2 * b));
  }
  let depthBound = Infinity;
  if (r > 0) {
    const s = load.size_bytes;
    const pages = Math.max(1, Math.ceil(s / cfg.page_bytes));
    const pcie_ns = (s * 1e9) / cfg.pcie_bytes_per_s;
    // Everything but the die read: controller, channel transfer and link for a read; a buffered write whole.
    const channel_ns = (s * 1e9) / cfg.channel_bytes_per_s / Math.min(pages, cfg.channels);
    const readDelay_ns = cfg.readCommand_ns + (s * 1e9) / cfg.readDataRate_bytes_per_s + channel_ns + pcie_ns;
    const writeDelay_ns = cfg.writeCommand_ns + (s * 1e9) / cfg.writeDataRate_bytes_per_s + pcie_ns + cfg.bufferWrite_ns;
    const delay_s = (r * readDelay_ns + (1 - r) * writeDelay_ns) / 1e9;
    // A read's pages queue on the dies, read in parallel; a cycle is a read with probability r.
    depthBound = closedNetworkRate(load.depth, cfg.dies, (r * cfg.read_ns) / 1e9, pages, delay_s);
  }
  return Math.floor(Math.min(peak, depthBound) * load.utilisation);
}
