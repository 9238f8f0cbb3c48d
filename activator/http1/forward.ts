import type { RequestHead, ResponseHead } from './head.js';

// The heads the activator sends on (pure). Framing fields are written here from what was parsed, never
// copied: a sender's Content-Length or Transfer-Encoding, however spelt, cannot reach the next hop, and
// no Connection list can take away the framing we write or the Host we route by.

/** The scheme the client spoke to the activator (plain HTTP until the edge terminates TLS). */
const SCHEME = 'http';

// Hop-by-hop fields (RFC 9110 section 7.6.1) are the sender's business with us, not with the next hop.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);
/** Fields the activator writes itself on every message it sends. */
const WRITTEN = new Set(['content-length', 'transfer-encoding']);

/** Whether a field of the sender is left out: hop-by-hop, named in its Connection, or written by us. */
const dropped = (lower: string, connection: string[]): boolean => HOP_BY_HOP.has(lower) || WRITTEN.has(lower) || connection.includes(lower);

// RFC 7239: values that are not plain tokens (IPv6, host:port) are quoted strings.
const quote = (v: string): string => (/^[A-Za-z0-9._-]+$/.test(v) ? v : `"${v}"`);

/** The request's framing field: its length (0 included, if the client sent it), or chunked. */
function requestFraming(req: RequestHead): string {
  if (req.framing.kind === 'chunked') return 'transfer-encoding: chunked\r\n';
  if (req.framing.kind === 'length') return `content-length: ${req.framing.length}\r\n`;
  return req.contentLength === 0 ? 'content-length: 0\r\n' : '';
}

/**
 * The head the pod gets: the request line in origin-form (HTTP/1.1 unless the client spoke 1.0), the
 * Host routed by, the framing field, the client's fields less the hop-by-hop ones and X-Forwarded-Proto,
 * and X-Forwarded-For, X-Forwarded-Proto and Forwarded for the client at `clientIp`.
 * An upgrade keeps its Upgrade and asks for it again in Connection.
 */
export function requestHeadForPod(req: RequestHead, clientIp: string, host: string): string {
  let out = `${req.method} ${req.path} HTTP/1.${req.minor}\r\n`;
  if (req.host !== undefined) out += `host: ${req.host}\r\n`;
  out += requestFraming(req);
  let xff: string | undefined;
  let forwarded: string | undefined;
  const upgrades: string[] = [];
  const h = req.headers;
  for (let i = 0; i < h.length; i += 2) {
    const name = h[i]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') xff = xff === undefined ? h[i + 1]! : `${xff}, ${h[i + 1]!}`;
    else if (lower === 'forwarded') forwarded = forwarded === undefined ? h[i + 1]! : `${forwarded}, ${h[i + 1]!}`;
    else if (lower === 'upgrade') {
      if (h[i + 1]) upgrades.push(h[i + 1]!);
    }
    // The activator is the edge: the scheme is what the client spoke to it, whatever the client claims.
    else if (lower !== 'host' && lower !== 'x-forwarded-proto' && !dropped(lower, req.connection)) out += `${name}: ${h[i + 1]!}\r\n`;
  }
  out += `x-forwarded-for: ${xff === undefined ? clientIp : `${xff}, ${clientIp}`}\r\n`;
  out += `x-forwarded-proto: ${SCHEME}\r\n`;
  const self = `for=${clientIp.includes(':') ? `"[${clientIp}]"` : clientIp};host=${quote(host)};proto=${SCHEME}`;
  out += `forwarded: ${forwarded === undefined ? self : `${forwarded}, ${self}`}\r\n`;
  if (req.upgrade && upgrades.length) out += `connection: Upgrade\r\nupgrade: ${upgrades.join(', ')}\r\n`;
  return out + '\r\n';
}

/**
 * The response's framing field. The codings are written whenever the pod sent any, even where they do
 * not frame a body (HEAD, 304): a Content-Length beside them is dropped, since they override it (RFC 9112
 * 6.3) and a hop in front of us must not read the length instead. 1xx and 204 carry neither (RFC 9110 8.6).
 */
function responseFraming(res: ResponseHead): string {
  if (res.status < 200 || res.status === 204) return '';
  if (res.codings) return `transfer-encoding: ${res.codings.join(', ')}\r\n`;
  if (res.contentLength !== undefined) return `content-length: ${res.contentLength}\r\n`;
  return '';
}

/** The head the client gets: the pod's status, the framing field, the pod's fields less the hop-by-hop ones; `close` adds Connection: close. */
export function responseHeadForClient(res: ResponseHead, close: boolean): string {
  let out = `HTTP/1.1 ${res.status} ${res.reason}\r\n${responseFraming(res)}`;
  const h = res.headers;
  for (let i = 0; i < h.length; i += 2) {
    if (!dropped(h[i]!.toLowerCase(), res.connection)) out += `${h[i]!}: ${h[i + 1]!}\r\n`;
  }
  if (close) out += 'connection: close\r\n';
  return out + '\r\n';
}
