/** The rounding of the summary's utilisations (ports, links, drives), in one place. */
/** `busy_ns` as a share of a run that lasted `elapsed_ns`: 0..1, 4 decimals, as the summary gives utilisations (0 for an empty run). */
export function shareOfRun(busy_ns: number, elapsed_ns: number): number {
  return elapsed_ns > 0 ? Math.round((busy_ns / elapsed_ns) * 1e4) / 1e4 : 0;
}
