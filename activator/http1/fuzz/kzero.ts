import { BodyFramer } from '../body.js';
import { HeadError, MAX_REQUEST_HEAD, MAX_RESPONSE_HEAD, parseRequestHead, parseResponseHead, type RequestHead, type ResponseHead } from '../head.js';
import { RESPONSE_FAULTS } from '../head-error.js';
import type { Rng } from './rng.js';

// kzero's side of the differential test: a byte stream framed the way connection.ts does it. Stray
// CRLFs are skipped, the head up to CRLF CRLF goes to the head parser, the bytes after it go to a
// BodyFramer in pieces of random size; then the next message. The head of a request that frames it
// and the pieces it takes are what the pod would get.

export interface KzMessage<H> {
  head: H;
  /** Offset in the stream where its head starts (after stray CRLFs). */
  start: number;
  /** Offset in the stream just past the message. */
  end: number;
  /** The body bytes as forwarded (chunked: not decoded). */
  body: Buffer;
}

export interface KzResult<H> {
  messages: Array<KzMessage<H>>;
  /** Why framing stopped: refused, more bytes needed, an upgrade (the rest is not HTTP), or all framed. */
  stop: 'refused' | 'incomplete' | 'upgrade' | 'end';
  /** The message whose body was under way when the bytes ran out. */
  pending: KzMessage<H> | undefined;
  error: HeadError | undefined;
}

/** At most this many pipelined messages are framed. */
const MAX_MESSAGES = 4;

/** Requests as connection.ts frames them off a client connection. */
export function kzeroRequests(stream: Buffer, rng: Rng): KzResult<RequestHead> {
  const out: KzResult<RequestHead> = { messages: [], stop: 'end', pending: undefined, error: undefined };
  let pos = 0;
  while (out.messages.length < MAX_MESSAGES) {
    while (pos + 1 < stream.length && stream[pos] === 0x0d && stream[pos + 1] === 0x0a) pos += 2; // RFC 9112 2.2
    if (pos >= stream.length) return out;
    const end = stream.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0) return stop(out, stream.length - pos > MAX_REQUEST_HEAD ? new HeadError(431, 'head too large') : undefined);
    let head: RequestHead;
    try {
      head = parseRequestHead(stream.toString('latin1', pos, end));
    } catch (err) {
      return stop(out, asHeadError(err));
    }
    if (head.upgrade) {
      // connection.ts tunnels every byte after an upgrade's head: nothing more is framed.
      out.messages.push({ head, start: pos, end: end + 4, body: Buffer.alloc(0) });
      return { ...out, stop: 'upgrade' };
    }
    const framed = frameBody(stream, end + 4, new BodyFramer(head.framing), rng);
    if (framed instanceof HeadError) return stop(out, framed);
    if (!framed.done) return { ...out, stop: 'incomplete', pending: { head, start: pos, end: framed.end, body: framed.body } };
    out.messages.push({ head, start: pos, end: framed.end, body: framed.body });
    // The connection closes after the response: what follows is never read.
    if (!head.keepAlive) return out;
    pos = framed.end;
  }
  return out;
}

/** A pod's response to `method`: interim (1xx) responses and then the final one, as connection.ts reads them. */
export function kzeroResponse(stream: Buffer, method: string, rng: Rng): KzResult<ResponseHead> {
  const out: KzResult<ResponseHead> = { messages: [], stop: 'end', pending: undefined, error: undefined };
  let pos = 0;
  while (out.messages.length < MAX_MESSAGES) {
    const end = stream.indexOf('\r\n\r\n', pos, 'latin1');
    if (end < 0) return stop(out, stream.length - pos > MAX_RESPONSE_HEAD ? RESPONSE_FAULTS.tooLarge('head too large') : undefined);
    let head: ResponseHead;
    try {
      head = parseResponseHead(stream.toString('latin1', pos, end), method);
    } catch (err) {
      return stop(out, asHeadError(err));
    }
    if (head.status === 101) return stop(out, RESPONSE_FAULTS.bad('switched protocols without being asked to'));
    const framed = frameBody(stream, end + 4, new BodyFramer(head.framing, RESPONSE_FAULTS.bad), rng);
    if (framed instanceof HeadError) return stop(out, framed);
    // Framed by close: the body is everything up to the end of the stream, which is the pod closing.
    if (!framed.done && head.framing.kind !== 'close') return { ...out, stop: 'incomplete', pending: { head, start: pos, end: framed.end, body: framed.body } };
    out.messages.push({ head, start: pos, end: framed.end, body: framed.body });
    if (head.status >= 200) return out;
    pos = framed.end;
  }
  return out;
}

function stop<H>(out: KzResult<H>, error: HeadError | undefined): KzResult<H> {
  return { ...out, stop: error ? 'refused' : 'incomplete', error };
}

function asHeadError(err: unknown): HeadError {
  if (err instanceof HeadError) return err;
  throw err; // anything else is a bug in the parser: the fuzz test must see it
}

/**
 * Feeds `stream` from `start` to `framer` as a connection would: each read a new piece (take(piece, 0)),
 * or the rest of a read after a head (take(buf, offset)).
 */
function frameBody(stream: Buffer, start: number, framer: BodyFramer, rng: Rng): { done: boolean; end: number; body: Buffer } | HeadError {
  const taken: Buffer[] = [];
  let pos = start;
  while (pos < stream.length && !framer.done) {
    const size = 1 + rng.int(rng.chance(0.5) ? 8 : 200);
    const to = Math.min(stream.length, pos + size);
    let n: number;
    try {
      n = rng.chance(0.5) ? framer.take(stream.subarray(pos, to), 0) : framer.take(stream.subarray(0, to), pos);
    } catch (err) {
      return asHeadError(err);
    }
    taken.push(stream.subarray(pos, pos + n));
    pos += n;
    if (pos < to && !framer.done) throw new Error(`BodyFramer left ${to - pos} bytes of a piece though its body is not done`);
  }
  return { done: framer.done, end: pos, body: Buffer.concat(taken) };
}
