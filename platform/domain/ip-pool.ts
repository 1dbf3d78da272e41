/** The addresses of one network's range: which are taken, and the lowest free one (so placement is deterministic). */
import { formatIpv4, parseIpv4 } from './ip.js';

export class IpPool {
  readonly first: number;
  readonly size: number;
  private readonly taken: Uint8Array;
  private used = 0;
  /** No free address below this offset: allocation resumes here. */
  private low = 0;

  constructor(start: string, end: string) {
    this.first = parseIpv4(start)!;
    this.size = parseIpv4(end)! - this.first + 1;
    this.taken = new Uint8Array(this.size);
  }

  get free(): number {
    return this.size - this.used;
  }

  has(ip: string): boolean {
    const i = (parseIpv4(ip) ?? -1) - this.first;
    return i >= 0 && i < this.size;
  }

  isTaken(ip: string): boolean {
    const i = parseIpv4(ip)! - this.first;
    return this.taken[i] === 1;
  }

  /** Marks a given address taken (a pinned IP, or one read back from state). */
  take(ip: string): void {
    const i = parseIpv4(ip)! - this.first;
    if (this.taken[i] === 0) {
      this.taken[i] = 1;
      this.used++;
    }
  }

  /** The lowest free address, taken; undefined when the range is full. */
  allocate(): string | undefined {
    while (this.low < this.size && this.taken[this.low] === 1) this.low++;
    if (this.low >= this.size) return undefined;
    this.taken[this.low] = 1;
    this.used++;
    return formatIpv4(this.first + this.low);
  }

  release(ip: string): void {
    const i = parseIpv4(ip)! - this.first;
    if (this.taken[i] === 1) {
      this.taken[i] = 0;
      this.used--;
      if (i < this.low) this.low = i;
    }
  }
}
