/**
 * Connections that have sent nothing when the server closes are closed with it. HTTP clients open a
 * connection ahead of need (fetch, browsers: a spare, taken if no kept-alive one frees first) and keep it as
 * long as the server's keep-alive hint says (Fastify's 72 s). Node's close ends idle connections but not these
 * (a request may be on its way on them), so it would wait for the client to drop them. A connection that has
 * not sent one byte has no request to answer.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** Closes, as `app` closes, each connection of its server that has not sent a byte. */
export function closeSilentConnectionsOnClose(app: FastifyInstance): void {
  const open = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  });
  // Before the server's close: no connection is accepted between this hook and it (no I/O is polled).
  app.addHook('preClose', async () => {
    for (const socket of open) if (socket.bytesRead === 0) socket.destroy();
  });
}
