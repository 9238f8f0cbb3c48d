// The recorder's misbehaving answers (pure): raw response bytes a request to `/__respond/<name>` gets instead
// of a well-formed response, to check what a proxy in front makes of a pod that frames its responses wrongly.

/** What happens to the pod's connection once the bytes are written. */
export type After =
  /** FIN after the bytes: a close-delimited body ends there. */
  | 'close'
  /** Stays open (and unread) for a while: a proxy that reuses it gets what follows the response. */
  | 'keep'
  /** Closed at once without an answer. */
  | 'reset';

export interface Script {
  bytes: string;
  /** Written a moment after `bytes`, so that a proxy has passed those on before it sees these. */
  later?: string;
  after: After;
}

const CRLF = '\r\n';
const head = (...lines: string[]): string => lines.join(CRLF) + CRLF + CRLF;
const ok = (...fields: string[]): string => head('HTTP/1.1 200 OK', ...fields);

/** Scripted responses by name; bytes are latin1. */
export const SCRIPTS = {
  /** Both framings: Transfer-Encoding wins (RFC 9112 6.3), the length is a lie. */
  'cl-and-te': { bytes: ok('Content-Length: 50', 'Transfer-Encoding: chunked') + `5${CRLF}hello${CRLF}0${CRLF}${CRLF}`, after: 'close' },
  'cl-differ': { bytes: ok('Content-Length: 5', 'Content-Length: 6') + 'hello!', after: 'close' },
  'cl-list': { bytes: ok('Content-Length: 5, 5') + 'hello', after: 'close' },
  'cl-plus': { bytes: ok('Content-Length: +5') + 'hello', after: 'close' },
  /** Connection naming the framing header: a proxy that drops it as hop-by-hop leaves the body unframed. */
  'conn-cl': { bytes: ok('Content-Length: 5', 'Connection: content-length') + 'hello', after: 'close' },
  'conn-te': { bytes: ok('Transfer-Encoding: chunked', 'Connection: transfer-encoding') + `5${CRLF}hello${CRLF}0${CRLF}${CRLF}`, after: 'close' },
  /** Mid-body, a chunk turns out longer than its size said: the body cannot be framed past it. */
  'bad-chunk': { bytes: ok('Transfer-Encoding: chunked') + `5${CRLF}hello`, later: `XX${CRLF}0${CRLF}${CRLF}`, after: 'keep' },
  /** A complete response followed by a second one nobody asked for, on a connection that stays open. */
  'trailing-bytes': { bytes: ok('Content-Length: 5') + 'hello' + ok('Content-Length: 8') + 'smuggled', after: 'keep' },
  /** A 204 has no body whatever its fields say: the bytes after its head are not part of it. */
  'no-content-with-body': { bytes: head('HTTP/1.1 204 No Content', 'Content-Length: 5') + 'hello', after: 'keep' },
  'unasked-101': { bytes: head('HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade'), after: 'keep' },
  'early-hints': { bytes: head('HTTP/1.1 103 Early Hints', 'Link: </style.css>; rel=preload') + ok('Content-Length: 2') + 'ok', after: 'close' },
  'continue-twice': { bytes: head('HTTP/1.1 100 Continue') + head('HTTP/1.1 100 Continue') + ok('Content-Length: 2') + 'ok', after: 'close' },
  'big-head': { bytes: ok(`X-Big: ${'b'.repeat(70 * 1024)}`, 'Content-Length: 2') + 'ok', after: 'close' },
  'close-delimited': { bytes: ok('Content-Type: text/plain') + 'until the pod closes', after: 'close' },
  'nul-in-header': { bytes: ok('X-Evil: a\x00b', 'Content-Length: 2') + 'ok', after: 'close' },
  'obs-fold': { bytes: ok('X-Folded: a', ' b', 'Content-Length: 2') + 'ok', after: 'close' },
  'bare-lf': { bytes: 'HTTP/1.1 200 OK\nContent-Length: 2\n\nok', after: 'close' },
  'space-before-colon': { bytes: ok('Content-Length : 2') + 'ok', after: 'close' },
  'many-fields': { bytes: ok(...Array.from({ length: 100 }, (_, i) => `X-F${i}: v`), 'Content-Length: 2') + 'ok', after: 'close' },
  'bad-status': { bytes: head('HTTP/1.1 2000 OK', 'Content-Length: 2') + 'ok', after: 'close' },
  /** The connection dies after the request was read and before anything is answered. */
  hangup: { bytes: '', after: 'reset' },
} as const satisfies Record<string, Script>;

export type ScriptName = keyof typeof SCRIPTS;

export const RESPOND_PREFIX = '/__respond/';
/** An upgrade request to this path is answered 101, and the connection echoes what it gets. */
export const UPGRADE_PATH = '/__upgrade';

/** The script a request path asks for, if any. */
export function scriptFor(path: string): Script | undefined {
  if (!path.startsWith(RESPOND_PREFIX)) return undefined;
  const name = path.slice(RESPOND_PREFIX.length).split('?')[0]!;
  return Object.hasOwn(SCRIPTS, name) ? SCRIPTS[name as ScriptName] : undefined;
}
