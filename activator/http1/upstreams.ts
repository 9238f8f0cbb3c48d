import { connect, type Socket } from 'node:net';

/** What an exchange does with its connection's events while it holds it. */
export interface UpstreamHandler {
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
  idleSince = 0;
  private error: Error | undefined;

  constructor(readonly socket: Socket, readonly key: string, private readonly pool: UpstreamPool) {
    socket.on('data', (d: Buffer) => (this.handler ? this.handler.onData(d) : this.drop()));
    socket.on('drain', () => this.handler?.onDrain());
    socket.on('end', () => this.handler || this.drop());
    socket.on('error', (err) => (this.error = err));
    socket.on('close', () => (this.handler ? this.handler.onClose(this.error) : this.drop()));
  }

  private drop(): void {
    this.socket.destroy();
    this.pool.forget(this);
  }
}

/**
 * Keep-alive connections to pods, one free list per pod address, most recently used first. A connection
 * comes back only when its exchange ended cleanly. Idle ones are closed after `idleMs`, shorter than Node's
 * default server keep-alive (5 s), so that we rarely send on a connection the pod is closing.
 */
export class UpstreamPool {
  private readonly free = new Map<string, Upstream[]>();

  constructor(private readonly idleMs = 4000, private readonly maxIdlePerPod = 256) {}

  /** An idle connection to the pod, or a new one (`fresh`: always a new one). */
  get(ip: string, port: number, fresh = false): Upstream {
    const key = `${ip}:${port}`;
    const list = fresh ? undefined : this.free.get(key);
    while (list?.length) {
      const up = list.pop()!;
      if (!up.socket.destroyed && up.socket.writable) return up;
      up.socket.destroy();
    }
    return new Upstream(connect({ host: ip, port, noDelay: true }), key, this);
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
