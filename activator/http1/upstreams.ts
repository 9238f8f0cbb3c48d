import { connect, type Socket } from 'node:net';

/** Opens a connection to a pod (tests give one that never completes, to see the connect timeout). */
export type Dial = (ip: string, port: number) => Socket;

const dialTcp: Dial = (ip, port) => connect({ host: ip, port, noDelay: true });

/** What an exchange does with its connection's events while it holds it. */
export interface UpstreamHandler {
  /** A new connection is established: bytes sent now reach the pod. */
  onConnect(): void;
  onData(data: Buffer): void;
  onDrain(): void;
  /** The connection is gone (closed by the pod, reset, or failed to connect). */
  onClose(error: Error | undefined): void;
}

/**
 * One connection to a pod. Its listeners are attached once and call whichever exchange holds it, so a
 * reused connection costs no listener churn; while idle in the pool, any event means it is no longer usable.
 */
export class Upstream {
  handler: UpstreamHandler | undefined;
  /** It served an exchange before (a reused connection may have been closed by the pod under us). */
  reused = false;
  /** The TCP connect completed. */
  connected: boolean;
  idleSince = 0;
  private error: Error | undefined;
  private readonly listeners = {
    connect: (): void => {
      this.connected = true;
      this.handler?.onConnect();
    },
    data: (d: Buffer): void => (this.handler ? this.handler.onData(d) : this.drop()),
    drain: (): void => this.handler?.onDrain(),
    end: (): void => void (this.handler || this.drop()),
    error: (err: Error): void => void (this.error = err),
    close: (): void => (this.handler ? this.handler.onClose(this.error) : this.drop()),
  };

  constructor(readonly socket: Socket, readonly key: string, private readonly pool: UpstreamPool) {
    this.connected = !socket.connecting;
    const l = this.listeners;
    if (!this.connected) socket.once('connect', l.connect);
    socket.on('data', l.data).on('drain', l.drain).on('end', l.end).on('error', l.error).on('close', l.close);
  }

  /** Gives the socket away (to a tunnel, after a 101): this object no longer listens to it. */
  detach(): Socket {
    const l = this.listeners;
    this.handler = undefined;
    this.socket.off('connect', l.connect).off('data', l.data).off('drain', l.drain).off('end', l.end).off('error', l.error).off('close', l.close);
    return this.socket;
  }

  private drop(): void {
    this.socket.destroy();
    this.pool.forget(this);
  }
}

export interface PoolOptions {
  /** Idle connections are closed after this (ms). */
  idleMs?: number;
  maxIdlePerPod?: number;
  dial?: Dial;
}

/**
 * Keep-alive connections to pods, one free list per pod address, most recently used first. A connection
 * comes back only when its exchange ended cleanly. Idle ones are closed after `idleMs`, shorter than Node's
 * default server keep-alive (5 s), so that we rarely send on a connection the pod is closing.
 */
export class UpstreamPool {
  private readonly free = new Map<string, Upstream[]>();
  private readonly idleMs: number;
  private readonly maxIdlePerPod: number;
  private readonly dial: Dial;

  constructor(opts: PoolOptions = {}) {
    this.idleMs = opts.idleMs ?? 4000;
    this.maxIdlePerPod = opts.maxIdlePerPod ?? 256;
    this.dial = opts.dial ?? dialTcp;
  }

  /** An idle connection to the pod, or a new one (`fresh`: always a new one). */
  get(ip: string, port: number, fresh = false): Upstream {
    const key = `${ip}:${port}`;
    const list = fresh ? undefined : this.free.get(key);
    while (list?.length) {
      const up = list.pop()!;
      if (!up.socket.destroyed && up.socket.writable) return up;
      up.socket.destroy();
    }
    return new Upstream(this.dial(ip, port), key, this);
  }

  /** Takes back a connection whose exchange ended cleanly. */
  release(up: Upstream, now: number): void {
    up.handler = undefined;
    let list = this.free.get(up.key);
    if (!list) this.free.set(up.key, (list = []));
    if (list.length >= this.maxIdlePerPod || up.socket.destroyed) {
      up.socket.destroy();
      return;
    }
    up.reused = true;
    up.idleSince = now;
    list.push(up);
  }

  forget(up: Upstream): void {
    const list = this.free.get(up.key);
    const at = list?.indexOf(up) ?? -1;
    if (at >= 0) list!.splice(at, 1);
  }

  /** Closes connections idle since before `now - idleMs` (the activator's sweep calls this). */
  sweep(now: number): void {
    for (const [key, list] of this.free) {
      while (list.length && now - list[0]!.idleSince >= this.idleMs) list.shift()!.socket.destroy();
      if (!list.length) this.free.delete(key);
    }
  }

  /** Idle connections held, over all pods. */
  get idle(): number {
    let n = 0;
    for (const list of this.free.values()) n += list.length;
    return n;
  }

  close(): void {
    for (const list of this.free.values()) for (const up of list) up.socket.destroy();
    this.free.clear();
  }
}
