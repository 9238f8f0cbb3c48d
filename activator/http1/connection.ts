import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ActivatorError } from '../errors.js';
import { normalizeHost } from '../routing/hosts.js';
import { BodyFramer } from './body.js';
import { Exchange, asActivatorError, type ExchangeOwner } from './exchange.js';
import { MAX_REQUEST_HEAD as MAX_HEAD, parseRequestHead, type RequestHead } from './head.js';
import type { ConnectionContext, PodSlot, Swept } from './hooks.js';
import { lingerOver, startLinger, type Linger } from './linger.js';
import { HeadScanner, Scan } from './request-scanner.js';
import { TUNNEL_IDLE_MS, Tunnel } from './tunnel.js';
import type { Upstream } from './upstreams.js';

// One client connection: HTTP/1.1 requests read off the socket one at a time, each handed to an
// Exchange that forwards it to a pod, then the next. The connection decides when to read: bytes it cannot
// pass on yet (the body of a request waiting for a pod or for the connect to it, or what follows the
// request under way) go back into the socket (`unshift`) and reading stops, so the rest stays in the
// kernel and Node reads nothing more (its buffer is over the mark). What is held counts against the
// server's byte budget. After an upgrade's 101 the socket goes to a Tunnel, held bytes and all.

/** A request head must arrive within this (Node's headersTimeout): slow-loris connections are cut. */
const HEAD_MS = 60_000;
/** An idle keep-alive connection is closed after this (longer than the usual 60 s of load balancers). */
const KEEP_ALIVE_MS = 65_000;
/** While draining, a connection that stays idle this long is closed. */
const DRAIN_IDLE_MS = 1000;

