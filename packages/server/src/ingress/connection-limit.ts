// Accepts the TCP connections of the gRPC listeners and hands them to grpc-js, counting them.
// grpc-js has no connection limit of its own. A connection beyond the limit is not simply reset
// (a client would only see "connection reset"): it is kept for a short grace period during which
// the call guard answers its calls RESOURCE_EXHAUSTED with a retry hint, then it is closed.
import net from 'node:net';
import type { Server, ServerCredentials } from '@grpc/grpc-js';
import type { Logger } from '../logging.ts';

/** How long a connection beyond the limit stays open to receive its refusal. */
const OVERFLOW_GRACE_MS = 2_000;
/** Connections in their grace period at once; beyond this a flood is reset without a status. */
const MAX_OVERFLOW_CONNECTIONS = 1_000;

export class ConnectionLimiter {
  readonly #maxConnections: number;
  readonly #log: Logger;
  readonly #overflow = new Set<string>();
  readonly #listeners: net.Server[] = [];
  #open = 0;
  #refusalsLogged = 0;

  constructor(maxConnections: number, log: Logger) {
    if (!(Number.isInteger(maxConnections) && maxConnections > 0)) throw new Error('maxConnections must be a positive integer');
    this.#maxConnections = maxConnections;
    this.#log = log;
  }

  get openConnections(): number {
    return this.#open;
  }

  /** Peer strings in grpc-js's getPeer() form, "address:port". */
  readonly isOverflowPeer = (peer: string): boolean => this.#overflow.size > 0 && this.#overflow.has(peer);

  /** Listens on port (0: any free one) for the grpc server; resolves with the bound port. */
  listen(grpc: Server, port: number, credentials: ServerCredentials): Promise<number> {
    const injector = grpc.createConnectionInjector(credentials);
    const listener = net.createServer((socket) => this.#accept(socket, injector.injectConnection));
    this.#listeners.push(listener);
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '0.0.0.0', () => {
        listener.off('error', reject);
        listener.on('error', (err) => this.#log.error({ err }, 'gRPC listener error'));
        const address = listener.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Stops accepting; open connections are closed by the gRPC server's shutdown. */
  close(): void {
    for (const l of this.#listeners) l.close();
    this.#listeners.length = 0;
  }

  #accept(socket: net.Socket, inject: (s: net.Socket) => void): void {
    // http2 attaches its own handlers once injected; this one covers the moments before.
    socket.on('error', () => undefined);
    if (this.#open < this.#maxConnections) {
      this.#open++;
      socket.once('close', () => this.#open--);
      inject(socket);
      return;
    }
    if (this.#refusalsLogged++ % 1_000 === 0) {
      this.#log.warn({ maxConnections: this.#maxConnections, refusals: this.#refusalsLogged }, 'connection limit reached; refusing new connections');
    }
    if (this.#overflow.size >= MAX_OVERFLOW_CONNECTIONS) {
      socket.destroy();
      return;
    }
    const peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    this.#overflow.add(peer);
    const timer = setTimeout(() => socket.destroy(), OVERFLOW_GRACE_MS);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.#overflow.delete(peer);
    });
    inject(socket);
  }
}
