/** CPU and memory from /proc/cpuinfo and /proc/meminfo. */

export interface CpuInfo {
  readonly model: string;
  readonly sockets: number;
  /** Physical cores over all sockets. */
  readonly cores: number;
  /** Logical CPUs (hardware threads). */
  readonly threads: number;
}

/**
 * Parses /proc/cpuinfo: one block per logical CPU. Cores are distinct (physical id, core id) pairs;
 * where the kernel gives no topology (some VMs), each logical CPU counts as a core.
 */
export function parseCpuinfo(text: string): CpuInfo {
  const blocks = text.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b));
  const field = (block: string, name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(block)?.[1]?.trim();
  const model = blocks.map((b) => field(b, 'model name') ?? field(b, 'Model') ?? field(b, 'cpu model')).find((m) => m) ?? 'unknown';
  const sockets = new Set(blocks.map((b) => field(b, 'physical id') ?? '0'));
  const cores = new Set(blocks.map((b, i) => `${field(b, 'physical id') ?? '0'}/${field(b, 'core id') ?? `cpu${i}`}`));
  return { model, sockets: Math.max(1, sockets.size), cores: Math.max(1, cores.size), threads: Math.max(1, blocks.length) };
}

/** MemTotal from /proc/meminfo, bytes. */
export function parseMeminfo(text: string): number {
  const m = /^MemTotal:\s*(\d+)\s*kB/m.exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}
