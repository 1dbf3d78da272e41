/**
 * List paging as Kubernetes lists page: `?limit=N` answers at most N objects with `metadata.continue`,
 * the token for the next page ('' on the last), and `metadata.remainingItemCount`; `?continue=TOKEN` (with
 * the same or another limit) answers the next page. Every page of one listing comes from the snapshot the
 * first page was taken from (the objects as they were then: the domain replaces objects rather than edits
 * them, so the references are the snapshot), so a list that changes between requests neither skips nor
 * repeats an object. A snapshot is kept SNAPSHOT_TTL_MS and at most KEPT_SNAPSHOTS of them (the oldest
 * dropped first); a token whose snapshot is gone (expired, dropped, or the server restarted) is answered
 * 410 Gone, ANVIL_ERR_CONTINUE_EXPIRED, as Kubernetes answers an expired continue: list again without it.
 * A token serves the user and the route it was issued for only. Without `limit` or `continue` a list is
 * the whole array, as before. Permission is checked on every page, as on the first.
 */
import { randomUUID } from 'node:crypto';
import { Type, type TSchema } from '@sinclair/typebox';
import { AnvilError } from '../errors.js';
import { PAGE_LIMIT_RANGE } from '../domain/limits.js';
import { limitParam } from './schemas.js';

/** What `anvil get` asks a page for, as kubectl does. */
export const CLI_PAGE_SIZE = 500;
/** How long a listing's snapshot is kept for its continue tokens, ms (etcd compacts every 5 minutes by default). */
export const SNAPSHOT_TTL_MS = 5 * 60_000;
/** Snapshots kept at once; past it the oldest is dropped (its tokens answer 410). */
export const KEPT_SNAPSHOTS = 256;

/** The query a list route takes (a query string is text: `limit` is a decimal string, 1-9999). */
export const ListQuery = Type.Object(
  {
    limit: limitParam(PAGE_LIMIT_RANGE, ' objects', ': the answer is then a page ({items, metadata}) rather than the whole array'),
    continue: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 256,
        description: "the previous page's metadata.continue: the next page of the same listing (410 once it has expired)",
      }),
    ),
  },
  { additionalProperties: false },
);
export interface ListQuery {
  limit?: string;
  continue?: string;
}

/** A list route's answer: the whole array, or, with `limit` or `continue`, a page of it. */
export function listOrPage(item: TSchema, description: string): TSchema {
  return Type.Union([
    Type.Array(item, { description }),
    Type.Object(
      {
        items: Type.Array(item, { description: `${description}: this page of them` }),
        metadata: Type.Object({
          continue: Type.String({ description: "the next page's token for ?continue=; '' on the last page" }),
          remainingItemCount: Type.Integer({ minimum: 0, description: 'objects of the listing after this page' }),
        }),
      },
      { description: `a page of ${description} (with ?limit or ?continue)` },
    ),
  ]);
}

export interface Page {
  items: unknown[];
  metadata: { continue: string; remainingItemCount: number };
}

interface Snapshot {
  readonly user: string;
  readonly route: string;
  readonly items: readonly unknown[];
  readonly expires_ms: number;
}

interface Token {
  s: string;
  o: number;
}

function encode(token: Token): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decode(text: string): Token | undefined {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<Token>;
    if (typeof t.s === 'string' && Number.isSafeInteger(t.o) && (t.o as number) >= 0) return t as Token;
  } catch {
    // not JSON: refused below
  }
  return undefined;
}

/** The snapshots of paged listings, in one server's memory. */
export class ListPages {
  private readonly snapshots = new Map<string, Snapshot>();

  /** `now_ms`: the clock the snapshots expire by. */
  constructor(private readonly now_ms: () => number) {}

  /**
   * The answer of a list route for `user` on `route` (its path): `whole()` itself without paging; else
   * the page asked for. `whole()` is called on a first page and never on a continued one: `recheck()`
   * (the permission check of the listing, throwing as the first page would) and `visible(item)` (whether
   * the caller may still see an object) are, so a role taken away since takes effect on the next page.
   */
  answer(
    user: string,
    route: string,
    query: ListQuery,
    whole: () => unknown[],
    recheck: () => void,
    visible: (item: unknown) => boolean,
  ): unknown[] | Page {
    if (query.limit === undefined && query.continue === undefined) return whole();
    const limit = query.limit !== undefined ? Number(query.limit) : PAGE_LIMIT_RANGE.max;
    this.dropExpired();
    if (query.continue === undefined) return this.pageOf(user, route, whole(), 0, limit, undefined);
    const token = decode(query.continue);
    if (token === undefined)
      throw new AnvilError(
        'ANVIL_ERR_FIELD_INVALID',
        `continue: ${JSON.stringify(query.continue.slice(0, 40))} is not a continue token of this server; pass the metadata.continue of the previous page as is, or list again without continue`,
      );
    const snapshot = this.snapshots.get(token.s);
    if (snapshot === undefined)
      throw new AnvilError(
        'ANVIL_ERR_CONTINUE_EXPIRED',
        `the continue token has expired (a listing's pages are kept ${SNAPSHOT_TTL_MS / 60_000} minutes, at most ${KEPT_SNAPSHOTS} listings, and not across a restart); list ${route} again without continue`,
      );
    if (snapshot.user !== user || snapshot.route !== route)
      throw new AnvilError(
        'ANVIL_ERR_FIELD_INVALID',
        `continue: this token pages another listing than ${route} for ${user}; pass it to the route and user it came from`,
      );
    recheck();
    const page = this.pageOf(user, route, snapshot.items, token.o, limit, token.s);
    page.items = page.items.filter(visible);
    return page;
  }

  private pageOf(user: string, route: string, items: readonly unknown[], offset: number, limit: number, id: string | undefined): Page {
    const end = Math.min(items.length, offset + limit);
    const remaining = items.length - end;
    let next = '';
    if (remaining > 0) {
      if (id === undefined) {
        id = randomUUID();
        this.snapshots.set(id, { user, route, items, expires_ms: this.now_ms() + SNAPSHOT_TTL_MS });
        if (this.snapshots.size > KEPT_SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
      }
      next = encode({ s: id, o: end });
    }
    return { items: items.slice(offset, end), metadata: { continue: next, remainingItemCount: remaining } };
  }

  private dropExpired(): void {
    const now = this.now_ms();
    // Oldest first (insertion order): stop at the first still alive.
    for (const [id, s] of this.snapshots) {
      if (s.expires_ms > now) break;
      this.snapshots.delete(id);
    }
  }
}
