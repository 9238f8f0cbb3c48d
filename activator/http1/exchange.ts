import type { Socket } from 'node:net';
import { ActivatorError, type ErrorKind } from '../errors.js';
import { BodyFramer } from './body.js';
import { HeadError, MAX_RESPONSE_HEAD, parseResponseHead, requestHeadForPod, responseHeadForClient, responseKeepsAlive, type Framing, type RequestHead, type ResponseHead } from './head.js';
import type { ConnectionContext, PodSlot, PodWait } from './hooks.js';
import { switchingHead } from './tunnel.js';
import type { Upstream, UpstreamHandler } from './upstreams.js';

// One request and its response, on the pod's side: open (or reuse) a pod connection, send the head and
// the body as the client connection hands it over, relay the response back. Only heads are parsed and
// rewritten; bodies go through as they came (undici and Envoy's HTTP/1 codec split the work the same
// way). This is the warm path's whole cost, so it allocates little: this object, no closures, no headers.

/** A response body up to this size is sent in one buffer with its head. */
const SMALL_BODY = 16 * 1024;
/** A pod that has not accepted the connection within this is skipped for another ready pod. */
export const CONNECT_MS = 3000;
/** Pods tried for one request before it gets 502: the first and two more. */
const CONNECT_ATTEMPTS = 3;
/** Methods a request may be sent again with (RFC 9110 9.2.2): running them twice does what once does. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

const HEAD_ERROR_KINDS: Record<HeadError['status'], ErrorKind> = { 400: 'BAD_REQUEST', 431: 'HEAD_TOO_LARGE', 501: 'NOT_IMPLEMENTED', 502: 'UPSTREAM' };

export function asActivatorError(err: unknown): ActivatorError {
  if (err instanceof ActivatorError) return err;
  if (err instanceof HeadError) return new ActivatorError(HEAD_ERROR_KINDS[err.status], err.message);
  return new ActivatorError('UPSTREAM', err instanceof Error ? err.message : String(err));
}

/** A malformed response body is the pod's fault: 502. */
const podBodyError = (message: string): HeadError => new HeadError(502, message);

/** The client connection an exchange belongs to, as the exchange sees it. */
export interface ExchangeOwner<R> {
  readonly socket: Socket;
  readonly ctx: ConnectionContext<R>;
  readonly clientIp: string;
  /** Reading the client may go on or must stop: something the exchange holds changed. */
  settle(): void;
  /** The response is through. */
  completed(ex: Exchange<R>): void;
  /** Failed before the response started: answer `e` and close. */
  failed(ex: Exchange<R>, e: ActivatorError): void;
  /** The pod switched protocols: the client gets `head`, then bytes flow both ways. */
  upgraded(ex: Exchange<R>, up: Upstream, head: string, rest: Buffer | undefined): void;
}

export class Exchange<R> implements UpstreamHandler, PodWait {
  routed: R | undefined;
  slot: PodSlot | undefined;
  upstream: Upstream | undefined;
  /** The head the pod gets (kept to send again on another connection). */
  private podHead = '';
  readonly requestBody: BodyFramer;
  /** The pod connection's write buffer is full: stop reading the client. */
  requestPaused = false;
  private responseHead: Buffer | undefined;
  private responseBody: BodyFramer | undefined;
  private responseFraming: Framing | undefined;
  /** The pod may take another request on this connection afterwards. */
  private podKeepAlive = false;
  status = 0;
  private headSent = false;
  /** The client connection ends after this response. */
  closeAfter: boolean;
  private retried = false;
  finished = false;
  private responseStartAt = 0;
  private totalAt = 0;
  private connectAt = 0;
  private lastIo = 0;
  private responsePaused = false;
  /** Pods whose connect failed, and why. */
  private tried: Array<{ ip: string; reason: string }> | undefined;
  private abandon: (() => void) | undefined;

  constructor(readonly conn: ExchangeOwner<R>, readonly head: RequestHead, readonly host: string, readonly startedAt: number) {
    this.requestBody = new BodyFramer(head.framing);
    this.closeAfter = !head.keepAlive;
  }

  onAbandon(fn: () => void): void {
    this.abandon = fn;
  }

  /** Body bytes can go to the pod now; until then the client connection does not read them. */
  get flowing(): boolean {
    return this.upstream !== undefined && this.upstream.connected && !this.requestPaused;
  }

  /** A pod is reserved: send the request to it. */
  start(slot: PodSlot | undefined): void {
    if (this.finished || this.conn.socket.destroyed || !slot) {
      slot?.release();
      this.finish(499, undefined); // the client went away while the request waited
      return;
    }
    const now = this.conn.ctx.now();
    this.slot = slot;
    this.totalAt = now + slot.totalMs;
    this.responseStartAt = now + Math.min(slot.responseStartMs, slot.totalMs);
    this.lastIo = now;
    this.podHead = requestHeadForPod(this.head, this.conn.clientIp, this.host);
    // An upgrade gets a connection of its own, never pooled: after a 101 it carries another protocol.
    this.send(this.head.upgrade);
  }

