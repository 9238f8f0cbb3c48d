import { createServer, type Server } from 'node:net';
import type { Clock } from '../../lib/clock.js';
import { ClientConnection, type ConnectionContext, type ProxyHooks } from './connection.js';
import { UpstreamPool } from './upstreams.js';

/** How often timeouts (Knative's three, keep-alive, slow heads) are checked: one sweep, no timer per request. */
const SWEEP_MS = 100;

/** The activator's HTTP/1.1 listener: client connections, the pods' connection pool, and the timeout sweep. */
export class ProxyServer<R> implements ConnectionContext<R> {
  readonly pool = new UpstreamPool();
  draining = false;
  private readonly server: Server;
  private readonly connections = new Set<ClientConnection<R>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(readonly hooks: ProxyHooks<R>, private readonly clock: Clock) {
    // Half-open allowed: a client may send its request and shut its side, and still wants the answer.
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
      const conn = new ClientConnection(socket, this);
      this.connections.add(conn);
      socket.once('close', () => this.connections.delete(conn));
    });
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  now(): number {
    return this.clock.now();
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => this.server.once('error', reject).listen(port, host, () => resolve()));
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** Stops accepting; connections close as their current request ends. */
  close(done?: () => void): void {
    this.draining = true;
    this.server.close(() => {
      clearInterval(this.sweeper);
      this.pool.close();
      done?.();
    });
    for (const c of this.connections) c.closeIfIdle();
  }

  private sweep(): void {
    const now = this.clock.now();
    this.pool.sweep(now);
    for (const c of this.connections) c.sweep(now);
  }
}
