import { isField, isToken, listElements, printable, splitHead } from './fields.js';
import { HeadError, REQUEST_FAULTS, RESPONSE_FAULTS } from './head-error.js';
import { lengthFields } from './length.js';
import { parseTarget, validHost } from './target.js';

// HTTP/1.1 message heads as the activator forwards them (pure): parse a request or response head and
// work out how its body is framed (RFC 9112 section 6). The activator forwards bodies byte for byte,
// chunked included, so it only rewrites heads (forward.ts). Anything that could let two hops disagree on
// where a message ends (request smuggling) is refused, not repaired.

export { HeadError } from './head-error.js';
export { MAX_HEADERS } from './fields.js';
export { requestHeadForPod, responseHeadForClient } from './forward.js';

/** Longest request head accepted, without its blank line (Node's default, too). */
export const MAX_REQUEST_HEAD = 16 * 1024;
/** Longest response head accepted from a pod. */
export const MAX_RESPONSE_HEAD = 64 * 1024;

/** How a message's body ends. */
export type Framing =
  | { kind: 'none' }
  | { kind: 'length'; length: number }
  | { kind: 'chunked' }
  /** Until the sender closes the connection (responses only). */
  | { kind: 'close' };

interface Head {
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: 0 | 1;
  /** Header names as sent and their values without OWS, in order: [name, value, name, value, ...]. */
  headers: string[];
  framing: Framing;
  /** The Content-Length as parsed (also where it does not frame the body: HEAD, 304, a Transfer-Encoding). */
  contentLength: number | undefined;
  /** The transfer codings as parsed, lower-cased. */
  codings: string[] | undefined;
  /** Lower-cased tokens of the Connection header. */
  connection: string[];
}

export interface RequestHead extends Head {
  method: string;
  /** The target as sent. */
  target: string;
  /** The target the pod gets: origin-form (an absolute-form target rewritten), or `*`. */
  path: string;
  /** What the request is routed by: an absolute-form target's authority, else the Host field. */
  host: string | undefined;
  /** The sender wants the connection kept after this exchange (HTTP/1.1 default, or 1.0 keep-alive). */
  keepAlive: boolean;
  /** An upgrade (WebSocket): the connection becomes a tunnel once the head is through. */
  upgrade: boolean;
}

export interface ResponseHead extends Head {
  status: number;
  reason: string;
}

/** Parses a request head (latin1 text up to, not including, the blank line). Throws HeadError. */
export function parseRequestHead(text: string): RequestHead {
  const bad = REQUEST_FAULTS.bad;
  const { start, headers } = splitHead(text, REQUEST_FAULTS, MAX_REQUEST_HEAD);
  // RFC 9112 3: method SP request-target SP HTTP-version, one SP each.
  const parts = start.split(' ');
  if (parts.length !== 3 || !parts[0] || !parts[1]) throw bad(`malformed request line "${printable(start)}"`);
  const [method, target, version] = parts as [string, string, string];
  if (!isToken(method)) throw bad(`invalid method "${printable(method)}"`);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw new HeadError(version.startsWith('HTTP/') ? 501 : 400, `unsupported protocol version "${printable(version)}"`);
  if (method === 'CONNECT') throw new HeadError(501, 'CONNECT is not supported');
  const minor = version === 'HTTP/1.1' ? 1 : 0;
  const { path, authority } = parseTarget(method, target);

  let hostField: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (!isField(headers, i, 'host')) continue;
    if (hostField !== undefined) throw bad('more than one Host header');
    hostField = headers[i + 1]!;
    if (!validHost(hostField)) throw bad(`invalid Host "${printable(hostField)}"`);
  }
  // RFC 9112 3.2.2: an absolute-form target's authority wins over Host, which HTTP/1.1 still requires.
  if (minor === 1 && hostField === undefined) throw bad('missing Host header');
  const host = authority ?? hostField;

  const { contentLength, codings } = lengthFields(headers, REQUEST_FAULTS, 'refuse');
  let framing: Framing;
  if (codings) {
    if (minor === 0) throw bad('Transfer-Encoding in an HTTP/1.0 request');
    if (contentLength !== undefined) throw bad('both Content-Length and Transfer-Encoding');
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new HeadError(codings[codings.length - 1] === 'chunked' ? 501 : 400, `unsupported Transfer-Encoding "${codings.join(', ')}"`);
    framing = { kind: 'chunked' };
  } else framing = contentLength ? { kind: 'length', length: contentLength } : { kind: 'none' };

  const connection = listElements(headers, 'connection');
  const keepAlive = minor === 1 ? !connection.includes('close') : connection.includes('keep-alive');
  const upgrade = minor === 1 && connection.includes('upgrade') && listElements(headers, 'upgrade').length > 0;
  return { method, target, path, minor, headers, framing, contentLength, codings, connection, host, keepAlive, upgrade };
}

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-5][0-9]{2})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;

/** Parses a response head to `method`. Throws HeadError (502: the pod answered something unusable). */
export function parseResponseHead(text: string, method: string): ResponseHead {
  const { start, headers } = splitHead(text, RESPONSE_FAULTS, MAX_RESPONSE_HEAD);
  const m = STATUS_LINE.exec(start);
  if (!m) throw RESPONSE_FAULTS.bad(`malformed status line "${printable(start)}"`);
  const minor = m[1] === '1' ? 1 : 0;
  const status = Number(m[2]);
  // A repeated equal length reads one way, and the client gets one content-length of ours.
  const { contentLength, codings } = lengthFields(headers, RESPONSE_FAULTS, 'if-equal');
  let framing: Framing;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) framing = { kind: 'none' };
  else if (codings) framing = codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  else if (contentLength !== undefined) framing = contentLength ? { kind: 'length', length: contentLength } : { kind: 'none' };
  else framing = { kind: 'close' };
  return { minor, status, reason: m[3] ?? '', headers, framing, contentLength, codings, connection: listElements(headers, 'connection') };
}

/** Whether the pod lets the connection be reused after this response. */
export function responseKeepsAlive(res: ResponseHead): boolean {
  if (res.framing.kind === 'close') return false;
  return res.minor === 1 ? !res.connection.includes('close') : res.connection.includes('keep-alive');
}
