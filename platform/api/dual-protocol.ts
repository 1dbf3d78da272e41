/**
 * One port for https and plain http (`anvil serve` by default): each connection's first byte says which it
 * is (22, a TLS handshake record, or the first letter of an HTTP method), and the connection goes to the
 * https or the http server, both answering with Fastify's handler. kubectl sends its token only over https;
 * the CLI, curl and the browser keep working over http on loopback (the server refuses plain http from other
 * addresses: server.ts).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';

/** The first byte of a TLS record carrying a handshake (RFC 8446 5.1, ContentType handshake). */
const TLS_HANDSHAKE = 22;

/**
 * How long a connection may stay silent before its first byte (milliseconds): until then neither server's
 * own timeouts apply, so a client that connects and sends nothing would hold a socket for ever.
 */
export const FIRST_BYTE_TIMEOUT_MS = 30_000;

/** What Fastify calls on the server it is given (serverFactory), beyond a net.Server's own methods. */
export type DualProtocolServer = NetServer & {
  closeIdleConnections(): void;
  closeAllConnections(): void;
};

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A listening-ready server dispatching each connection to https or http by its first byte. */
export function dualProtocolServer(
  tls: HttpsOptions,
  handler: Handler,
  timeouts: { readonly keepAliveTimeout?: number; readonly requestTimeout?: number; readonly firstByteTimeout?: number },
): DualProtocolServer {
  const secure = createHttpsServer(tls, handler);
  const plain = createHttpServer(handler);
  for (const s of [secure, plain]) {
    // Fastify's own settings (milliseconds), as it sets them on the servers it makes itself.
    if (timeouts.keepAliveTimeout !== undefined) s.keepAliveTimeout = timeouts.keepAliveTimeout;
    if (timeouts.requestTimeout !== undefined) s.requestTimeout = timeouts.requestTimeout;
  }
  const server = createNetServer({ pauseOnConnect: true }, (socket: Socket) => {
    socket.setTimeout(timeouts.firstByteTimeout ?? FIRST_BYTE_TIMEOUT_MS, () => socket.destroy());
    socket.once('readable', () => {
      socket.setTimeout(0);
      const first = socket.read(1) as Buffer | null;
      // A connection closed before sending anything: nothing to answer.
      if (first === null) return void socket.destroy();
      socket.unshift(first);
      (first[0] === TLS_HANDSHAKE ? secure : plain).emit('connection', socket);
    });
    // pauseOnConnect holds the data until the 'readable' listener is in place.
    socket.resume();
    socket.pause();
  }) as DualProtocolServer;
  // Fastify listens for client errors (a malformed request) on the server it is given.
  for (const s of [secure, plain]) s.on('clientError', (err, socket) => server.emit('clientError', err, socket));
  secure.on('tlsClientError', (_err, socket) => socket.destroy());
  // Node's http servers track their connections (what closeIdleConnections closes) from their 'listening'
  // event on, and stop on close(): these two never listen themselves, so they follow the one that does.
  server.on('listening', () => {
    secure.emit('listening');
    plain.emit('listening');
  });
  server.on('close', () => {
    secure.close();
    plain.close();
  });
  server.closeIdleConnections = () => {
    secure.closeIdleConnections();
    plain.closeIdleConnections();
  };
  server.closeAllConnections = () => {
    secure.closeAllConnections();
    plain.closeAllConnections();
  };
  return server;
}
