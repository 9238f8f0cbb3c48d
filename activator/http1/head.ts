// HTTP/1.1 message heads as the activator forwards them (pure): parse a request or response head, work
// out how its body is framed (RFC 9112 section 6), and write the head the next hop gets. The activator
// forwards bodies byte for byte, chunked included, so it only rewrites heads. Anything that could let two
// hops disagree on where a message ends (request smuggling) is refused, not repaired.

/** A head that cannot be forwarded: the status to answer and why. */
export class HeadError extends Error {
  constructor(readonly status: 400 | 431 | 501 | 502, message: string) {
    super(message);
    this.name = 'HeadError';
  }
}

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
  /** Header names as sent and their values, in order: [name, value, name, value, ...]. */
  headers: string[];
  framing: Framing;
  /** Lower-cased tokens of the Connection header. */
  connection: string[];
}

export interface RequestHead extends Head {
  method: string;
  target: string;
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

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const DIGITS = /^\d{1,15}$/;

/** Splits `text` (the head without its final CRLF CRLF) into start line and header fields. */
function fields(text: string, bad: (m: string) => HeadError): { start: string; headers: string[] } {
  const lines = text.split('\r\n');
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    // A name must be a token right up to the colon: "Name :" and folded lines are how smuggling starts.
    if (colon <= 0) throw bad(line.length && (line[0] === ' ' || line[0] === '\t') ? 'obsolete line folding in a header' : `malformed header line "${line.slice(0, 40)}"`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw bad(`invalid header name "${name.slice(0, 40)}"`);
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) throw bad(`invalid characters in header "${name}"`);
    headers.push(name, value);
  }
  return { start: lines[0]!, headers };
}

/** The comma-separated, lower-cased tokens of every field called `name` (already lower case). */
function tokens(headers: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.length !== name.length || headers[i]!.toLowerCase() !== name) continue;
    for (const t of headers[i + 1]!.split(',')) {
      const v = t.trim().toLowerCase();
      if (v) out.push(v);
    }
  }
  return out;
}

/** Content-Length and Transfer-Encoding, checked the way RFC 9112 section 6.3 says. */
function bodyFields(headers: string[], bad: (m: string) => HeadError): { length: number | undefined; codings: string[] | undefined } {
  let length: number | undefined;
  let codings: string[] | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      for (const part of headers[i + 1]!.split(',')) {
        const v = part.trim();
        if (!DIGITS.test(v)) throw bad(`invalid Content-Length "${headers[i + 1]!.slice(0, 40)}"`);
        if (length !== undefined && Number(v) !== length) throw bad('conflicting Content-Length values');
        length = Number(v);
      }
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      codings = [...(codings ?? []), ...headers[i + 1]!.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)];
    }
  }
  return { length, codings };
}

/** Parses a request head (latin1 text up to, not including, the blank line). Throws HeadError. */
export function parseRequestHead(text: string): RequestHead {
  const bad = (m: string): HeadError => new HeadError(400, m);
  const { start, headers } = fields(text, bad);
  const sp1 = start.indexOf(' ');
  const sp2 = start.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) throw bad(`malformed request line "${start.slice(0, 60)}"`);
  const method = start.slice(0, sp1);
  const target = start.slice(sp1 + 1, sp2);
  const version = start.slice(sp2 + 1);
  if (!TOKEN.test(method)) throw bad(`invalid method "${method.slice(0, 20)}"`);
  if (!target || target.includes(' ') || !/^[\x21-\x7e]+$/.test(target)) throw bad('invalid request target');
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') throw new HeadError(version.startsWith('HTTP/') ? 501 : 400, `unsupported protocol version "${version.slice(0, 20)}"`);
  if (method === 'CONNECT') throw new HeadError(501, 'CONNECT is not supported');
  const minor = version === 'HTTP/1.1' ? 1 : 0;

  let host: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i]!.length !== 4 || headers[i]!.toLowerCase() !== 'host') continue;
    if (host !== undefined) throw bad('more than one Host header');
    host = headers[i + 1]!;
  }
  if (minor === 1 && host === undefined) throw bad('missing Host header');

  const { length, codings } = bodyFields(headers, bad);
  let framing: Framing;
  if (codings) {
    if (minor === 0) throw bad('Transfer-Encoding in an HTTP/1.0 request');
    if (length !== undefined) throw bad('both Content-Length and Transfer-Encoding');
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new HeadError(codings[codings.length - 1] === 'chunked' ? 501 : 400, `unsupported Transfer-Encoding "${codings.join(', ')}"`);
    framing = { kind: 'chunked' };
  } else framing = length ? { kind: 'length', length } : { kind: 'none' };

  const connection = tokens(headers, 'connection');
  const keepAlive = minor === 1 ? !connection.includes('close') : connection.includes('keep-alive');
  const upgrade = minor === 1 && connection.includes('upgrade') && tokens(headers, 'upgrade').length > 0;
  return { method, target, minor, headers, framing, connection, host, keepAlive, upgrade };
}