  private send(fresh: boolean): void {
    const slot = this.slot!;
    const up = this.conn.ctx.pool.get(slot.ip, slot.port, fresh);
    this.upstream = up;
    up.handler = this;
    if (!up.connected) this.connectAt = this.conn.ctx.now();
    up.socket.write(this.podHead, 'latin1');
    // The body is read once the connect is through: if it fails, the request can still go whole to another pod.
    this.conn.settle();
  }

  onConnect(): void {
    this.conn.settle();
  }

  /** Request body bytes from the client, while `flowing`. */
  requestData(part: Buffer): void {
    this.lastIo = this.conn.ctx.now();
    if (!this.upstream!.socket.write(part)) this.requestPaused = true;
  }

  onDrain(): void {
    if (!this.requestPaused) return;
    this.requestPaused = false;
    this.conn.settle();
  }

  /** The client can take more of the response. */
  clientDrained(): void {
    if (!this.responsePaused) return;
    this.responsePaused = false;
    this.upstream?.socket.resume();
  }

  /** Timeouts: the pod's connect, then Knative's three. */
  sweep(now: number): void {
    const slot = this.slot;
    if (this.finished || !slot) return;
    if (this.upstream && !this.upstream.connected && now - this.connectAt >= CONNECT_MS) {
      this.connectFailed(`no connection within ${CONNECT_MS / 1000}s`);
      return;
    }
    if (!this.headSent && now >= this.responseStartAt) {
      const what = slot.responseStartMs < slot.totalMs ? 'did not start responding' : 'did not respond';
      this.fail(new ActivatorError('RESPONSE_TIMEOUT', `${slot.label} ${what} within ${Math.round(Math.min(slot.responseStartMs, slot.totalMs) / 1000)}s`));
    } else if (now >= this.totalAt || (slot.idleMs > 0 && now - this.lastIo >= slot.idleMs)) {
      // Past the total or idle limit with the response under way: cut it, keeping what was sent.
      if (this.headSent) this.abort(this.status);
      else this.fail(new ActivatorError('RESPONSE_TIMEOUT', `${slot.label} did not respond within ${Math.round(slot.totalMs / 1000)}s`));
    }
  }

