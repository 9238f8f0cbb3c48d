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

/**
 * The activator's HTTP/1.1 engine: its listening sockets, each with the hooks that decide its requests (the
 * public and the cluster-local listener route among different hosts), and what they all share: client
 * connections and tunnels, the pods' connection pool, the byte budget, the drain and the timeout sweep.
 */
export class ProxyServer<R> {
  readonly pool: UpstreamPool;
  readonly budget: ByteBudget;
  draining = false;
  private readonly clock: Clock;
  private readonly servers: Server[] = [];
  private readonly open = new Set<Swept>();
  private sweeper: Timer | undefined;

  constructor(opts: ProxyOptions) {
    this.clock = opts.clock;
    this.budget = opts.budget;
    this.pool = new UpstreamPool({ dial: opts.dial });
    this.schedule();
  }

  /** Listens on `host:port` (0: any free port) with `hooks` for its connections; resolves with the port. */
  listen(port: number, host: string, hooks: ProxyHooks<R>): Promise<number> {
    const ctx = this.contextFor(hooks);
    // Half-open allowed: a client may send its request and shut its side, and still wants the answer.
    // 16 KiB marks (Node 20's default; 22 and later have 64): bytes held back into a socket over the mark
    // stop Node reading more, so a waiting request holds about one read.
    const server = createServer({ allowHalfOpen: true, noDelay: true, highWaterMark: SOCKET_MARK }, (socket) => this.open.add(new ClientConnection(socket, ctx)));
    this.servers.push(server);
    return new Promise((resolve, reject) => server.once('error', reject).listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    }));
  }

  /** Client connections and tunnels open, on every listener. */
  get connections(): number {
    return this.open.size;
  }

  /** Stops accepting on every listener; connections close as their current request ends. */
  close(done?: () => void): void {
    this.draining = true;
    // One count per listener, and one for this call, so that no listener at all still ends.
    let left = this.servers.length + 1;
    const closed = (): void => {
      if (--left > 0) return;
      this.sweeper?.cancel();
      this.sweeper = undefined;
      this.pool.close();
      done?.();
    };
    for (const s of this.servers) s.close(closed);
    closed();
    for (const c of this.open) c.closeIfIdle();
  }

  /** What a listener's connections see: this server's shared state, and that listener's hooks. */
  private contextFor(hooks: ProxyHooks<R>): ConnectionContext<R> {
    const draining = (): boolean => this.draining;
    return {
      hooks,
      pool: this.pool,
      budget: this.budget,
      get draining() {
        return draining();
      },
      now: () => this.clock.now(),
      handOver: (from, to) => {
        this.open.delete(from);
        this.open.add(to);
      },
      forget: (item) => void this.open.delete(item),
    };
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
