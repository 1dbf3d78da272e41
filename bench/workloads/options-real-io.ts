/**
 * fio options that only change what real I/O does (the engine's parameters, the data written and
 * checked, file naming, CPU placement, threads against processes, the page cache, details of fio's log lines):
 * the model runs the job without them and says so once per option on stderr. Also the options that
 * change the I/O in a way the model does not have (zoned devices, steady-state and latency-target
 * searches, engines that do no block I/O): rejected by line with the reason. Rows only; `options.ts`
 * puts them into the one option table.
 */
import type { FioOption } from './option-row.js';

function rows(support: 'ignored' | 'rejected', note: string, help: string, names: readonly (string | readonly string[])[]): FioOption[] {
  return names.map((n) => {
    const [name, ...aliases] = typeof n === 'string' ? [n] : n;
    return { name: name!, aliases, support, kind: 'string', default: undefined, help, note };
  });
}

const ENGINE = "is a parameter of fio's I/O engine (how real I/O is issued or where it goes); the model ignores it";
const DATA = 'sets the data written or checked, not the I/O pattern; the model ignores it';
const FILES = 'names or manages files; the model addresses one device as one region';
const CPU = 'places fio on CPUs, memory or priorities; the model ignores it';
const STATS = 'changes which clocks fio reads; the model measures every latency and ignores it';
const CACHE = 'the model has no page cache: every I/O reaches the device, as with direct=1; the model ignores it';
const ERRORS = 'handles I/O errors, which the model does not produce; the model ignores it';
const LOGS =
  "sets a detail of fio's log lines (offsets, priorities, compression, clock) the model does not vary; it writes fio's default lines";
const ZONES = 'zoned devices (zonemode, zones) are not modelled; remove the zone options to run the job on a conventional drive';

/** Non-block engines: they do no I/O to a drive (they burn CPU, run programs, create or stat files). */
const NO_BLOCK_IO_ENGINES: Readonly<Record<string, string>> = {
  cpuio: 'burns CPU and does no I/O',
  exec: 'runs a program and does no I/O',
  filecreate: 'creates files (metadata) and does no data I/O',
  filestat: 'stats files (metadata) and does no data I/O',
  filedelete: 'deletes files (metadata) and does no data I/O',
  dircreate: 'creates directories and does no data I/O',
  dirstat: 'stats directories and does no data I/O',
  dirdelete: 'deletes directories and does no data I/O',
};

/** fio's `ioengine`: ignored, except an engine that does no block I/O, which the model cannot stand in for. */
export const IOENGINE_OPTION: FioOption = {
  name: 'ioengine',
  aliases: [],
  support: 'ignored',
  kind: 'string',
  default: 'psync',
  help: 'how fio issues I/O',
  note: 'only matters on real hardware; the model ignores it',
  refuse: (value) => {
    const engine = (value ?? '').trim();
    const why = NO_BLOCK_IO_ENGINES[engine];
    return why === undefined ? undefined : `ioengine=${engine} ${why}, so there is nothing for the drive model to run`;
  },
};

