/**
 * The `nvme` profile schema (types, validation, defaults and help text in one place) and its resolution
 * into plain numbers in base units (ns, bytes, bytes per second) that the model's hot path reads.
 *
 * Sizes use fio's notation (sim/core/units.ts): "16k" and "48G" are 1024-based; a bare number is bytes.
 * Defaults describe a PCIe 3.0 x4 TLC drive (they are the `intel-p4510-4tb` profile's values).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseByteRate, parseDuration, parseSize } from '../../core/units.js';
import { RANGES, rangedByteRate, rangedDuration, rangedSize, type FieldRange } from '../schema-types.js';
import { serviceTimeProblems, serviceTimeSchema, type ServiceTimeSpec } from '../service-time.js';

// Every field says the range the model can run: rates and the sizes it divides by are > 0, times and
// sizes have maximums no drive comes near (so a typo cannot make a run loop or overflow).
const size = (def: string, range: FieldRange, description: string) => rangedSize(range, { default: def, description });
const duration = (def: string, description: string) => rangedDuration(RANGES.time, { default: def, description });
const rate = (def: string, description: string) => rangedByteRate(RANGES.rate, { default: def, description });
/** A page or TLP payload: 1 byte to 1 MiB (a read loops over its pages). */
const UNIT_BYTES: FieldRange = { min: 0, minExclusive: true, max: 2 ** 20 };
/** A buffer or a die: above 0, at most 1 PiB. */
const BIG_BYTES: FieldRange = RANGES.capacity;
/** A media page: 512 bytes to 1 MiB (a read loops over its pages, so tiny pages would make large reads slow to model). */
const PAGE_BYTES: FieldRange = { min: 512, max: 2 ** 20 };
const count = (def: number, max: number, description: string) => Type.Integer({ minimum: 1, maximum: max, default: def, description });

const hostSchema = Type.Object(
  {
    max_commands: count(1024, 65536, 'commands the drive holds at once (fetched from its submission queues); more wait in the host queue'),
    pcie_bandwidth: rate('3.938GB/s', 'PCIe link rate per direction after line coding, e.g. "3.938GB/s" (Gen3 x4), "7.877GB/s" (Gen4 x4)'),
    pcie_max_payload: size('256', UNIT_BYTES, 'largest data payload of one PCIe transaction layer packet (TLP), bytes'),
    pcie_tlp_overhead: size('24', { min: 0, max: 4096 }, 'bytes each TLP adds to its payload (header, sequence number, LCRC, framing)'),
  },
  { additionalProperties: false, default: {}, description: 'host interface: command queue and PCIe link' },
);

/**
 * A per-command spread of a core's time: the distribution's mean is taken out of the command's fixed
 * core time (not below 0) and one draw added, so mean latency and throughput stay as fitted.
 */
const spread = (op: 'read' | 'write') =>
  Type.Union(serviceTimeSchema.anyOf, {
    description: `spread of a ${op} command's core time, e.g. { dist: lognormal, mean: 0.1us, stddev: 0.37us }: its mean replaces that much of the fixed ${op}_command + size/${op}_data_rate (not below 0) and each command adds one draw, so the mean latency and throughput stay as fitted while the tail follows the distribution; absent: every ${op} command takes the same time`,
  });

const controllerSchema = Type.Object(
  {
    cores: count(4, 64, 'firmware cores: commands processed in parallel (servers of the controller queue)'),
    read_command: duration('1.1us', 'core time per read command, besides its data'),
    read_data_rate: rate('805MB/s', 'rate at which one core moves read data (ECC decode, DMA setup): adds size/rate per read'),
    write_command: duration('13.8us', 'core time per write command, besides its data'),
    write_data_rate: rate('1GB/s', 'rate at which one core moves write data: adds size/rate per write'),
    trim_command: Type.Optional(
      rangedDuration(RANGES.time, {
        description:
          'core time per trim (Dataset Management deallocate) command: a mapping-table update, no NAND program; absent: write_command',
      }),
    ),
    trim_rate: Type.Optional(
      rangedByteRate(RANGES.rate, {
        description: 'bytes of LBA range one core deallocates per second: adds size/rate per trim; absent: no size-dependent cost',
      }),
    ),
    read_spread: Type.Optional(spread('read')),
    write_spread: Type.Optional(spread('write')),
  },
  { additionalProperties: false, default: {}, description: 'controller firmware: a multi-server queue, FIFO' },
);

const writeBufferSchema = Type.Object(
  {
    capacity: size('16M', BIG_BYTES, 'power-loss-protected DRAM write buffer; writes wait for space when it is full'),
    write_time: duration('1us', "time to place a write's data in the buffer, after its PCIe transfer"),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'write buffer: writes complete once buffered, flushed to the media in program units',
  },
);

const mediaSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('nand'), Type.Literal('xpoint')], {
      default: 'nand',
      description: 'nand (erase before write, garbage collection) or xpoint (3D XPoint: write in place, no erase, no GC)',
    }),
    channels: count(12, 64, 'flash channels (buses between controller and dies)'),
    dies_per_channel: count(7, 64, 'dies on each channel; dies work in parallel'),
    planes: count(2, 16, 'planes per die, programmed and erased together (multi-plane)'),
    page_size: size('16k', PAGE_BYTES, 'page size: the unit addresses are striped over dies by, and of a read'),
    pages_per_program: count(3, 8, 'pages per plane written by one program operation (3 for one-shot TLC, 1 for SLC/xpoint)'),
    pages_per_block: count(1536, 65536, 'pages per block per plane (erase unit)'),
    die_capacity: size(
      '48G',
      BIG_BYTES,
      'raw capacity of one die; with the dies it gives the spare factor when gc.spare_factor is not set',
    ),
    channel_rate: rate('533MB/s', 'channel transfer rate, bytes per second'),
    read: Type.Union(
      [
        rangedDuration(RANGES.time, { description: 'array read time' }),
        Type.Array(rangedDuration(RANGES.time, { description: 'array read time of one page type' }), { minItems: 1, maxItems: 8 }),
      ],
      {
        default: '100us',
        description:
          'array read time of a page (tR), or one per page type (e.g. TLC LSB, CSB, MSB), taken in turn by the successive pages of a die',
      },
    ),
    program: duration('4.6ms', 'program time of one program unit (tPROG)'),
    erase: duration('3ms', 'block erase time (tBERS); unused for xpoint'),
    program_suspend: Type.Optional(
      rangedDuration(RANGES.time, {
        description:
          'latency to suspend a program (or GC copy) so a host read can go first; absent: reads wait for programs. Erases are never suspended',
      }),
    ),
  },
  { additionalProperties: false, default: {}, description: 'the storage media behind the controller' },
);

const gcSchema = Type.Object(
  {
    policy: Type.Union([Type.Literal('lrw'), Type.Literal('none')], {
      default: 'lrw',
      description:
        'steady-state cleaning model: lrw (least-recently-written/FIFO victim, Desnoyers 2012) or none (no GC, write amplification 1)',
    }),
    spare_factor: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: 10,
        description: 'over-provisioning as (physical - logical) / logical; derived from media when absent',
      }),
    ),
    write_amplification: Type.Optional(
      Type.Number({ minimum: 1, maximum: 100, description: 'write amplification of random writes, overriding the analytic model' }),
    ),
    sequential_streams: count(16, 1024, 'write streams tracked to recognise sequential writes (written with amplification 1)'),
    initial_state: Type.Union([Type.Literal('preconditioned'), Type.Literal('fresh')], {
      default: 'preconditioned',
      description:
        'where the drive starts: preconditioned (garbage collection at its steady state from the first write, as datasheets measure) or fresh (out of the box: no cleaning until every block has been written once, then the cliff down to the steady state, as SNIA PTS shows)',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: "garbage collection from the drive's state: cleaning the least-recently-written block, settling at the steady state",
  },
);

const figure = (unitHelp: string) =>
  Type.Object(
    {
      value: Type.Number({ exclusiveMinimum: 0, maximum: 1e13, description: unitHelp }),
      bs: size('4k', UNIT_BYTES, 'block size of the published test'),
      iodepth: count(1, 65536, 'queue depth of the published test, per job'),
      numjobs: count(1, 1024, 'jobs (workers) of the published test'),
      rw: Type.Optional(Type.String({ description: 'note on the test, e.g. "70/30"' })),
    },
    { additionalProperties: false },
  );

const latencyFigure = Type.Object(
  {
    value: rangedDuration(RANGES.positiveTime, { description: 'mean completion latency, e.g. "115us"' }),
    bs: size('4k', UNIT_BYTES, 'block size of the published test'),
    iodepth: count(1, 65536, 'queue depth of the published test, per job'),
    numjobs: count(1, 1024, 'jobs (workers) of the published test'),
  },
  { additionalProperties: false },
);

/** Published figures a profile reproduces; the tests check every one that is present. */
export const datasheetSchema = Type.Object(
  {
    randread_4k_iops: Type.Optional(figure('4 KiB random read I/Os per second')),
    randwrite_4k_iops: Type.Optional(figure('4 KiB random write I/Os per second, steady state')),
    seqread_bytes_per_s: Type.Optional(figure('sequential read bytes per second')),
    seqwrite_bytes_per_s: Type.Optional(figure('sequential write bytes per second')),
    read_latency_qd1: Type.Optional(latencyFigure),
    write_latency_qd1: Type.Optional(latencyFigure),
  },
  { additionalProperties: false, description: 'published figures the profile is checked against' },
);

