import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import { ActivatorError, type ErrorKind } from '../errors.js';
import { normalizeHost } from '../routing/hosts.js';
import { BodyFramer } from './body.js';
import { HeadError, parseRequestHead, parseResponseHead, requestHeadForPod, responseHeadForClient, responseKeepsAlive, type Framing, type RequestHead } from './head.js';
import type { Upstream, UpstreamHandler, UpstreamPool } from './upstreams.js';

// One client connection: HTTP/1.1 requests read off the socket, each forwarded to the pod its hooks pick,
// the response streamed back, then the next request. Only heads are parsed and rewritten; bodies go
// through as they came (undici and Envoy's HTTP/1 codec split the work the same way). This is the warm
// path's whole cost, so it allocates little: one exchange object per request, no header objects.

/** A pod reserved for one request, with Knative's timeouts counted from when it was given (ms; idleMs 0: none). */
export interface PodSlot {
  ip: string;
  port: number;
  responseStartMs: number;
  totalMs: number;
  idleMs: number;
  /** Names the target in error messages, e.g. `revision "hello-00001"`. */
  label: string;
  release(): void;
}

/** What the activator decides for each request; the connection does the HTTP. `R` is its per-request routing result. */
export interface ProxyHooks<R> {
  /** Which target the request goes to. Throws an ActivatorError to answer it here (404, 503). */
  resolve(head: RequestHead, host: string): R;
  /** A pod for it: at once when warm, later when cold; undefined if the client went away meanwhile. */
  acquire(routed: R, client: Socket, startedAt: number): PodSlot | Promise<PodSlot | undefined>;
  /** Once per request however it ended, with the status the client got (499: it went away first). */
  done(routed: R | undefined, status: number, startedAt: number, host: string, error: ActivatorError | undefined): void;
}

/** What all connections of one server share. */
export interface ConnectionContext<R> {
  readonly hooks: ProxyHooks<R>;
  readonly pool: UpstreamPool;
  /** Set while the activator drains: every response closes its connection. */
  readonly draining: boolean;
  now(): number;
}

/** Longest request head accepted (Node's default, too). */
const MAX_HEAD = 16 * 1024;
/** Longest response head accepted from a pod. */
const MAX_RESPONSE_HEAD = 64 * 1024;
/** Request bytes held while waiting for a pod, or read ahead of a pipelined request, before reading stops. */
const MAX_BUFFERED = 1024 * 1024;
/** A response body up to this size is sent in one buffer with its head. */
const SMALL_BODY = 16 * 1024;
/** A request head must arrive within this (Node's headersTimeout): slow-loris connections are cut. */
const HEAD_MS = 60_000;
/** An idle keep-alive connection is closed after this (longer than the usual 60 s of load balancers). */
const KEEP_ALIVE_MS = 65_000;
/** While draining, a connection that stays idle this long is closed. */
const DRAIN_IDLE_MS = 1000;

const HEAD_ERROR_KINDS: Record<HeadError['status'], ErrorKind> = { 400: 'BAD_REQUEST', 431: 'HEAD_TOO_LARGE', 501: 'NOT_IMPLEMENTED', 502: 'UPSTREAM' };

function asActivatorError(err: unknown): ActivatorError {
  if (err instanceof ActivatorError) return err;
  if (err instanceof HeadError) return new ActivatorError(HEAD_ERROR_KINDS[err.status], err.message);
  return new ActivatorError('UPSTREAM', err instanceof Error ? err.message : String(err));
}

/** A malformed response body is the pod's fault: 502. */
const podBodyError = (message: string): HeadError => new HeadError(502, message);

