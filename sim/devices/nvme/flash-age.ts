/**
 * Garbage collection from the drive's state rather than at a fixed steady state: a fresh drive writes into
 * never-used blocks with no cleaning (the fresh-out-of-box phase), falls off a cliff once every physical
 * block has been written once, and settles at the steady state the spare factor gives. SNIA's Solid State
 * Storage Performance Test Specification (PTS-E 1.1, 2013) shows the shape; the steady state is the LRW
 * model of garbage-collection.ts (Desnoyers, SYSTOR 2012), reached here as the limit of the same
 * argument applied to the drive's own history:
 *
 * Blocks are cleaned in the order they were written (LRW/FIFO), so the victim is the block written one
 * physical pass ago (T bytes of programs earlier, T the raw capacity). Each of its pages was valid when
 * written and is still valid if none of the host writes (or trims) since then hit its logical block: with
 * uniform traffic over the U logical bytes, a fraction u = exp(-D / U) survives, D the bytes the host
 * invalidated since. Cleaning copies u to free 1 - u, so each random host byte costs u / (1 - u) bytes
 * of copies. In steady state D = T (1 - u) and u = exp(-(1 + rho)(1 - u)), rho = T / U - 1: the analytic
 * model. Trims invalidate without programming, so they lower u as they do on a real drive.
 *
 * The history is a ring of checkpoints (the host's invalidation count every T / K bytes of programs), so
 * the state costs K + 1 numbers and no allocation per write.
 */

/** Checkpoints per physical pass. */
const CHECKPOINTS = 512;

/** Where the drive starts: as datasheets measure it (steady state) or fresh out of the box. */
export type DriveState = 'preconditioned' | 'fresh';

export class FlashAge {
  /** Bytes programmed so far (host data and GC copies). */
  private programmed_bytes = 0;
  /** Bytes the host invalidated so far (writes and trims). */
  private invalidated_bytes = 0;
  /** The invalidation count at checkpoint i (every `step` programmed bytes), at slot i mod (K + 1). */
  private readonly ring = new Float64Array(CHECKPOINTS + 1);
  private readonly step: number;
  private nextCheckpoint: number;
  private checkpoint = 0;

  /**
   * @param user_bytes logical capacity U
   * @param spareFactor rho of the cleaning model (raw capacity T = U (1 + rho))
   * @param state where the drive starts
   * @param steadyValid u of the steady state, used to write a preconditioned drive's history
   */
  constructor(
    private readonly user_bytes: number,
    spareFactor: number,
    state: DriveState,
    steadyValid: number,
  ) {
    const raw = user_bytes * (1 + spareFactor);
    this.step = raw / CHECKPOINTS;
    if (state === 'preconditioned') {
      // One full pass already written, at steady state: each step of programs brought step (1 - u) host bytes.
      for (let i = 0; i <= CHECKPOINTS; i++) this.ring[i % (CHECKPOINTS + 1)] = i * this.step * (1 - steadyValid);
      this.checkpoint = CHECKPOINTS;
      this.programmed_bytes = raw;
      this.invalidated_bytes = this.ring[CHECKPOINTS % (CHECKPOINTS + 1)]!;
    }
    this.nextCheckpoint = (this.checkpoint + 1) * this.step;
  }

  /** The host wrote or trimmed `bytes`. */
  invalidated(bytes: number): void {
    this.invalidated_bytes += bytes;
  }

  /** `bytes` were programmed (host data or GC copies). */
  programmed(bytes: number): void {
    this.programmed_bytes += bytes;
    while (this.programmed_bytes >= this.nextCheckpoint) {
      this.checkpoint++;
      this.ring[this.checkpoint % (CHECKPOINTS + 1)] = this.invalidated_bytes;
      this.nextCheckpoint = (this.checkpoint + 1) * this.step;
    }
  }

  /** Fraction of the next victim block still valid: 0 while never-written blocks remain. */
  victimValid(): number {
    const back = this.checkpoint - CHECKPOINTS;
    if (back < 0) return 0;
    // The invalidation count one pass ago, between the two checkpoints around it.
    const at = this.ring[back % (CHECKPOINTS + 1)]!;
    const after = this.ring[(back + 1) % (CHECKPOINTS + 1)]!;
    const into = (this.programmed_bytes - CHECKPOINTS * this.step) / this.step - back;
    const since = this.invalidated_bytes - (at + (after - at) * (into < 0 ? 0 : into > 1 ? 1 : into));
    return Math.exp(-since / this.user_bytes);
  }

  /** GC copy bytes owed per random host byte now: u / (1 - u). */
  copiesPerRandomByte(): number {
    const u = this.victimValid();
    return u / (1 - u);
  }

  /** Write amplification now, 1 / (1 - u), for reports and tests. */
  writeAmplification(): number {
    return 1 / (1 - this.victimValid());
  }
}

/**
 * The cleaning state of a drive whose random writes settle at `randomWriteAmplification` A > 1: the victim's
 * valid fraction in steady state is u = 1 - 1 / A, and the spare factor that gives it under LRW follows from
 * u = exp(-(1 + rho)(1 - u)), i.e. 1 + rho = -ln(u) / (1 - u) (the profile's own rho when A is the analytic
 * figure; the one that matches a measured or fitted A otherwise).
 */
export function flashAgeOf(cfg: { capacity_bytes: number; randomWriteAmplification: number; initialState: DriveState }): FlashAge {
  const u = 1 - 1 / cfg.randomWriteAmplification;
  const spareFactor = -Math.log(u) / (1 - u) - 1;
  return new FlashAge(cfg.capacity_bytes, spareFactor, cfg.initialState, u);
}