export const nvmeSchema = Type.Object(
  {
    kind: Type.Literal('nvme'),
    name: Type.Optional(Type.String({ description: 'the drive this profile describes' })),
    description: Type.Optional(Type.String({ description: 'what the profile models and how it was fitted' })),
    capacity: size('4000787030016', RANGES.capacity, 'user capacity in bytes (what jobs address), e.g. "4000787030016" or "3.84T"'),
    host: hostSchema,
    controller: controllerSchema,
    write_buffer: writeBufferSchema,
    media: mediaSchema,
    gc: gcSchema,
    datasheet: Type.Optional(datasheetSchema),
    sources: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'where each figure came from, keyed by its path ("media.read"): URL and year, "derived: ..." or "fitted: ..."',
      }),
    ),
  },
  { additionalProperties: false },
);

export type NvmeParams = Static<typeof nvmeSchema>;
export type Datasheet = Static<typeof datasheetSchema>;

/** The parameters in base units, as the model uses them. */
export interface NvmeConfig {
  readonly capacity_bytes: number;
  readonly maxCommands: number;
  readonly pcie_bytes_per_s: number;
  readonly pcieMaxPayload_bytes: number;
  readonly pcieTlpOverhead_bytes: number;
  readonly cores: number;
  readonly readCommand_ns: number;
  readonly readDataRate_bytes_per_s: number;
  readonly writeCommand_ns: number;
  readonly writeDataRate_bytes_per_s: number;
  /** Core time per trim command, ns. */
  readonly trimCommand_ns: number;
  /** Bytes of LBA range a core deallocates per second (Infinity: no size-dependent cost). */
  readonly trimRate_bytes_per_s: number;
  /** Spread of a read command's core time (durations in the spec; the device draws it in ns), or none. */
  readonly readSpread: ServiceTimeSpec | undefined;
  /** Spread of a write command's core time, or none. */
  readonly writeSpread: ServiceTimeSpec | undefined;
  readonly buffer_bytes: number;
  readonly bufferWrite_ns: number;
  readonly media: 'nand' | 'xpoint';
  readonly channels: number;
  readonly dies: number;
  readonly planes: number;
  readonly page_bytes: number;
  readonly pagesPerProgram: number;
  readonly pagesPerBlock: number;
  readonly channel_bytes_per_s: number;
  /** Mean array read time, ns. */
  readonly read_ns: number;
  /** Array read time of each page type, ns; page p of a die (p = floor(page / dies)) has type p mod length. */
  readonly readByPageType_ns: readonly number[];
  readonly program_ns: number;
  readonly erase_ns: number;
  /** Latency to suspend a program for a host read, ns; -1 when programs are not suspended. */
  readonly programSuspend_ns: number;
  /** Bytes one program operation writes on a die: page x pages per program x planes. */
  readonly programUnit_bytes: number;
  /** Program units that fill a (multi-plane) block, after which the die erases one. */
  readonly unitsPerBlock: number;
  readonly gc: 'lrw' | 'none';
  /** (physical - logical) / logical, as used by the GC model (NaN when there is no GC). */
  readonly spareFactor: number;
  /** Write amplification of random writes in steady state (1 without GC). */
  readonly randomWriteAmplification: number;
  readonly sequentialStreams: number;
  /** Where the drive starts (flash-age.ts): at its steady state, or fresh out of the box. */
  readonly initialState: 'preconditioned' | 'fresh';
}

const bytes = (text: string, field: string): number => must(parseSize(text), field, text);
const ns = (text: string, field: string): number => must(parseDuration(text, 'ns'), field, text);
const perSecond = (text: string, field: string): number => must(parseByteRate(text), field, text);

function must(value: number | undefined, field: string, text: string): number {
  if (value === undefined || !Number.isFinite(value)) throw new RangeError(`nvme: ${field} "${text}" cannot be read`);
  return value;
}

/** A spread whose fields agree with each other (uniform min <= max, one weight per empirical value), or a RangeError naming the field. */
function checkedSpread(spec: ServiceTimeSpec | undefined, field: string): ServiceTimeSpec | undefined {
  if (spec === undefined) return undefined;
  const problem = serviceTimeProblems(spec, field)[0];
  if (problem) throw new RangeError(`nvme: ${problem.path}: ${problem.message}`);
  return spec;
}

/** User capacity in bytes (what jobs address): `capacity`, which must be greater than zero. */
export function nvmeCapacity(params: Pick<NvmeParams, 'capacity'>): number {
  const capacity_bytes = bytes(params.capacity, 'capacity');
  if (!(capacity_bytes > 0)) throw new RangeError('nvme: capacity must be greater than zero');
  return capacity_bytes;
}

