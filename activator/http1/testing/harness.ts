import { once } from 'node:events';
import { createServer, request, type Agent, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { realClock, type Clock } from '../../../lib/clock.js';
import { ActivatorError } from '../../errors.js';
import { ByteBudget } from '../../net/budget.js';
import type { PodSlot, ProxyHooks } from '../hooks.js';
import { ProxyServer } from '../server.js';
import type { Dial } from '../upstreams.js';

// The activator's HTTP/1.1 engine against real sockets on loopback: Node apps as pods, Node's and raw TCP
// clients as clients, hooks that hand out pods from a list. Everything opened here is closed by `cleanup`.

export interface Limits {
  responseStartMs: number;
  totalMs: number;
  idleMs: number;
}

export interface Done {
  status: number;
  error: ActivatorError | undefined;
}

export interface Pod {
  ip: string;
  port: number;
}

export interface HarnessOptions {
  limits?: Limits;
  /** acquire gives the first; failover the next one not tried. */
  pods: Pod[];
  /** Cold: the pod is given after this many ms (real time). */
  waitMs?: number;
  /** Cold until the test calls `admit()`. */
  gated?: boolean;
  clock?: Clock;
  /** The byte budget's limit. */
  budget?: number;
  dial?: Dial;
}

export interface Harness {
  port: number;
  proxy: ProxyServer<string>;
  budget: ByteBudget;
  /** Outcomes not yet taken by `next`, in order. */
  done: Done[];
  next(): Promise<Done>;
  /** Slots given and not released. */
  inflight(): number;
  /** Requests that asked for a pod so far. */
  acquired(): number;
  /** Gives a pod to every gated request waiting. */
  admit(): void;
}

export const LIMITS: Limits = { responseStartMs: 2000, totalMs: 5000, idleMs: 0 };
export const HOST = 'hello.default.example.com';

const servers: Server[] = [];
const proxies: Array<ProxyServer<string>> = [];
const sockets: Socket[] = [];

export async function cleanup(): Promise<void> {
  for (const s of sockets.splice(0)) s.destroy();
  for (const p of proxies.splice(0)) await new Promise<void>((resolve) => p.close(resolve));
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
}

/** A pod: a Node HTTP server on 127.0.0.1, port 0. */
export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ port: number; server: Server }> {
  const server = createServer(handler);
  servers.push(server);
  server.on('connection', (s: Socket) => sockets.push(s)); // upgraded ones too, which closeAllConnections leaves
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

/** A port nothing listens on (a server opened and closed). */
export async function closedPort(): Promise<number> {
  const { port, server } = await listen(() => undefined);
  servers.splice(servers.indexOf(server), 1);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An activator whose every request goes to `opts.pods`; each finished request's outcome is kept, in order. */
export async function activator(opts: HarnessOptions): Promise<Harness> {
  const done: Done[] = [];
  const waiters: Array<(d: Done) => void> = [];
  const gate: Array<() => void> = [];
  let inflight = 0;
  let acquired = 0;
  const limits = opts.limits ?? LIMITS;
  const slot = (pod: Pod): PodSlot => {
    inflight++;
    let released = false;
    return {
      ...pod, label: 'revision "hello-00001"', ...limits,
      release: () => {
        if (released) throw new Error(`slot of ${pod.ip}:${pod.port} released twice`);
        released = true;
        inflight--;
      },
    };
  };
  const hooks: ProxyHooks<string> = {
    resolve(_head, host) {
      if (host === 'nowhere.example') throw new ActivatorError('NO_ROUTE', `no Route serves host "${host}"`);
      return host;
    },
    acquire(_routed, wait) {
      acquired++;
      const first = opts.pods[0]!;
      if (opts.gated) {
        return new Promise((resolve) => {
          const give = (): void => resolve(slot(first));
          gate.push(give);
          wait.onAbandon(() => {
            gate.splice(gate.indexOf(give), 1);
            resolve(undefined);
          });
        });
      }
      if (opts.waitMs === undefined) return slot(first);
      return new Promise((resolve) => setTimeout(() => resolve(slot(first)), opts.waitMs));
    },
    failover(_routed, tried) {
      const pod = opts.pods.find((p) => !tried.includes(p.ip));
      return pod && slot(pod);
    },
    done(_routed, status, _startedAt, _host, error) {
      const d = { status, error };
      const w = waiters.shift();
      if (w) w(d);
      else done.push(d);
    },
  };
  const budget = new ByteBudget(opts.budget ?? 64 * 1024 * 1024);
  const proxy = new ProxyServer<string>({ clock: opts.clock ?? realClock, budget, dial: opts.dial });
  proxies.push(proxy);
  const port = await proxy.listen(0, '127.0.0.1', hooks);
  return {
    port, proxy, budget, done,
    next: () => (done.length ? Promise.resolve(done.shift()!) : new Promise((resolve) => waiters.push(resolve))),
    inflight: () => inflight,
    acquired: () => acquired,
    admit: () => {
      for (const give of gate.splice(0)) give();
    },
  };
}

/** One request with a body sent in `chunks`; resolves with status, headers and body. */
export async function send(port: number, opts: { host?: string; chunks?: string[]; method?: string; path?: string; headers?: Record<string, string>; agent?: Agent } = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/', agent: opts.agent ?? false, headers: { host: opts.host ?? HOST, ...opts.headers } });
  for (const c of opts.chunks ?? []) req.write(c);
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** Raw bytes to the activator; resolves with all it sent back once it closes (or after `quietMs` of silence). */
export async function raw(port: number, bytes: string, quietMs = 500): Promise<string> {
  const s = connect({ host: '127.0.0.1', port });
  sockets.push(s);
  s.write(bytes);
  let out = '';
  s.setEncoding('latin1');
  return new Promise((resolve) => {
    let timer = setTimeout(() => s.destroy(), quietMs);
    s.on('data', (d: string) => {
      out += d;
      clearTimeout(timer);
      timer = setTimeout(() => s.destroy(), quietMs);
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    s.on('error', () => undefined);
  });
}

/** A raw client that keeps what it receives and never closes its side unless told (allowHalfOpen). */
export interface RawClient {
  socket: Socket;
  received(): string;
  /** Resolves once the received text matches `re`. */
  until(re: RegExp, ms?: number): Promise<string>;
  ended(): boolean;
  closed(): boolean;
}

export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  sockets.push(socket);
  await once(socket, 'connect');
  let out = '';
  let ended = false;
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (out += d));
  socket.on('end', () => (ended = true));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  return {
    socket, received: () => out, ended: () => ended, closed: () => closed,
    until: (re, ms = 3000) => waitFor(`response matching ${re}`, () => (re.test(out) ? out : undefined), ms),
  };
}

/** Polls `probe` on every turn of the event loop until it gives a value; fails after `ms` of real time. */
export async function waitFor<T>(what: string, probe: () => T | undefined, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