/** The rows: ignored (real I/O only) and rejected (not modelled), each with its reason. */
export const REAL_IO_OPTIONS: readonly FioOption[] = [
  ...rows('ignored', ENGINE, 'I/O engine parameter', [
    'cmd_type',
    'port',
    'hostname',
    'protocol',
    ['listen'],
    'pingpong',
    'ttl',
    'interface',
    'verb',
    'bindname',
    'https',
    'http_host',
    'http_user',
    'http_pass',
    'http_mode',
    'http_verbose',
    'http_s3_key',
    'http_s3_keyid',
    'http_s3_region',
    'http_s3_sse_customer_key',
    'http_s3_sse_customer_algorithm',
    'http_s3_storage_class',
    'http_swift_auth_token',
    'pool',
    'cont',
    'clientname',
    'rbdname',
    'conf',
    'busy_poll',
    'nfs_url',
    'uri',
    'volume',
    'brick',
    'libblkio_driver',
    'libblkio_path',
    'nonvectored',
    'registerfiles',
    'sqthread_poll',
    'sqthread_poll_cpu',
    'fixedbufs',
    'hipri',
    'gpu_dev_id',
    'gpu_dev_ids',
    'cuda_io',
    'rocm_io',
    ['mem', 'iomem'],
    'sg_write_mode',
    'write_mode',
    'apptag',
    'apptag_mask',
    'pi_act',
    'pi_chk',
    'md_per_io_size',
    ['fdp', 'data_placement'],
    ['plids', 'fdp_pli'],
    'readfua',
    'writefua',
    'io_submit_mode',
    ['iodepth_batch', 'iodepth_batch_submit'],
    ['iodepth_batch_complete_min', 'iodepth_batch_complete'],
    'iodepth_batch_complete_max',
    'donorname',
    'inplace',
    'atomic',
    'allow_file_create',
    'nowait',
    'skip_bad',
    'random_generator',
    ['blockalign', 'ba'],
  ]),
  ...rows('ignored', DATA, 'data contents', [
    'buffer_pattern',
    'scramble_buffers',
    'refill_buffers',
    'zero_buffers',
    'buffer_compress_percentage',
    'buffer_compress_chunk',
    'dedupe_percentage',
    'dedupe_mode',
    'dedupe_working_set_percentage',
    'dedupe_global',
    'verify_pattern',
    'verify_interval',
    'verify_dump',
    'verify_fatal',
    'verify_async',
    'verify_write_sequence',
    'verify_offset',
    'verify_state_save',
    'verify_state_load',
  ]),
  ...rows('ignored', FILES, 'file naming', [
    'directory',
    'filename_format',
    'create_on_open',
    'fallocate',
    'openfiles',
    'unlink',
    'create_serialize',
    'unique_filename',
    'lockfile',
    'pre_read',
    'file_append',
  ]),
  ...rows('ignored', CPU, 'CPU placement', [
    'thread',
    'cpus_allowed',
    'cpus_allowed_policy',
    'cpumask',
    'numa_cpu_nodes',
    'numa_mem_policy',
    'nice',
    'prio',
    'prioclass',
    'cmdprio',
    'cmdprio_class',
    'cmdprio_percentage',
    'cmdprio_bssplit',
    'log_prio',
    'gtod_cpu',
  ]),
  ...rows('ignored', STATS, 'clock use', [
    'gtod_reduce',
    'disable_slat',
    'disable_clat',
    'disable_lat',
    ['disable_bw_measurement', 'disable_bw'],
    'block_error_percentiles',
  ]),
  ...rows('ignored', CACHE, 'page cache', ['buffered', 'invalidate', 'sync']),
  ...rows('ignored', ERRORS, 'error handling', ['continue_on_error', 'ignore_error', 'error_dump']),
  ...rows('ignored', LOGS, 'log files', ['log_offset', 'log_max_value', 'log_compression', 'log_unix_epoch', 'log_alternate_epoch']),
  ...rows('rejected', ZONES, 'zoned devices', [
    'zonerange',
    'zonecapacity',
    'max_open_zones',
    'job_max_open_zones',
    'read_beyond_wp',
    'zone_reset_threshold',
    'zone_reset_frequency',
    'ignore_zone_limits',
  ]),
  ...rows(
    'rejected',
    "a steady-state search ends the job when fio's criterion holds, which the model does not evaluate; remove it and set runtime",
    'steady state',
    [
      ['steadystate', 'ss'],
      ['steadystate_duration', 'ss_dur'],
      ['steadystate_ramp_time', 'ss_ramp'],
      ['steadystate_check_interval', 'ss_interval'],
    ],
  ),
  ...rows(
    'rejected',
    'a latency-target search changes the queue depth as fio measures, which the model does not do; give iodepth instead',
    'latency target',
    ['latency_target', 'latency_window', 'latency_percentile', 'latency_run'],
  ),
  ...rows('rejected', 'belongs to a non-block engine (cpuio, exec), which does no I/O for the drive model to run', 'non-block engine', [
    'cpuload',
    'cpumode',
    'cpuchunks',
    'program',
    'arguments',
    'grace_time',
    'std_redirect',
  ]),
  ...rows('ignored', 'makes fio abort a job whose rate falls below it; the model never aborts a job and ignores it', 'minimum rate', [
    ['rate_min', 'ratemin'],
    ['rate_cycle', 'ratecycle'],
    'rate_iops_min',
  ]),
  ...rows('ignored', "is not used by fio's flow control since fio 3.22; the model ignores it", 'flow watermark', ['flow_watermark']),
  ...rows('ignored', 'batches verify_backlog reads in real I/O; the model reads the backlog back at once and ignores it', 'verify batch', [
    'verify_backlog_batch',
  ]),
  ...rows(
    'rejected',
    "issues a flush (fio's sync direction) every N writes, which changes the job's timing and which the model does not issue; remove it to run the writes alone",
    'flush',
    ['fsync', 'fdatasync'],
  ),
  ...rows('rejected', 'sprandom preconditioning is not modelled; precondition with a sequential then a random write job', 'sprandom', [
    'sprandom',
    'spr_op',
    'spr_num_regions',
    'spr_cs',
  ]),
];