/**
 * Fills defaults, converts units and derives the GC figures. Throws a RangeError naming the field when
 * the parameters are inconsistent (zero rates, xpoint with GC, less raw media than user capacity).
 */
export function resolveNvme(input: NvmeParams, writeAmplification: (spareFactor: number) => number): NvmeConfig {
  const p = Value.Default(nvmeSchema, Value.Clone(input)) as NvmeParams;
  const { host, controller, write_buffer: buffer, media, gc } = p;
  const positive = (value: number, field: string) => {
    if (!(value > 0)) throw new RangeError(`nvme: ${field} must be greater than zero`);
    return value;
  };
  const page_bytes = positive(bytes(media.page_size, 'media.page_size'), 'media.page_size');
  const dies = media.channels * media.dies_per_channel;
  const capacity_bytes = nvmeCapacity(p);
  const xpoint = media.type === 'xpoint';
  if (xpoint && gc.policy !== 'none') throw new RangeError('nvme: media.type xpoint writes in place; set gc.policy to none');
  const policy = gc.policy;
  let spareFactor = NaN;
  let wa = 1;
  if (policy === 'lrw') {
    const raw = dies * bytes(media.die_capacity, 'media.die_capacity');
    spareFactor = gc.spare_factor ?? raw / capacity_bytes - 1;
    if (!(spareFactor > 0)) {
      throw new RangeError(
        `nvme: raw media (${dies} dies x ${media.die_capacity}) must exceed the capacity for GC to work; give more dies or gc.spare_factor`,
      );
    }
    wa = gc.write_amplification ?? writeAmplification(spareFactor);
  }
  const programUnit_bytes = page_bytes * media.pages_per_program * media.planes;
  const readTypes = (typeof media.read === 'string' ? [media.read] : media.read).map((t, i) => ns(t, `media.read[${i}]`));
  const buffer_bytes = bytes(buffer.capacity, 'write_buffer.capacity');
  if (buffer_bytes < programUnit_bytes) {
    throw new RangeError(
      `nvme: write_buffer.capacity (${buffer.capacity}) must hold at least one program unit (${programUnit_bytes} bytes)`,
    );
  }
  return {
    capacity_bytes,
    maxCommands: host.max_commands,
    pcie_bytes_per_s: positive(perSecond(host.pcie_bandwidth, 'host.pcie_bandwidth'), 'host.pcie_bandwidth'),
    pcieMaxPayload_bytes: positive(bytes(host.pcie_max_payload, 'host.pcie_max_payload'), 'host.pcie_max_payload'),
    pcieTlpOverhead_bytes: bytes(host.pcie_tlp_overhead, 'host.pcie_tlp_overhead'),
    cores: controller.cores,
    readCommand_ns: ns(controller.read_command, 'controller.read_command'),
    readDataRate_bytes_per_s: positive(perSecond(controller.read_data_rate, 'controller.read_data_rate'), 'controller.read_data_rate'),
    writeCommand_ns: ns(controller.write_command, 'controller.write_command'),
    writeDataRate_bytes_per_s: positive(perSecond(controller.write_data_rate, 'controller.write_data_rate'), 'controller.write_data_rate'),
    trimCommand_ns: ns(controller.trim_command ?? controller.write_command, 'controller.trim_command'),
    trimRate_bytes_per_s:
      controller.trim_rate === undefined
        ? Infinity
        : positive(perSecond(controller.trim_rate, 'controller.trim_rate'), 'controller.trim_rate'),
    readSpread: checkedSpread(controller.read_spread, '/controller/read_spread'),
    writeSpread: checkedSpread(controller.write_spread, '/controller/write_spread'),
    buffer_bytes,
    bufferWrite_ns: ns(buffer.write_time, 'write_buffer.write_time'),
    media: media.type,
    channels: media.channels,
    dies,
    planes: media.planes,
    page_bytes,
    pagesPerProgram: media.pages_per_program,
    pagesPerBlock: media.pages_per_block,
    channel_bytes_per_s: positive(perSecond(media.channel_rate, 'media.channel_rate'), 'media.channel_rate'),
    read_ns: readTypes.reduce((a, b) => a + b, 0) / readTypes.length,
    readByPageType_ns: readTypes,
    program_ns: ns(media.program, 'media.program'),
    erase_ns: xpoint ? 0 : ns(media.erase, 'media.erase'),
    programSuspend_ns: media.program_suspend === undefined ? -1 : ns(media.program_suspend, 'media.program_suspend'),
    programUnit_bytes,
    unitsPerBlock: xpoint ? Infinity : Math.max(1, Math.floor(media.pages_per_block / media.pages_per_program)),
    gc: policy,
    spareFactor,
    randomWriteAmplification: wa,
    sequentialStreams: gc.sequential_streams,
    initialState: gc.initial_state,
  };
}