  onData(d: Buffer): void {
    if (this.finished) return;
    this.lastIo = this.conn.ctx.now();
    if (this.responseBody) {
      this.responseBodyFrom(d, 0);
      return;
    }
    let buf = this.responseHead ? Buffer.concat([this.responseHead, d]) : d;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
      if (end < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) this.fail(new ActivatorError('UPSTREAM', `${this.slot!.label}: response head larger than ${MAX_RESPONSE_HEAD} bytes`));
        else this.responseHead = buf;
        return;
      }
      let res: ResponseHead;
      try {
        res = parseResponseHead(buf.toString('latin1', 0, end), this.head.method);
      } catch (err) {
        this.fail(asActivatorError(err));
        return;
      }
      this.responseHead = undefined;
      if (res.status === 101) {
        this.switched(res, end + 4 < buf.length ? buf.subarray(end + 4) : undefined);
        return;
      }
      if (res.status >= 200) {
        this.status = res.status;
        this.podKeepAlive = responseKeepsAlive(res) && !this.head.upgrade;
        this.responseFraming = res.framing;
        this.responseBody = new BodyFramer(res.framing, podBodyError);
        // The response may come before the whole request did (an early 413): neither connection can be reused.
        if (!this.requestBody.done || res.framing.kind === 'close' || this.conn.ctx.draining) this.closeAfter = true;
        this.headSent = true;
        this.responseBodyFrom(buf, end + 4, responseHeadForClient(res, this.closeAfter));
        return;
      }
      // 1xx (100 Continue): passed on, and the final response follows.
      this.conn.socket.write(responseHeadForClient(res, false), 'latin1');
      buf = buf.subarray(end + 4);
      if (!buf.length) return;
    }
  }

  /** A 101: only for a request that asked to upgrade and has been sent whole, and naming the protocol. */
  private switched(res: ResponseHead, rest: Buffer | undefined): void {
    const label = this.slot!.label;
    if (!this.head.upgrade) return this.fail(new ActivatorError('UPSTREAM', `${label}: switched protocols without being asked to`));
    if (!this.requestBody.done) return this.fail(new ActivatorError('UPSTREAM', `${label}: switched protocols before the request body ended`));
    const head = switchingHead(res);
    if (!head) return this.fail(new ActivatorError('UPSTREAM', `${label}: 101 without an Upgrade header`));
    this.status = 101;
    this.headSent = true;
    const up = this.upstream!;
    this.upstream = undefined;
    this.conn.upgraded(this, up, head, rest);
  }

  /** Response body bytes in `d` from `offset` to the client, after the response head if given. */
  private responseBodyFrom(d: Buffer, offset: number, head?: string): void {
    let n: number;
    try {
      n = this.responseBody!.take(d, offset);
    } catch (err) {
      this.abort(this.status, asActivatorError(err));
      return;
    }
    const client = this.conn.socket;
    let out = n === 0 ? undefined : offset === 0 && n === d.length ? d : d.subarray(offset, offset + n);
    if (head !== undefined) {
      // A small response goes out in one write of one buffer: cheaper than a writev of a string and a buffer.
      if (out && out.length <= SMALL_BODY) {
        const both = Buffer.allocUnsafe(head.length + out.length);
        both.write(head, 0, 'latin1');
        out.copy(both, head.length);
        out = both;
      } else client.write(head, 'latin1');
    }
    if (out && !client.write(out)) {
      this.responsePaused = true;
      this.upstream!.socket.pause();
    }
    if (offset + n < d.length) this.podKeepAlive = false; // bytes past the response: the pod is out of step
    if (this.responseBody!.done) this.complete();
  }

  onClose(error: Error | undefined): void {
    if (this.finished) return;
    const up = this.upstream!;
    if (this.responseFraming?.kind === 'close') {
      this.complete();
      return;
    }
    const reason = error?.message ?? 'connection closed before the response ended';
    if (!up.connected) {
      this.connectFailed(reason);
      return;
    }
    // A reused connection the pod closed as we sent on it: nothing was answered, so an idempotent request
    // without a body can go again on a new one. Anything else might have run: it is not sent twice.
    if (!this.headSent && !this.responseHead && up.reused && !this.retried && this.head.framing.kind === 'none' && IDEMPOTENT.has(this.head.method)) {
      this.retried = true;
      this.send(true);
      return;
    }
    const e = new ActivatorError('UPSTREAM', `${this.slot!.label} pod ${this.slot!.ip}: ${reason}`);
    if (this.headSent) this.abort(this.status, e);
    else this.fail(e);
  }

  /** No request byte reached the pod: release it and try another ready pod, a few times, then 502. */
  private connectFailed(reason: string): void {
    const slot = this.slot!;
    this.dropUpstream();
    (this.tried ??= []).push({ ip: slot.ip, reason });
    slot.release();
    this.slot = undefined;
    const next = this.tried.length < CONNECT_ATTEMPTS ? this.conn.ctx.hooks.failover(this.routed!, this.tried.map((t) => t.ip), this.startedAt) : undefined;
    if (!next) {
      const pods = this.tried.map((t) => `${t.ip} (${t.reason})`).join(', ');
      this.fail(new ActivatorError('UPSTREAM', `${slot.label}: could not connect to pod${this.tried.length > 1 ? 's' : ''} ${pods}`));
      return;
    }
    this.slot = next;
    this.send(false);
  }

  /** The response is through: the pod connection back to the pool if it can serve again. */
  private complete(): void {
    const up = this.upstream!;
    if (this.podKeepAlive && this.requestBody.done && !this.responsePaused) this.conn.ctx.pool.release(up, this.conn.ctx.now());
    else {
      up.handler = undefined;
      up.socket.destroy();
    }
    this.upstream = undefined;
    this.finish(this.status, undefined);
    this.conn.completed(this);
  }

  /** Failed before the response started: the client gets the error. */
  fail(e: ActivatorError): void {
    if (this.finished) return;
    if (this.headSent) {
      this.abort(this.status, e);
      return;
    }
    this.dropUpstream();
    this.finish(e.status, e);
    this.conn.failed(this, e);
  }

  /** Failed mid-response: the client sees the connection cut, which is all HTTP/1.1 can say. */
  abort(status: number, e?: ActivatorError): void {
    if (this.finished) return;
    this.dropUpstream();
    this.finish(status, e);
    this.conn.socket.destroy();
  }

  /** The client went away. */
  clientGone(): void {
    if (this.finished) return;
    this.dropUpstream();
    this.finish(this.status || 499, undefined);
  }

  private dropUpstream(): void {
    const up = this.upstream;
    if (!up) return;
    this.upstream = undefined;
    up.handler = undefined;
    up.socket.destroy();
  }

  /** Ends the exchange: the slot released, a wait for one given up, the outcome recorded. */
  finish(status: number, e: ActivatorError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.slot?.release();
    this.abandon?.();
    this.abandon = undefined;
    this.conn.ctx.hooks.done(this.routed, status, this.startedAt, this.host, e);
  }
}
