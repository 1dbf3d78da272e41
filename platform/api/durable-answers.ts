/**
 * Nobody sees a change before it is on disk. The store commits without an fsync and flushes the WAL in the
 * background (state/durability.ts), so an answer built meanwhile (a read, or a write whose result shows the
 * state other groups left) could tell of a commit a crash would still take back. Every answer therefore
 * waits, just before it is sent, for the fsync covering every commit made until then (at once when none is
 * pending); streamed answers (the Kubernetes watches) hold each piece the same way, in order. After a
 * failed fsync every answer is the coded ANVIL_ERR_STATE_NOT_DURABLE (503) instead.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { isAnvilError } from '../errors.js';
import type { Store } from '../state/store.js';
import { statusOf } from './kube/status.js';

/** Holds every answer of `app` until the commits of `store` made before it are durable. */
export function holdAnswersUntilDurable(app: FastifyInstance, store: Store): void {
  app.addHook('onSend', (req, reply, payload, done) => {
    // The common case, no commit waiting for its fsync, costs no promise.
    if (!store.durabilityPending) return done(null, payload);
    store.whenDurable().then(
      () => done(null, payload),
      (failure: unknown) => {
        if (!isAnvilError(failure)) return done(failure as Error);
        (payload as { destroy?: () => void } | null)?.destroy?.();
        const path = req.url.split('?')[0]!;
        // kubectl reads only Status objects; Anvil's own routes answer in the catalogue's form.
        const kube = /^\/apis?(\/|$)/.test(path) && !path.startsWith('/apis/anvil.dev/');
        reply.code(failure.status).header('content-type', 'application/json; charset=utf-8');
        done(null, JSON.stringify(kube ? statusOf(failure.status, failure.message) : { code: failure.code, message: failure.message }));
      },
    );
  });
}

/** A streamed answer's writes, each sent once the commits made before it was written are durable. */
export interface DurableStream {
  write(text: string): void;
  end(): void;
}

/** Writes to `res` in order, each held until durable; after a failed fsync the stream is cut (the client lists again). */
export function durableStream(store: Store, res: ServerResponse): DurableStream {
  let queued = 0;
  let cut = false;
  let tail = Promise.resolve();
  const run = (action: () => void) => {
    if (cut) return;
    if (queued === 0 && !store.durabilityPending) return action();
    queued++;
    const barrier = store.whenDurable();
    barrier.catch(() => {}); // handled in the chain below, which may reach it later
    tail = tail
      .then(() => barrier)
      .then(
        () => {
          queued--;
          if (!cut) action();
        },
        () => {
          cut = true;
          res.destroy();
        },
      );
  };
  return { write: (text) => run(() => res.write(text)), end: () => run(() => res.end()) };
}
