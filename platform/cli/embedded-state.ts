/**
 * The embedded state as the CLI's commands use it: one change or one read of the state file, as the
 * local user ($ANVIL_USER, with the cluster-admin role), each in its own transaction; and the `--state`
 * option every such command takes.
 */
import type { Command } from 'commander';
import { wallClock } from '../domain/clock.js';
import type { ControlPlane } from '../domain/control-plane.js';
import { localAdmin, type Actor } from '../domain/tenancy.js';
import { advanceDueResyncs } from '../state/advance-resyncs.js';
import { defaultStatePath, Store } from '../state/store.js';

export interface StateOpts {
  state?: string;
}

function openStore(opts: StateOpts): Store {
  const path = opts.state ?? defaultStatePath();
  // Only the default location's folder is made on first use; a path given is taken as it is.
  const store = Store.open(path, wallClock, opts.state === undefined && !process.env.ANVIL_STATE);
  // No server loop runs for the embedded state: resyncs whose time has passed finish before each command.
  advanceDueResyncs(store);
  return store;
}

/** The local user: $ANVIL_USER, with the cluster-admin role. */
export function actor(): Actor {
  return localAdmin(process.env.ANVIL_USER || 'admin');
}

/** Runs one change as the local user, in one transaction. */
export function change<T>(opts: StateOpts, action: string, target: string, fn: (cp: ControlPlane) => T): T {
  const store = openStore(opts);
  try {
    return store.change(actor(), action, target, fn);
  } finally {
    store.close();
  }
}

/** Runs `fn` on the open store (a read), closing it after. */
export function read<T>(opts: StateOpts, fn: (store: Store) => T): T {
  const store = openStore(opts);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** `--state PATH` on a command of the embedded state. */
export function stateOption(cmd: Command): Command {
  return cmd.option('--state <path>', 'state file (default: $ANVIL_STATE, else $XDG_STATE_HOME/anvil/state.db)');
}