/** A plain-text answer from the activator itself; the connection closes after it. */
export function errorResponse(e: ActivatorError): string {
  // Messages quote what the client sent (hosts, header values): its bytes are escaped, so the body is plain
  // ASCII, its length is its byte count, and nothing the client chose is reflected raw.
  const body = escapeText(e.message) + '\n';
  return `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? ''}\r\ncontent-type: text/plain; charset=utf-8\r\nx-kzero-error: ${e.code}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

function escapeText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

export class ClientConnection<R> implements ExchangeOwner<R>, Swept {
  readonly clientIp: string;
  /** A partial head (with no request under way). */
  private buf: Buffer | undefined;
  private ex: Exchange<R> | undefined;
  private readonly scanner = new HeadScanner(MAX_HEAD);
  private idleSince: number;
  private headSince = 0;
  /** Set once we have ended our side: what the client still sends is read and dropped. */
  private linger: Linger | undefined;
  private paused = false;
  /** Bytes this connection counts in the server's budget. */
  private held = 0;
  /** Requests answered on this connection. */
  private served = 0;
  private readonly listeners = {
    data: (d: Buffer): void => this.onData(d),
    drain: (): void => this.ex?.clientDrained(),
    end: (): void => this.onEnd(),
    error: (): void => void this.socket.destroy(),
    close: (): void => this.onClose(),
  };

  constructor(readonly socket: Socket, readonly ctx: ConnectionContext<R>) {
    this.clientIp = socket.remoteAddress ?? '';
    this.idleSince = ctx.now();
    socket.setNoDelay(true);
    const l = this.listeners;
    socket.on('data', l.data).on('drain', l.drain).on('end', l.end).on('error', l.error).on('close', l.close);
  }

  /** Timeouts, checked by the server's sweep instead of a timer per request. */
  sweep(now: number): void {
    if (this.paused) this.settle(); // Node may have read into its buffer meanwhile: count it
    if (this.linger) {
      if (lingerOver(this.linger, this.socket.writableLength, now)) this.socket.destroy();
    } else if (this.ex) this.ex.sweep(now);
    else if (this.headSince && now - this.headSince >= HEAD_MS) this.reject(new ActivatorError('REQUEST_TIMEOUT', `request head not received within ${HEAD_MS / 1000}s`));
    else if (!this.headSince && now - this.idleSince >= (this.ctx.draining ? DRAIN_IDLE_MS : KEEP_ALIVE_MS)) this.close();
  }

  closeIfIdle(): void {
    if (this.ex) this.ex.closeAfter = true;
    else if (this.served > 0) this.close();
    // A connection that has not sent a request yet may have one on the way: the sweep closes it if it stays quiet.
  }

  private onData(d: Buffer): void {
    if (this.linger) return;
    const ex = this.ex;
    if (!ex) {
      this.buf = this.buf ? Buffer.concat([this.buf, d]) : d;
      this.nextRequest();
    } else if (!ex.requestBody.done && ex.flowing) this.bodyFrom(ex, d);
    else this.hold(d);
    this.settle();
  }

  /** Bytes that cannot go on yet: back into the socket, and reading stops until they can. */
  private hold(d: Buffer): void {
    this.paused = true;
    this.socket.pause(); // first: unshifting into a flowing socket would hand them straight back
    this.socket.unshift(d);
  }

  /** Starts on the next request in the buffer, if its head is complete. */
  private nextRequest(): void {
    const buf = this.buf;
    if (!buf || this.ex || this.linger) return;
    const end = this.scanner.scan(buf);
    const start = this.scanner.start;
    if (end === Scan.Flood) return this.reject(new ActivatorError('BAD_REQUEST', `more than ${MAX_HEAD} bytes of empty lines before a request line`));
    if (end === Scan.TooLarge) return this.reject(new ActivatorError('HEAD_TOO_LARGE', `request head larger than ${MAX_HEAD} bytes`));
    if (end === Scan.More) {
      this.buf = start < buf.length ? buf.subarray(start) : undefined; // the empty lines are consumed
      if (!this.headSince) this.headSince = this.ctx.now();
      return;
    }
    this.headSince = 0;
    this.buf = undefined;
    const rest = end + 4 < buf.length ? buf.subarray(end + 4) : undefined;
    const now = this.ctx.now();
    let head: RequestHead;
    try {
      head = parseRequestHead(buf.toString('latin1', start, end));
    } catch (err) {
      return this.reject(asActivatorError(err));
    }
    const ex = new Exchange(this, head, normalizeHost(head.host), now);
    this.ex = ex;
    if (this.ctx.draining) ex.closeAfter = true;
    try {
      ex.routed = this.ctx.hooks.resolve(head, ex.host);
      // A chunked body that came with its head is checked before a pod is involved: a malformed one never reaches it.
      if (rest && head.framing.kind === 'chunked') new BodyFramer(head.framing).take(rest, 0);
      const got = this.ctx.hooks.acquire(ex.routed, ex, now);
      if (got instanceof Promise) {
        if (rest) this.hold(rest);
        this.wait(ex, got);
        return;
      }
      ex.start(got);
      if (!rest || ex.finished) return;
      if (!ex.requestBody.done && ex.flowing) this.bodyFrom(ex, rest);
      else this.hold(rest);
    } catch (err) {
      ex.fail(asActivatorError(err));
    }
  }

  /** The request waits for a pod; what it holds meanwhile must fit in the budget. */
  private wait(ex: Exchange<R>, got: Promise<PodSlot | undefined>): void {
    got.then((slot) => ex.start(slot), (err: unknown) => ex.fail(asActivatorError(err)));
    this.settle();
    const budget = this.ctx.budget;
    if (this.held > 0 && budget.exceeded) {
      ex.fail(new ActivatorError('OVERLOADED', `request for host "${ex.host}" refused: requests waiting for pods hold ${budget.used} bytes, over the activator's limit of ${budget.limit} (--max-pending-body-bytes)`));
    }
  }

  /** Request body bytes in `d` go to the exchange; what follows is the next request. */
  private bodyFrom(ex: Exchange<R>, d: Buffer): void {
    let n: number;
    try {
      n = ex.requestBody.take(d, 0);
    } catch (err) {
      ex.fail(asActivatorError(err));
      return;
    }
    if (n > 0) ex.requestData(n === d.length ? d : d.subarray(0, n));
    if (n < d.length) this.hold(d.subarray(n));
  }

  /**
   * Reads on or stops, and counts what is held. Called whenever either may have changed. With a request
   * under way, a body is read while its pod takes it; after the body, reading goes on only to see the
   * client go away, and stops at the first byte of the next request.
   */
  settle(): void {
    const ex = this.ex;
    const held = (this.buf ? this.buf.length : 0) + this.socket.readableLength;
    if (held !== this.held) this.account(held);
    const read = !ex || (ex.requestBody.done ? this.socket.readableLength === 0 : ex.flowing);
    if (read !== this.paused) return;
    this.paused = !read;
    if (read) this.socket.resume();
    else this.socket.pause();
  }

  private account(held: number): void {
    this.ctx.budget.add(held - this.held);
    this.held = held;
  }

  completed(ex: Exchange<R>): void {
    this.ex = undefined;
    this.served++;
    if (ex.closeAfter) return this.close();
    this.idleSince = this.ctx.now();
    this.settle(); // what was held of the next request comes back as data
  }

  failed(_ex: Exchange<R>, e: ActivatorError): void {
    this.ex = undefined;
    this.close(errorResponse(e));
  }

  upgraded(ex: Exchange<R>, up: Upstream, head: string, rest: Buffer | undefined): void {
    const l = this.listeners;
    this.socket.off('data', l.data).off('drain', l.drain).off('end', l.end).off('error', l.error).off('close', l.close);
    this.ex = undefined;
    this.account(0);
    this.socket.write(head, 'latin1');
    const tunnel: Tunnel = new Tunnel(this.socket, up.detach(), {
      idleMs: ex.slot!.idleMs || TUNNEL_IDLE_MS, now: () => this.ctx.now(), podFirst: rest,
      onEnd: () => {
        ex.finish(101, undefined);
        this.ctx.forget(tunnel);
      },
    });
    this.ctx.handOver(this, tunnel);
  }

  /** A request rejected before it had an exchange. */
  private reject(e: ActivatorError): void {
    this.ctx.hooks.done(undefined, e.status, this.ctx.now(), '', e);
    this.close(errorResponse(e));
  }

  /** Ends our side, after `last` if given; the socket is destroyed if the client does not close in time. */
  private close(last?: string): void {
    if (this.linger || this.socket.destroyed) return;
    this.buf = undefined;
    if (last === undefined) this.socket.end();
    else this.socket.end(last, 'latin1');
    this.linger = startLinger(this.socket.writableLength, this.ctx.now());
    // Read on and drop what comes, so the client gets our answer before the kernel would reset the connection.
    this.settle();
  }

  private onEnd(): void {
    // A FIN mid-request is the client going away, as Node's and Go's servers read it too. Once we have
    // ended too, the socket closes by itself when our last bytes are out.
    if (this.ex) this.socket.destroy();
    else this.close();
  }

  private onClose(): void {
    this.ex?.clientGone();
    this.ex = undefined;
    this.buf = undefined;
    this.account(0);
    this.ctx.forget(this);
  }
}
