/**
 * Whether any connection has committed to a WAL-mode SQLite file since a moment, told by one read of 48
 * bytes of its `-shm` file, without SQLite. `PRAGMA data_version` asks by starting a read transaction (two
 * fcntl locks on the WAL index and a statement run): the server asks once per request, which was the largest
 * part of an authenticated small read's own time.
 *
 * The first 48 bytes of the `-shm` file are the WAL-index header (https://www.sqlite.org/walformat.html,
 * "The WAL-Index Header"): every commit writes it anew (its change counter `iChange`, the WAL's last valid
 * frame `mxFrame`, the checksums), and a connection starting a read transaction takes the file to have
 * changed (data_version moves) exactly when these bytes differ from those it last read. So while they are
 * the bytes read just before SQLite was last asked, SQLite would answer as it did then. Anything else (a
 * commit of this connection, a write under way, a torn read, a file that cannot be read) only sends the
 * caller back to SQLite. The header is read with an ordinary pread: SQLite maps the same file shared, so its
 * writes are in the page cache this read sees.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** The WAL-index header's length, bytes (its first copy; the second, at 48, is written first). */
const HEADER_BYTES = 48;

export class WalIndexHeader {
  /** The header as read just before SQLite was last asked; `valid` false until then. */
  private readonly seen = Buffer.alloc(HEADER_BYTES);
  private readonly now = Buffer.alloc(HEADER_BYTES);
  private valid = false;

  private constructor(private fd: number | undefined) {}

  /** The header of the state file at `path` (open in WAL mode), or undefined where there is none to read (':memory:'). */
  static of(path: string): WalIndexHeader | undefined {
    if (path === ':memory:' || path === '') return undefined;
    try {
      return new WalIndexHeader(openSync(`${path}-shm`, 'r'));
    } catch {
      return undefined;
    }
  }

  /** True when the header is the one `remember` last read: SQLite, asked now, would answer as it did then. */
  unchanged(): boolean {
    return this.valid && this.read(this.now) && this.now.equals(this.seen);
  }

  /** Reads the header as it is now: call just before asking SQLite, so that a commit after this read is told by the next. */
  remember(): void {
    this.valid = this.read(this.seen);
  }

  private read(into: Buffer): boolean {
    if (this.fd === undefined) return false;
    try {
      return readSync(this.fd, into, 0, HEADER_BYTES, 0) === HEADER_BYTES;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.valid = false;
  }
}
