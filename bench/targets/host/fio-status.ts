/**
 * fio's status line ("Jobs: 1 (f=1): [r(1)][45.5%][r=312MiB/s][r=79.9k IOPS][eta 00m:06s]"), which
 * fio prints to stdout with `--eta=always` even off a terminal, separated by carriage returns (and a
 * newline every `--eta-newline` period). Parsed into what the progress bar shows.
 */

export interface FioStatus {
  /** Jobs still running. */
  readonly jobs: number;
  /** Share of the run done, 0..1; undefined while fio prints "-.-%" (laying out files, ramp). */
  readonly fraction?: number;
  /** Read + write + trim I/Os per second over fio's last status period; undefined before fio has figures. */
  readonly iops_per_s?: number;
  /** fio's estimate of the time left, s. */
  readonly eta_s?: number;
}

/** The options that make fio print status lines to a pipe, one period each, ms. */
export function fioStatusArgs(period_ms: number): string[] {
  return ['--eta=always', `--eta-interval=${period_ms}ms`, '--eta-newline=1'];
}

const SCALE: Readonly<Record<string, number>> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };

/**
 * One status line, or undefined for anything else. For its first seconds fio prints only "Jobs: 1
 * (f=1)": that gives the job count alone.
 */
export function parseFioStatusLine(line: string): FioStatus | undefined {
  const bare = /^Jobs: (\d+) \(f=\d+\)[^:[]*$/.exec(line.trim());
  if (bare) return { jobs: Number(bare[1]) };
  const head = /^Jobs: (\d+) \(f=\d+\)[^:[]*: /.exec(line.trim());
  if (!head) return undefined;
  const percent = /\]\[(\d+(?:\.\d+)?|-\.-)%\]/.exec(line);
  const iops = /\[([^\][]*) IOPS\]/.exec(line);
  const eta = /\[eta ([^\]]+)\]/.exec(line);
  if (!percent && !iops) return undefined;
  let iops_per_s = 0;
  for (const m of (iops?.[1] ?? '').matchAll(/[rwt]=(\d+(?:\.\d+)?)([kMG]?)/g)) iops_per_s += Number(m[1]) * (SCALE[m[2] ?? ''] ?? 1);
  const p = percent?.[1];
  const eta_s = eta ? parseEta_s(eta[1]!) : undefined;
  return {
    jobs: Number(head[1]),
    ...(p !== undefined && p !== '-.-' ? { fraction: Math.min(1, Number(p) / 100) } : {}),
    ...(iops ? { iops_per_s } : {}),
    ...(eta_s !== undefined ? { eta_s } : {}),
  };
}

/** "1d:02h:03m:04s", "02h:03m:04s", "03m:04s" to seconds; undefined for anything else. */
export function parseEta_s(text: string): number | undefined {
  const m = /^(?:(\d+)d:)?(?:(\d+)h:)?(\d+)m:(\d+)s$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * Splits fio's stdout, as it arrives in chunks, into status lines; calls `onStatus` for each one that
 * parses. A line cut between chunks waits for its end.
 */
export function fioStatusReader(onStatus: (status: FioStatus) => void): { push: (chunk: string) => void; end: () => void } {
  let pending = '';
  const flush = (line: string) => {
    const status = parseFioStatusLine(line);
    if (status) onStatus(status);
  };
  return {
    push(chunk) {
      const parts = (pending + chunk).split(/[\r\n]/);
      pending = parts.pop() ?? '';
      for (const part of parts) flush(part);
    },
    end() {
      flush(pending);
      pending = '';
    },
  };
}