/** Parses a response head to `method`. Throws HeadError (502: the pod answered something unusable). */
export function parseResponseHead(text: string, method: string): ResponseHead {
  const bad = (m: string): HeadError => new HeadError(502, `invalid response from the pod: ${m}`);
  const { start, headers } = fields(text, bad);
  const m = /^HTTP\/1\.([01]) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/.exec(start);
  if (!m) throw bad(`malformed status line "${start.slice(0, 60)}"`);
  const minor = m[1] === '1' ? 1 : 0;
  const status = Number(m[2]);
  const { length, codings } = bodyFields(headers, bad);
  let framing: Framing;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) framing = { kind: 'none' };
  else if (codings) framing = codings[codings.length - 1] === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  else if (length !== undefined) framing = length ? { kind: 'length', length } : { kind: 'none' };
  else framing = { kind: 'close' };
  return { minor, status, reason: m[3] ?? '', headers, framing, connection: tokens(headers, 'connection') };
}

/** Whether the pod lets the connection be reused after this response. */
export function responseKeepsAlive(res: ResponseHead): boolean {
  if (res.framing.kind === 'close') return false;
  return res.minor === 1 ? !res.connection.includes('close') : res.connection.includes('keep-alive');
}

// Hop-by-hop fields (RFC 9110 section 7.6.1) are the sender's business with us, not with the next hop.
// Transfer-Encoding stays: bodies go through as they came, chunks and all.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

function isHopByHop(lower: string, listed: string[]): boolean {
  return HOP_BY_HOP.has(lower) || (listed.length > 0 && listed.includes(lower) && lower !== 'transfer-encoding');
}

// RFC 7239: values that are not plain tokens (IPv6, host:port) are quoted strings.
const quote = (v: string): string => (/^[A-Za-z0-9._-]+$/.test(v) ? v : `"${v}"`);

/**
 * The head the pod gets: the request line (HTTP/1.1 unless the client spoke 1.0), the client's fields
 * less the hop-by-hop ones, and X-Forwarded-For, X-Forwarded-Proto and Forwarded for the client at `clientIp`.
 * An upgrade keeps its Upgrade and asks for it again in Connection.
 */
export function requestHeadForPod(req: RequestHead, clientIp: string, host: string): string {
  let out = `${req.method} ${req.target} HTTP/1.${req.minor}\r\n`;
  let xff: string | undefined;
  let xfp: string | undefined;
  let forwarded: string | undefined;
  let upgrade: string | undefined;
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') xff = xff === undefined ? h[i + 1]! : `${xff}, ${h[i + 1]!}`;
    else if (lower === 'forwarded') forwarded = forwarded === undefined ? h[i + 1]! : `${forwarded}, ${h[i + 1]!}`;
    else if (lower === 'upgrade') upgrade = h[i + 1]!;
    else if (!isHopByHop(lower, req.connection)) {
      if (lower === 'x-forwarded-proto') xfp = h[i + 1]!;
      out += `${name}: ${h[i + 1]!}\r\n`;
    }
  }
  out += `x-forwarded-for: ${xff === undefined ? clientIp : `${xff}, ${clientIp}`}\r\n`;
  if (xfp === undefined) out += 'x-forwarded-proto: http\r\n';
  const self = `for=${clientIp.includes(':') ? `"[${clientIp}]"` : clientIp};host=${quote(host)};proto=http`;
  out += `forwarded: ${forwarded === undefined ? self : `${forwarded}, ${self}`}\r\n`;
  if (req.upgrade && upgrade !== undefined) out += `connection: Upgrade\r\nupgrade: ${upgrade}\r\n`;
  return out + '\r\n';
}

/**
 * The head the client gets: the pod's status and fields less the hop-by-hop ones; `close` adds Connection:
 * close. A Content-Length beside a Transfer-Encoding is dropped: the coding frames the body (RFC 9112 6.3),
 * and a hop in front of us must not read the length instead.
 */
export function responseHeadForClient(res: ResponseHead, close: boolean): string {
  let out = `HTTP/1.1 ${res.status} ${res.reason}\r\n`;
  const h = res.headers;
  const coded = res.framing.kind === 'chunked' || res.framing.kind === 'close';
  for (let i = 0; i < h.length; i += 2) {
    const lower = h[i]!.toLowerCase();
    if (isHopByHop(lower, res.connection) || (coded && lower === 'content-length')) continue;
    out += `${h[i]!}: ${h[i + 1]!}\r\n`;
  }
  if (close) out += 'connection: close\r\n';
  return out + '\r\n';
}
