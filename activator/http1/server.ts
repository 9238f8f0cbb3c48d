import { createServer, type Server } from 'node:net';
import type { Clock, Timer } from '../../lib/clock.js';
import type { ByteBudget } from '../net/budget.js';
import { ClientConnection } from './connection.js';
import type { ConnectionContext, ProxyHooks, Swept } from './hooks.js';
import { UpstreamPool, type Dial } from './upstreams.js';

/** How often timeouts (Knative's three, connects, keep-alive, slow heads, lingering closes) are checked: one sweep, no timer per request. */
const SWEEP_MS = 100;
/** Client sockets' stream high-water marks (bytes). */
const SOCKET_MARK = 16 * 1024;

export interface ProxyOptions {
  clock: Clock;
  /** Request bytes all connections together may hold in memory. */
  budget: ByteBudget;
  /** How pod connections are opened (tests). */
  dial?: Dial;
}

/** The activator's HTTP/1.1 listener: client connections and tunnels, the pods' connection pool, and the timeout sweep. */
export class ProxyServer<R> implements ConnectionContext<R> {
  readonly pool: UpstreamPool;
  readonly budget: ByteBudget;
  draining = false;
  private readonly clock: Clock;
  private readonly server: Server;
  private readonly open = new Set<Swept>();
  private sweeper: Timer | undefined;

  constructor(readonly hooks: ProxyHooks<R>, opts: ProxyOptions) {
    this.clock = opts.clock;
    this.budget = opts.budget;
    this.pool = new UpstreamPool({ dial: opts.dial });
    // Half-open allowed: a client may send its request and shut its side, and still wants the answer.
    // 16 KiB marks (Node 20's default; 22 and later have 64): bytes held back into a socket over the mark
    // stop Node reading more, so a waiting request holds about one read.
    this.server = createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: SOCKET_MARK }, (socket) => this.open.add(new ClientConnection(socket, this)));
    this.schedule();
  }

  now(): number {
    return this.clock.now();
  }

  handOver(from: Swept, to: Swept): void {
    this.open.delete(from);
    this.open.add(to);
  }

  forget(item: Swept): void {
    this.open.delete(item);
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => this.server.once('error', reject).listen(port, host, () => resolve()));
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** Client connections and tunnels open. */
  get connections(): number {
    return this.open.size;
  }

  /** Stops accepting; connections close as their current request ends. */
  close(done?: () => void): void {
    this.draining = true;
    this.server.close(() => {
      this.sweeper?.cancel();
      this.sweeper = undefined;
      this.pool.close();
      done?.();
    });
    for (const c of this.open) c.closeIfIdle();
  }

  /** On the injected clock, so that tests move time and every timeout follows. */
  private schedule(): void {
    this.sweeper = this.clock.after(SWEEP_MS, () => {
      this.sweep();
      if (this.sweeper) this.schedule();
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    this.pool.sweep(now);
    for (const c of this.open) c.sweep(now);
  }
}
