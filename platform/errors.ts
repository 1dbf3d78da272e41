/**
 * The error catalogue. Every error a user can meet has a stable code (never reused once retired), a
 * message that says what to do, and an HTTP status where it applies. The CLI prints `code: message`
 * and exits non-zero; it never prints a stack trace for these.
 */

export interface ErrorSpec {
  readonly code: string;
  /** HTTP status when the error crosses the API. */
  readonly status: number;
  /** One line saying what the error means in general, for the docs. */
  readonly summary: string;
}

export const ERRORS = {
  // Command line
  ANVIL_ERR_USAGE: { code: 'ANVIL_ERR_USAGE', status: 400, summary: 'a command-line argument or flag is missing or invalid' },
  ANVIL_ERR_FILE_NOT_FOUND: {
    code: 'ANVIL_ERR_FILE_NOT_FOUND',
    status: 404,
    summary: 'a named input file does not exist or cannot be read',
  },
  // fio job files
  ANVIL_ERR_JOB_SYNTAX: {
    code: 'ANVIL_ERR_JOB_SYNTAX',
    status: 400,
    summary: 'a job file line is not a section header, an option or a comment',
  },
  ANVIL_ERR_JOB_OPTION_UNSUPPORTED: {
    code: 'ANVIL_ERR_JOB_OPTION_UNSUPPORTED',
    status: 400,
    summary: 'a job file uses an fio option the model does not support',
  },
  ANVIL_ERR_JOB_VALUE: { code: 'ANVIL_ERR_JOB_VALUE', status: 400, summary: 'a job file option has a value the model cannot use' },
  ANVIL_ERR_JOB_EMPTY: { code: 'ANVIL_ERR_JOB_EMPTY', status: 400, summary: 'a job file defines no job' },
  ANVIL_ERR_JOB_FILE: {
    code: 'ANVIL_ERR_JOB_FILE',
    status: 400,
    summary: 'the file given as a job file is not one: a directory, a device, binary content, or larger than a job file can be',
  },
  // Device profiles
  ANVIL_ERR_PROFILE_NOT_FOUND: {
    code: 'ANVIL_ERR_PROFILE_NOT_FOUND',
    status: 404,
    summary: 'no built-in profile has that name and no file has that path',
  },
  ANVIL_ERR_PROFILE_INVALID: { code: 'ANVIL_ERR_PROFILE_INVALID', status: 400, summary: 'a device profile fails its schema' },
  ANVIL_ERR_DEVICE_KIND: { code: 'ANVIL_ERR_DEVICE_KIND', status: 400, summary: 'a profile names a device kind that is not registered' },
  // Running
  ANVIL_ERR_TARGET: { code: 'ANVIL_ERR_TARGET', status: 400, summary: 'the run target is not one this build supports' },
  ANVIL_ERR_RUN_TOO_LARGE: {
    code: 'ANVIL_ERR_RUN_TOO_LARGE',
    status: 422,
    summary: 'a model run would simulate more I/Os than the limit (--max-ios raises it)',
  },
  ANVIL_ERR_RUN_TOO_LONG: {
    code: 'ANVIL_ERR_RUN_TOO_LONG',
    status: 422,
    summary: 'a run started from anvil serve would simulate more time than the server allows (anvil serve --max-run-simulated)',
  },
  ANVIL_ERR_RUNS_BUSY: {
    code: 'ANVIL_ERR_RUNS_BUSY',
    status: 429,
    summary: 'anvil serve already runs as many model runs (or streams their progress to as many clients) as it allows; retry when one ends',
  },
  ANVIL_ERR_NO_RUNS_FOLDER: {
    code: 'ANVIL_ERR_NO_RUNS_FOLDER',
    status: 409,
    summary: 'anvil serve was started without --runs DIR, so it has no folder to write a run it starts into',
  },
  ANVIL_ERR_NO_PROGRESS: {
    code: 'ANVIL_ERR_NO_PROGRESS',
    status: 422,
    summary: 'the model stopped advancing simulated time (zero service times in a closed loop)',
  },
  ANVIL_ERR_OUTPUT: { code: 'ANVIL_ERR_OUTPUT', status: 500, summary: 'results could not be written' },
  // TCO reports
  ANVIL_ERR_TCO_SCENARIO: {
    code: 'ANVIL_ERR_TCO_SCENARIO',
    status: 400,
    summary: 'a TCO scenario file fails its schema, overrides an unknown figure or gives a figure a value it cannot have',
  },
  ANVIL_ERR_TCO_CATALOGUE: {
    code: 'ANVIL_ERR_TCO_CATALOGUE',
    status: 400,
    summary: 'a cost catalogue file fails its schema, repeats a figure or lacks one the method needs',
  },
  ANVIL_ERR_TCO_SLA_UNREACHABLE: {
    code: 'ANVIL_ERR_TCO_SLA_UNREACHABLE',
    status: 422,
    summary: "a stack cannot meet the databases' latency SLA with the chosen drive at any load",
  },
  ANVIL_ERR_TCO_LOGO: {
    code: 'ANVIL_ERR_TCO_LOGO',
    status: 400,
    summary: "a TCO report's logo cannot be read, is larger than 1 MiB or is not a PNG, JPEG or SVG image",
  },
  ANVIL_ERR_PDF_UNAVAILABLE: {
    code: 'ANVIL_ERR_PDF_UNAVAILABLE',
    status: 501,
    summary: 'PDF output needs headless Chromium, which is not installed or failed',
  },
  // Sweeps (issue 21)
  ANVIL_ERR_SWEEP: {
    code: 'ANVIL_ERR_SWEEP',
    status: 400,
    summary:
      "a sweep file fails its schema, names an option or parameter it cannot set, or asks for more points than its bound; or a results folder holds another sweep's points",
  },
  ANVIL_ERR_SWEEP_POINTS_FAILED: {
    code: 'ANVIL_ERR_SWEEP_POINTS_FAILED',
    status: 422,
    summary: 'some points of a sweep failed (the others ran) or are missing from the folders merged',
  },
  ANVIL_ERR_S3: {
    code: 'ANVIL_ERR_S3',
    status: 502,
    summary: "an S3-compatible bucket holding a sweep's results could not be reached, read or written (endpoint, credentials, bucket)",
  },
  // Cluster scenarios and the stack coefficients (issue 13)
  ANVIL_ERR_CLUSTER_SCENARIO: {
    code: 'ANVIL_ERR_CLUSTER_SCENARIO',
    status: 400,
    summary:
      'a cluster scenario file fails its schema, names an object it does not define, or embeds a job file or manifest that is not valid',
  },
  ANVIL_ERR_SCENARIO_KIND: {
    code: 'ANVIL_ERR_SCENARIO_KIND',
    status: 400,
    summary: 'a scenario file of the other kind was given: a TCO scenario where a cluster scenario is read, or the reverse',
  },
  ANVIL_ERR_SCENARIO_UNSUPPORTED: {
    code: 'ANVIL_ERR_SCENARIO_UNSUPPORTED',
    status: 501,
    summary: 'a cluster scenario asks for what anvil run does not model yet (a fault event this version does not run)',
  },
  ANVIL_ERR_CLUSTER_MODEL: {
    code: 'ANVIL_ERR_CLUSTER_MODEL',
    status: 422,
    summary: 'a placed cluster scenario cannot be built on the model (reservations above a drive, a plex beyond its device)',
  },
  ANVIL_ERR_STACK_COEFFICIENTS: {
    code: 'ANVIL_ERR_STACK_COEFFICIENTS',
    status: 400,
    summary:
      'the stack coefficient file fails its schema (an entry missing, a unit other than its own, a range that does not hold the value)',
  },
  // QoS checks (anvil check)
  ANVIL_ERR_SLA_FAILED: {
    code: 'ANVIL_ERR_SLA_FAILED',
    status: 422,
    summary:
      'anvil check measured an SLA that did not hold, or a regression against --baseline (exit code 1); the tables name each with its figures',
  },
  ANVIL_ERR_CHECK_INPUT: {
    code: 'ANVIL_ERR_CHECK_INPUT',
    status: 400,
    summary: 'anvil check was given no cluster scenario to check: a folder without one, or a file that is not one (exit code 2)',
  },
  ANVIL_ERR_CHECK_RESULTS: {
    code: 'ANVIL_ERR_CHECK_RESULTS',
    status: 400,
    summary:
      'a results folder lacks a file an SLA is judged on (summary.json, intervals.arrow, interval_histogram.arrow) or holds one that is not readable',
  },
  ANVIL_ERR_RUN_UNREADABLE: {
    code: 'ANVIL_ERR_RUN_UNREADABLE',
    status: 422,
    summary:
      "a run in anvil serve's runs folder lacks its intervals table (intervals.arrow), or holds a table or verdicts.json that cannot be read",
  },
  ANVIL_ERR_PATH_OUTSIDE: {
    code: 'ANVIL_ERR_PATH_OUTSIDE',
    status: 400,
    summary: "a file asked of anvil serve's reports folder lies outside it (.., an absolute path, a link out) or is not a kind it serves",
  },
  ANVIL_ERR_REGRESSION: {
    code: 'ANVIL_ERR_REGRESSION',
    status: 422,
    summary:
      'anvil compare found a regression against the baseline (with --strict, an inconclusive comparison too) (exit code 1); the table names each with its change and interval',
  },
  ANVIL_ERR_COMPARE_INPUT: {
    code: 'ANVIL_ERR_COMPARE_INPUT',
    status: 400,
    summary:
      'anvil compare was given a folder that holds no results: neither one run (anvil run --out DIR) nor SCENARIO/STACK/seed-N runs (anvil check --out DIR) (exit code 2)',
  },
  ANVIL_ERR_COMPARE_MISMATCH: {
    code: 'ANVIL_ERR_COMPARE_MISMATCH',
    status: 422,
    summary:
      'anvil compare was given two results folders that do not pair: no scenario and stack in common, or a pair with different seeds or jobs (exit code 2)',
  },
  // Host target: fio, iperf3, namespaces (issue 3)
  ANVIL_ERR_FIO_MISSING: {
    code: 'ANVIL_ERR_FIO_MISSING',
    status: 424,
    summary: 'fio is not installed or older than 3.0; the host target runs jobs with it',
  },
  ANVIL_ERR_FIO_FAILED: {
    code: 'ANVIL_ERR_FIO_FAILED',
    status: 502,
    summary: 'fio exited with an error or was stopped; its own message follows',
  },
  ANVIL_ERR_FIO_OUTPUT: {
    code: 'ANVIL_ERR_FIO_OUTPUT',
    status: 502,
    summary: 'fio wrote output Anvil cannot read (not fio 3.x JSON, or cut short)',
  },
  ANVIL_ERR_HOST_PATH: { code: 'ANVIL_ERR_HOST_PATH', status: 400, summary: 'a path given for host I/O (--filename) cannot be written' },
  ANVIL_ERR_HOST_UNREACHABLE: { code: 'ANVIL_ERR_HOST_UNREACHABLE', status: 504, summary: 'an fio server (--hosts) did not answer' },
  ANVIL_ERR_TIMEOUT: { code: 'ANVIL_ERR_TIMEOUT', status: 504, summary: 'a measurement tool ran past its time bound and was stopped' },
  ANVIL_ERR_INTERRUPTED: {
    code: 'ANVIL_ERR_INTERRUPTED',
    status: 499,
    summary: 'the run was interrupted (Ctrl-C); what it created was removed',
  },
  ANVIL_ERR_IPERF_MISSING: {
    code: 'ANVIL_ERR_IPERF_MISSING',
    status: 424,
    summary: 'iperf3 is not installed; the network measurement runs it',
  },
  ANVIL_ERR_NOT_ROOT: {
    code: 'ANVIL_ERR_NOT_ROOT',
    status: 403,
    summary: 'the command creates network namespaces or reads devices and needs root',
  },
  ANVIL_ERR_NET_SETUP: {
    code: 'ANVIL_ERR_NET_SETUP',
    status: 500,
    summary: 'creating a network namespace, veth pair, bridge or tc limit failed',
  },
  ANVIL_ERR_NET_SPEC: {
    code: 'ANVIL_ERR_NET_SPEC',
    status: 400,
    summary: 'a network test option (endpoints, protocol, rate, duration) is invalid',
  },
  ANVIL_ERR_HOST_TOOL_MISSING: {
    code: 'ANVIL_ERR_HOST_TOOL_MISSING',
    status: 424,
    summary: 'a host tool Anvil runs (lsblk, ip, tc, ping, mdadm) is not installed',
  },
  ANVIL_ERR_HOST_SETUP: {
    code: 'ANVIL_ERR_HOST_SETUP',
    status: 500,
    summary: 'realising a scenario on this host (namespace, bridge, tc class, cgroup, loop device) failed; what was made is removed',
  },
  ANVIL_ERR_HOST_DEVICE: {
    code: 'ANVIL_ERR_HOST_DEVICE',
    status: 409,
    summary:
      'a block device named for a volume (--host-device) cannot be used: missing, not a block device, mounted, swap, held or open exclusively elsewhere, read-only, or smaller than the volume',
  },
  ANVIL_ERR_HOST_DEVICE_HAS_DATA: {
    code: 'ANVIL_ERR_HOST_DEVICE_HAS_DATA',
    status: 409,
    summary:
      'a block device named for a volume (--host-device) carries a file system or partition table, which fio would destroy; --destroy-data-on DEVICE says to go ahead',
  },
  ANVIL_ERR_HOST_SRIOV: {
    code: 'ANVIL_ERR_HOST_SRIOV',
    status: 409,
    summary:
      'a physical function named with --sriov-pf cannot give every pod a VF: no such network device, no SR-IOV (sriov_totalvfs), fewer VFs than its pods, VFs in use that a new count would remove, or a VF with no network device',
  },
  ANVIL_ERR_HOST_UNREALISED: {
    code: 'ANVIL_ERR_HOST_UNREALISED',
    status: 501,
    summary: 'a cluster scenario asks the host target for what it does not realise yet (the model runs it: --target sim)',
  },
  ANVIL_ERR_HOST_KERNEL_FEATURE: {
    code: 'ANVIL_ERR_HOST_KERNEL_FEATURE',
    status: 501,
    summary:
      "this host's kernel lacks a feature a scenario item needs (802.1Q VLANs, NVMe/TCP target, md RAID1, device-mapper snapshots); that item is left out, the rest of the scenario runs",
  },
  ANVIL_ERR_CALIBRATION: {
    code: 'ANVIL_ERR_CALIBRATION',
    status: 422,
    summary: 'a calibration sweep gave measurements no profile can be fitted to',
  },
  // Control plane (clusters, nodes, networks, perf tiers, volumes, pods, state, manifests)
  ANVIL_ERR_NO_CLUSTER: { code: 'ANVIL_ERR_NO_CLUSTER', status: 409, summary: 'the state holds no cluster yet, or already holds one' },
  ANVIL_ERR_OBJECT_NOT_FOUND: { code: 'ANVIL_ERR_OBJECT_NOT_FOUND', status: 404, summary: 'no object of that kind has that name' },
  ANVIL_ERR_OBJECT_EXISTS: { code: 'ANVIL_ERR_OBJECT_EXISTS', status: 409, summary: 'an object of that kind already has that name' },
  ANVIL_ERR_FIELD_INVALID: {
    code: 'ANVIL_ERR_FIELD_INVALID',
    status: 400,
    summary: 'a field (a name, size, rate, address, count) has a value that is not allowed',
  },
  ANVIL_ERR_IP_RANGE_OVERLAP: {
    code: 'ANVIL_ERR_IP_RANGE_OVERLAP',
    status: 409,
    summary: 'the subnet or IP range of a network overlaps that of another network',
  },
  ANVIL_ERR_IN_USE: {
    code: 'ANVIL_ERR_IN_USE',
    status: 409,
    summary: 'the object is in use (attached, has snapshots, hosts pods or plexes) and cannot be changed that way',
  },
  ANVIL_ERR_LIMIT_REACHED: {
    code: 'ANVIL_ERR_LIMIT_REACHED',
    status: 409,
    summary: 'a limit of the appliance would be exceeded (tiers, mirrors, snapshots, volumes per node, IPs)',
  },
  ANVIL_ERR_NO_CAPACITY: { code: 'ANVIL_ERR_NO_CAPACITY', status: 409, summary: 'no set of nodes has room for the plexes of a volume' },
  ANVIL_ERR_VOLUME_UNAVAILABLE: {
    code: 'ANVIL_ERR_VOLUME_UNAVAILABLE',
    status: 409,
    summary: 'the volume has no in-sync copy on a live node to copy a plex or snapshot from (its node is down, or every copy was lost)',
  },
  ANVIL_ERR_FORBIDDEN: {
    code: 'ANVIL_ERR_FORBIDDEN',
    status: 403,
    summary: 'the roles of the acting user do not allow the read or change',
  },
  ANVIL_ERR_NODE_PROFILE: { code: 'ANVIL_ERR_NODE_PROFILE', status: 400, summary: 'a node profile is missing or fails its schema' },
  ANVIL_ERR_STATE: {
    code: 'ANVIL_ERR_STATE',
    status: 500,
    summary: 'the state file cannot be opened, is not an Anvil state file, or is newer than this build',
  },
  ANVIL_ERR_STATE_NOT_DURABLE: {
    code: 'ANVIL_ERR_STATE_NOT_DURABLE',
    status: 503,
    summary:
      'flushing the state file to disk failed: whether the last changes are on disk is unknown, so the process takes no more changes and shows no state until restarted',
  },
  ANVIL_ERR_MANIFEST: {
    code: 'ANVIL_ERR_MANIFEST',
    status: 400,
    summary: 'a Kubernetes manifest is not valid YAML or has a field Anvil cannot use',
  },
  ANVIL_ERR_KIND_UNSUPPORTED: {
    code: 'ANVIL_ERR_KIND_UNSUPPORTED',
    status: 400,
    summary: 'a manifest has a kind Anvil does not model, and --strict was given',
  },
  // Served API (anvil serve, the CLI against a server)
  ANVIL_ERR_UNAUTHENTICATED: {
    code: 'ANVIL_ERR_UNAUTHENTICATED',
    status: 401,
    summary: 'the request carries no bearer token, or one the server does not know',
  },
  ANVIL_ERR_ROUTE_NOT_FOUND: { code: 'ANVIL_ERR_ROUTE_NOT_FOUND', status: 404, summary: 'no API route has that method and path' },
  ANVIL_ERR_CONTINUE_EXPIRED: {
    code: 'ANVIL_ERR_CONTINUE_EXPIRED',
    status: 410,
    summary: "a list's continue token has expired (its snapshot is kept 5 minutes, and not across a restart): list again without it",
  },
  ANVIL_ERR_WATCH_EXPIRED: {
    code: 'ANVIL_ERR_WATCH_EXPIRED',
    status: 410,
    summary:
      "a Kubernetes watch's resourceVersion is older than the history the server keeps (or from before it started): list again and watch from the list's resourceVersion",
  },
  ANVIL_ERR_SELECTOR_UNSUPPORTED: {
    code: 'ANVIL_ERR_SELECTOR_UNSUPPORTED',
    status: 400,
    summary: 'a Kubernetes label or field selector the facade cannot apply (malformed, or a field it does not select by)',
  },
  ANVIL_ERR_QUERY_UNKNOWN: {
    code: 'ANVIL_ERR_QUERY_UNKNOWN',
    status: 400,
    summary: 'a query parameter the route does not take (every route refuses those it does not declare)',
  },
  ANVIL_ERR_BAD_URL: {
    code: 'ANVIL_ERR_BAD_URL',
    status: 400,
    summary: 'the request URL is not valid (a %-escape that does not decode to UTF-8)',
  },
  ANVIL_ERR_BAD_REQUEST: {
    code: 'ANVIL_ERR_BAD_REQUEST',
    status: 400,
    summary: 'the request is not well-formed HTTP, or is refused before any route reads it',
  },
  ANVIL_ERR_REQUEST_TIMEOUT: { code: 'ANVIL_ERR_REQUEST_TIMEOUT', status: 408, summary: 'the request was not received in time' },
  ANVIL_ERR_BODY_TOO_LARGE: { code: 'ANVIL_ERR_BODY_TOO_LARGE', status: 413, summary: 'the request body is larger than the server reads' },
  ANVIL_ERR_URI_TOO_LONG: {
    code: 'ANVIL_ERR_URI_TOO_LONG',
    status: 414,
    summary: 'a part of the request path (an object name) is longer than a route takes',
  },
  ANVIL_ERR_MEDIA_TYPE: {
    code: 'ANVIL_ERR_MEDIA_TYPE',
    status: 415,
    summary: 'the request body is not JSON (Content-Type: application/json)',
  },
  ANVIL_ERR_HEADERS_TOO_LARGE: {
    code: 'ANVIL_ERR_HEADERS_TOO_LARGE',
    status: 431,
    summary: 'the request line and headers exceed the 16 KiB the server reads',
  },
  ANVIL_ERR_INTERNAL: {
    code: 'ANVIL_ERR_INTERNAL',
    status: 500,
    summary: 'the server met an error outside the catalogue: a bug, logged by the server',
  },
  ANVIL_ERR_SERVER: {
    code: 'ANVIL_ERR_SERVER',
    status: 502,
    summary: 'the Anvil server named by --server or ANVIL_SERVER cannot be reached or gave no valid answer',
  },
  ANVIL_ERR_RATE_LIMITED: {
    code: 'ANVIL_ERR_RATE_LIMITED',
    status: 429,
    summary: 'one token sent more requests a minute than anvil serve --rate-limit allows; retry after Retry-After seconds',
  },
  ANVIL_ERR_QUOTA_EXCEEDED: {
    code: 'ANVIL_ERR_QUOTA_EXCEEDED',
    status: 403,
    summary:
      'a change would take a namespace past its quota (pods, volumes, capacity, guaranteed IOPS or bandwidth) set by a cluster admin',
  },
  ANVIL_ERR_REQUEST_TOO_LARGE: {
    code: 'ANVIL_ERR_REQUEST_TOO_LARGE',
    status: 413,
    summary: 'one request asks for more than the server takes at once (replicas of a workload, documents or pods of an apply, body size)',
  },
  ANVIL_ERR_NOT_LOOPBACK: {
    code: 'ANVIL_ERR_NOT_LOOPBACK',
    status: 403,
    summary: 'the scheduler extender answers only loopback callers unless mutual TLS is configured',
  },
  // Served API over TLS (anvil serve --tls-*, the CLI against an https server)
  ANVIL_ERR_TLS_INVALID: {
    code: 'ANVIL_ERR_TLS_INVALID',
    status: 400,
    summary: 'a TLS certificate, key or CA file is not PEM, is not what its flag needs, or the key does not match the certificate',
  },
  ANVIL_ERR_PLAIN_HTTP_NOT_LOOPBACK: {
    code: 'ANVIL_ERR_PLAIN_HTTP_NOT_LOOPBACK',
    status: 403,
    summary: 'anvil serve answers plain http only from loopback callers; others use https on the same port (trusting <state>.tls/ca.pem)',
  },
  ANVIL_ERR_CLIENT_CERT_REQUIRED: {
    code: 'ANVIL_ERR_CLIENT_CERT_REQUIRED',
    status: 403,
    summary: 'with mutual TLS configured, the scheduler extender answers only callers with a client certificate signed by --tls-client-ca',
  },
  // The scheduler extender binding pods in Kubernetes (anvil serve --kube-apiserver, or in-cluster)
  ANVIL_ERR_KUBE_API: {
    code: 'ANVIL_ERR_KUBE_API',
    status: 502,
    summary: 'the Kubernetes API refused the Binding the scheduler extender posted, or could not be reached',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/** An error from the catalogue: `code` is stable, `message` says what went wrong and what to do. */
export class AnvilError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Further messages when several problems were found at once (a job file, a profile). */
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'AnvilError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = details;
  }

  /** The message as the CLI prints it: code, message, then one detail per line. */
  format(): string {
    return [`${this.code}: ${this.message}`, ...this.details.map((d) => `  ${d}`)].join('\n');
  }
}

/** Is `e` a catalogue error? */
export function isAnvilError(e: unknown): e is AnvilError {
  return e instanceof AnvilError;
}