/** A plain-text answer from the activator itself; the connection closes after it. */
export function errorResponse(e: ActivatorError): string {
  const body = e.message + '\n';
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\nx-kzero-error: ${e.code}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

/** One request and its response. */
class Exchange<R> implements UpstreamHandler {
  routed: R | undefined;
  slot: PodSlot | undefined;
  upstream: Upstream | undefined;
  /** The head the pod gets (kept for a retry on a fresh connection). */
  podHead = '';
  readonly requestBody: BodyFramer;
  /** Request body read before a pod was there. */
  pending: Buffer[] = [];
  pendingBytes = 0;
  responseHead: Buffer | undefined;
  responseBody: BodyFramer | undefined;
  responseFraming: Framing | undefined;
  /** The pod may take another request on this connection afterwards. */
  podKeepAlive = false;
  status = 0;
  headSent = false;
  /** The client connection ends after this response. */
  closeAfter: boolean;
  retried = false;
  finished = false;
  responseStartAt = 0;
  totalAt = 0;
  lastIo = 0;
  requestPaused = false;
  responsePaused = false;

  constructor(readonly conn: ClientConnection<R>, readonly head: RequestHead, readonly host: string, readonly startedAt: number) {
    this.requestBody = new BodyFramer(head.framing);
    this.closeAfter = !head.keepAlive;
  }

  onData(data: Buffer): void {
    this.conn.upstreamData(this, data);
  }

  onDrain(): void {
    if (!this.requestPaused) return;
    this.requestPaused = false;
    this.conn.socket.resume();
  }

  onClose(error: Error | undefined): void {
    this.conn.upstreamClosed(this, error);
  }
}

export class ClientConnection<R> {
  /** Bytes read and not consumed yet: a partial head, or what follows the current request. */
  private buf: Buffer | undefined;
  private ex: Exchange<R> | undefined;
  private readonly clientIp: string;
  private idleSince: number;
  private headSince = 0;
  /** No more requests: we answered with an error, or the activator drains. */
  private closing = false;
  /** The current request is an upgrade: once a pod is reserved, bytes flow both ways untouched. */
  private tunnel = false;
  /** The pod end of the tunnel, once it is open. */
  private tunnelPeer: Socket | undefined;
  private pausedForBuffer = false;
  /** Requests answered on this connection. */
  private served = 0;

  constructor(readonly socket: Socket, private readonly ctx: ConnectionContext<R>) {
    this.clientIp = socket.remoteAddress ?? '';
    this.idleSince = ctx.now();
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('drain', () => this.onDrain());
    socket.on('end', () => this.onEnd());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.onClose());
  }

  /** Timeouts, checked by the server's sweep instead of a timer per request. */
  sweep(now: number): void {
    if (this.tunnel) return; // an upgraded connection lives as long as its two ends want
    const ex = this.ex;
    if (ex) {
      if (!ex.slot || ex.finished) return;
      if (!ex.headSent && now >= ex.responseStartAt) {
        const { responseStartMs, totalMs } = ex.slot;
        const what = responseStartMs < totalMs ? 'did not start responding' : 'did not respond';
        this.fail(ex, new ActivatorError('RESPONSE_TIMEOUT', `${ex.slot.label} ${what} within ${Math.round(Math.min(responseStartMs, totalMs) / 1000)}s`));
      } else if (now >= ex.totalAt || (ex.slot.idleMs > 0 && now - ex.lastIo >= ex.slot.idleMs)) {
        // Past the total or idle limit with the response under way: cut it, keeping what was sent.
        if (ex.headSent) this.abort(ex, ex.status);
        else this.fail(ex, new ActivatorError('RESPONSE_TIMEOUT', `${ex.slot.label} did not respond within ${Math.round(ex.slot.totalMs / 1000)}s`));
      }
    } else {
      if (this.headSince && now - this.headSince >= HEAD_MS) this.answer(new ActivatorError('REQUEST_TIMEOUT', `request head not received within ${HEAD_MS / 1000}s`));
      else if (!this.headSince && now - this.idleSince >= (this.ctx.draining ? DRAIN_IDLE_MS : KEEP_ALIVE_MS)) this.socket.end();
    }
  }

  /** Closes the connection if no request is under way (the activator is draining). */
  closeIfIdle(): void {
    if (this.ex || this.tunnel) this.closing = true;
    else if (this.served > 0) this.socket.end();
    // A connection that has not sent a request yet may have one on the way: the sweep closes it if it stays quiet.
  }

  private onData(d: Buffer): void {
    if (this.tunnelPeer || this.socket.destroyed) return;
    if (this.tunnel) {
      // Upgraded-protocol bytes sent before the pod was reserved: they go first once it is.
      this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
      if (this.buf.length > MAX_BUFFERED) this.pauseForBuffer();
      return;
    }
    const ex = this.ex;
    if (ex && !ex.requestBody.done) {
      this.requestBodyFrom(ex, d);
      return;
    }
    if (this.closing && !ex) return;
    this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    if (!ex) this.nextRequest();
    else if (this.buf.length > MAX_BUFFERED) this.pauseForBuffer();
  }

  private pauseForBuffer(): void {
    this.pausedForBuffer = true;
    this.socket.pause();
  }

  /** Starts on the next request in the buffer, if its head is complete. */
  private nextRequest(): void {
    const buf = this.buf;
    if (!buf || this.closing) return;
    let start = 0;
    while (start + 1 < buf.length && buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2; // RFC 9112 2.2: stray CRLFs before a request
    const end = buf.indexOf('\r\n\r\n', start, 'latin1');
    if (end < 0 || end - start > MAX_HEAD) {
      if (buf.length - start > MAX_HEAD) this.answer(new ActivatorError('HEAD_TOO_LARGE', `request head larger than ${MAX_HEAD} bytes`));
      else if (!this.headSince) this.headSince = this.ctx.now();
      return;
    }
    this.headSince = 0;
    this.buf = end + 4 < buf.length ? buf.subarray(end + 4) : undefined;
    const now = this.ctx.now();
    let head: RequestHead;
    try {
      head = parseRequestHead(buf.toString('latin1', start, end));
    } catch (err) {
      const e = asActivatorError(err);
      this.ctx.hooks.done(undefined, e.status, now, '', e);
      this.answer(e);
      return;
    }
    const ex = new Exchange(this, head, normalizeHost(head.host), now);
    this.ex = ex;
    if (this.closing || this.ctx.draining) ex.closeAfter = true;
    try {
      ex.routed = this.ctx.hooks.resolve(head, ex.host);
      if (head.upgrade) {
        this.tunnel = true;
      } else if (this.buf) {
        const rest = this.buf;
        this.buf = undefined;
        this.requestBodyFrom(ex, rest);
        if (ex.finished) return;
      }
      const got = this.ctx.hooks.acquire(ex.routed, this.socket, now);
      if (got instanceof Promise) got.then((slot) => this.start(ex, slot), (err: unknown) => this.fail(ex, asActivatorError(err)));
      else this.start(ex, got);
    } catch (err) {
      this.fail(ex, asActivatorError(err));
    }
  }

  /** Request body bytes in `d` go to the pod (or wait for it); what follows is the next request. */
  private requestBodyFrom(ex: Exchange<R>, d: Buffer): void {
    let n: number;
    try {
      n = ex.requestBody.take(d, 0);
    } catch (err) {
      this.fail(ex, asActivatorError(err));
      return;
    }
    if (n > 0) {
      const part = n === d.length ? d : d.subarray(0, n);
      ex.lastIo = this.ctx.now();
      if (ex.upstream) {
        if (!ex.upstream.socket.write(part)) {
          ex.requestPaused = true;
          this.socket.pause();
        }
      } else {
        ex.pending.push(part);
        ex.pendingBytes += n;
        if (ex.pendingBytes > MAX_BUFFERED) this.pauseForBuffer();
      }
    }
    if (n < d.length) {
      this.buf = this.buf ? Buffer.concat([this.buf, d.subarray(n)]) : d.subarray(n);
      if (this.buf.length > MAX_BUFFERED) this.pauseForBuffer();
    }
  }

  /** A pod is reserved: open (or reuse) a connection to it and send the request. */
  private start(ex: Exchange<R>, slot: PodSlot | undefined): void {
    if (!slot) {
      this.finish(ex, 499, undefined); // the client went away while the request waited
      return;
    }
    if (this.ex !== ex || ex.finished || this.socket.destroyed) {
      slot.release();
      if (!ex.finished) this.finish(ex, 499, undefined);
      return;
    }
    const now = this.ctx.now();
    ex.slot = slot;
    ex.totalAt = now + slot.totalMs;
    ex.responseStartAt = now + Math.min(slot.responseStartMs, slot.totalMs);
    ex.lastIo = now;
    ex.podHead = requestHeadForPod(ex.head, this.clientIp, ex.host);
    if (this.tunnel) this.startTunnel(ex, slot);
    else this.send(ex, false);
  }

  private send(ex: Exchange<R>, fresh: boolean): void {
    const up = this.ctx.pool.get(ex.slot!.ip, ex.slot!.port, fresh);
    ex.upstream = up;
    up.handler = ex;
    const s = up.socket;
    if (ex.pending.length === 0) {
      s.write(ex.podHead, 'latin1');
    } else {
      s.cork();
      s.write(ex.podHead, 'latin1');
      for (const p of ex.pending) s.write(p);
      s.uncork();
      ex.pending = [];
      ex.pendingBytes = 0;
    }
    if (this.pausedForBuffer && !this.buf) {
      this.pausedForBuffer = false;
      this.socket.resume();
    }
  }

  /** WebSocket (any upgrade): the head to a new connection, then bytes both ways until either side closes. */
  private startTunnel(ex: Exchange<R>, slot: PodSlot): void {
    // A connection of its own, never pooled: after the handshake it carries another protocol.
    const s = connect({ host: slot.ip, port: slot.port, noDelay: true });
    this.tunnelPeer = s;
    s.on('error', () => s.destroy());
    s.write(ex.podHead, 'latin1');
    if (this.buf) s.write(this.buf); // bytes the client sent after the head, before the pod was reserved
    this.buf = undefined;
    s.once('data', (d: Buffer) => (ex.status = Number(d.toString('latin1', 9, 12)) || 502));
    s.pipe(this.socket);
    this.socket.pipe(s);
    this.pausedForBuffer = false;
    this.socket.resume();
    s.on('close', () => {
      this.socket.end(); // after what the pod sent is flushed
      this.finish(ex, ex.status || 502, undefined);
    });
  }

  upstreamData(ex: Exchange<R>, d: Buffer): void {
    if (ex.finished) return;
    ex.lastIo = this.ctx.now();
    if (ex.responseBody) {
      this.responseBodyFrom(ex, d, 0);
      return;
    }
    let buf = ex.responseHead ? Buffer.concat([ex.responseHead, d]) : d;
    for (;;) {
      const end = buf.indexOf('\r\n\r\n', 0, 'latin1');
      if (end < 0) {
        if (buf.length > MAX_RESPONSE_HEAD) this.fail(ex, new ActivatorError('UPSTREAM', `${ex.slot!.label}: response head larger than ${MAX_RESPONSE_HEAD} bytes`));
        else ex.responseHead = buf;
        return;
      }
      let res;
      try {
        res = parseResponseHead(buf.toString('latin1', 0, end), ex.head.method);
      } catch (err) {
        this.fail(ex, asActivatorError(err));
        return;
      }
      if (res.status >= 200 || res.status === 101) {
        ex.responseHead = undefined;
        if (res.status === 101) {
          this.fail(ex, new ActivatorError('UPSTREAM', `${ex.slot!.label}: switched protocols without being asked to`));
          return;
        }
        ex.status = res.status;
        ex.podKeepAlive = responseKeepsAlive(res);
        ex.responseFraming = res.framing;
        ex.responseBody = new BodyFramer(res.framing, podBodyError);
        // The response may come before the whole request did (an early 413): neither connection can be reused.
        if (!ex.requestBody.done || res.framing.kind === 'close' || this.ctx.draining || this.closing) ex.closeAfter = true;
        ex.headSent = true;
        this.responseBodyFrom(ex, buf, end + 4, responseHeadForClient(res, ex.closeAfter));
        return;
      }
      // 1xx (100 Continue): passed on, and the final response follows.
      this.socket.write(responseHeadForClient(res, false), 'latin1');
      buf = buf.subarray(end + 4);
      if (!buf.length) {
        ex.responseHead = undefined;
        return;
      }
    }
  }

  /** Response body bytes in `d` from `offset` to the client, after the response head if given. */
  private responseBodyFrom(ex: Exchange<R>, d: Buffer, offset: number, head?: string): void {
    let n: number;
    try {
      n = ex.responseBody!.take(d, offset);
    } catch (err) {
      this.abort(ex, ex.status, asActivatorError(err));
      return;
    }
    let out = n === 0 ? undefined : offset === 0 && n === d.length ? d : d.subarray(offset, offset + n);
    if (head !== undefined) {
      // A small response goes out in one write of one buffer: cheaper than a writev of a string and a buffer.
      if (out && out.length <= SMALL_BODY) {
        const both = Buffer.allocUnsafe(head.length + out.length);
        both.write(head, 0, 'latin1');
        out.copy(both, head.length);
        out = both;
      } else this.socket.write(head, 'latin1');
    }
    if (out && !this.socket.write(out)) {
      ex.responsePaused = true;
      ex.upstream!.socket.pause();
    }
    if (offset + n < d.length) ex.podKeepAlive = false; // bytes past the response: the pod is out of step
    if (ex.responseBody!.done) this.complete(ex);
  }

  private onDrain(): void {
    const ex = this.ex;
    if (!ex?.responsePaused) return;
    ex.responsePaused = false;
    ex.upstream?.socket.resume();
  }

  upstreamClosed(ex: Exchange<R>, error: Error | undefined): void {
    if (ex.finished) return;
    if (ex.responseFraming?.kind === 'close') {
      this.complete(ex);
      return;
    }
    // A reused connection the pod closed as we sent on it: nothing was answered, so a request without a body can go again.
    if (!ex.headSent && !ex.responseHead && ex.upstream?.reused && !ex.retried && ex.head.framing.kind === 'none') {
      ex.retried = true;
      this.send(ex, true);
      return;
    }
    const reason = error?.message ?? 'connection closed before the response ended';
    if (ex.headSent) this.abort(ex, ex.status, new ActivatorError('UPSTREAM', `${ex.slot!.label} pod ${ex.slot!.ip}: ${reason}`));
    else this.fail(ex, new ActivatorError('UPSTREAM', `${ex.slot!.label} pod ${ex.slot!.ip}: ${reason}`));
  }

  /** The response is through: the pod connection back to the pool if it can serve again, then the next request. */
  private complete(ex: Exchange<R>): void {
    const up = ex.upstream!;
    const now = this.ctx.now();
    if (ex.podKeepAlive && ex.requestBody.done && !ex.responsePaused) this.ctx.pool.release(up, now);
    else {
      up.handler = undefined;
      up.socket.destroy();
    }
    this.finish(ex, ex.status, undefined);
    this.ex = undefined;
    this.served++;
    if (ex.closeAfter) {
      this.closing = true;
      this.buf = undefined;
      this.socket.end();
      return;
    }
    this.idleSince = now;
    if (this.pausedForBuffer) {
      this.pausedForBuffer = false;
      this.socket.resume();
    }
    if (this.buf) this.nextRequest();
  }

  /** The exchange failed before the response started: answer with the error and close. */
  private fail(ex: Exchange<R>, e: ActivatorError): void {
    if (ex.finished) return;
    if (ex.headSent) {
      this.abort(ex, ex.status, e);
      return;
    }
    this.dropUpstream(ex);
    this.finish(ex, e.status, e);
    this.answer(e);
  }

  /** The exchange failed mid-response: the client sees the connection cut, which is all HTTP/1.1 can say. */
  private abort(ex: Exchange<R>, status: number, e?: ActivatorError): void {
    if (ex.finished) return;
    this.dropUpstream(ex);
    this.finish(ex, status, e);
    this.socket.destroy();
  }

  private dropUpstream(ex: Exchange<R>): void {
    const up = ex.upstream;
    if (!up) return;
    up.handler = undefined;
    up.socket.destroy();
  }

  private answer(e: ActivatorError): void {
    this.closing = true;
    this.buf = undefined;
    this.ex = undefined;
    if (!this.socket.destroyed) this.socket.end(errorResponse(e), 'latin1');
  }

  private finish(ex: Exchange<R>, status: number, e: ActivatorError | undefined): void {
    if (ex.finished) return;
    ex.finished = true;
    ex.slot?.release();
    this.ctx.hooks.done(ex.routed, status, ex.startedAt, ex.host, e);
  }

  private onEnd(): void {
    // A FIN mid-request is the client going away, as Node's and Go's servers read it too.
    if (this.ex && !this.ex.finished) this.socket.destroy();
    else this.socket.end();
  }

  private onClose(): void {
    const ex = this.ex;
    this.tunnelPeer?.destroy();
    if (ex && !ex.finished) {
      this.dropUpstream(ex);
      this.finish(ex, ex.status || 499, undefined);
    }
  }
}
