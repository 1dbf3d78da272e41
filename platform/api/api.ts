/**
 * What every API plugin gets: the state, the tokens and the metrics registry. Its own module so that the
 * plugins and the server that registers them both import it, and no plugin imports the server back.
 */
import type { Registry } from 'prom-client';
import type { Store } from '../state/store.js';
import type { TokenStore } from './tokens.js';
import type { ListPages } from './paging.js';

export interface Api {
  readonly store: Store;
  readonly tokens: TokenStore;
  readonly metrics: Registry;
  /** The snapshots of paged listings (?limit, ?continue). */
  readonly pages: ListPages;
}
