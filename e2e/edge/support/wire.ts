// Reads the responses a client got off a raw connection (pure), strictly: the edge under test must frame
// what it sends so that any HTTP/1.1 client reads it one way, so anything ambiguous is reported as an
// error instead of guessed at (both Content-Length and Transfer-Encoding, two lengths, a malformed chunk).

export type WireFraming = 'none' | 'length' | 'chunked' | 'close';

export interface WireResponse {
  status: number;
  reason: string;
  /** Header fields as sent, names lower-cased: [[name, value], ...]. */
  headers: Array<[string, string]>;
  framing: WireFraming;
  /** The body as framed (chunked: decoded). */
  body: Buffer;
  trailers: Array<[string, string]>;
  /** The body ended as its framing says (close-delimited: the connection ended). */
  complete: boolean;
}

export interface WireRead {
  /** In order, interim (1xx) responses included. */
  responses: WireResponse[];
  /** Bytes after the last whole response: the start of the next one, or the tunnel after a 101. */
  rest: Buffer;
  /** A 101 came: what follows it is another protocol. */
  upgraded: boolean;
  /** Why reading stopped before the bytes ran out, if they were not HTTP/1.1. */
  error?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const OWS = /^[ \t]+|[ \t]+$/g;

/** Values of the fields called `name` (lower case). */
export function fieldValues(headers: ReadonlyArray<[string, string]>, name: string): string[] {
  return headers.filter(([n]) => n === name).map(([, v]) => v);
}

function fields(lines: string[]): Array<[string, string]> | string {
  const out: Array<[string, string]> = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    if (colon <= 0 || !TOKEN.test(name)) return `malformed header line ${JSON.stringify(line.slice(0, 60))}`;
    const value = line.slice(colon + 1).replace(OWS, '');
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return `control character in header ${name}`;
    out.push([name.toLowerCase(), value]);
  }
  return out;
}

/** A chunked body from `at`: its data, trailers and where it ends, or 'more' if it has not all come. */
function chunked(buf: Buffer, at: number): { data: Buffer; trailers: Array<[string, string]>; end: number } | 'more' | string {
  const parts: Buffer[] = [];
  let i = at;
  for (;;) {
    const eol = buf.indexOf('\r\n', i, 'latin1');
    if (eol < 0) return 'more';
    const line = buf.toString('latin1', i, eol);
    const m = /^([0-9a-fA-F]{1,16})(;.*)?$/.exec(line);
    if (!m) return `malformed chunk size line ${JSON.stringify(line.slice(0, 40))}`;
    const size = parseInt(m[1]!, 16);
    i = eol + 2;
    if (size === 0) break;
    if (buf.length < i + size + 2) return 'more';
    if (buf[i + size] !== 0x0d || buf[i + size + 1] !== 0x0a) return 'chunk data not followed by CRLF';
    parts.push(buf.subarray(i, i + size));
    i += size + 2;
  }
  const lines: string[] = [];
  for (;;) {
    const eol = buf.indexOf('\r\n', i, 'latin1');
    if (eol < 0) return 'more';
    const line = buf.toString('latin1', i, eol);
    i = eol + 2;
    if (line === '') break;
    lines.push(line);
  }
  const trailers = fields(lines);
  if (typeof trailers === 'string') return `trailer: ${trailers}`;
  return { data: Buffer.concat(parts), trailers, end: i };
}

/**
 * The responses in `buf`, read as a client that sent requests with `methods` (in order; a HEAD response
 * has no body). `ended`: the connection is over, so a close-delimited body is complete.
 */
export function readResponses(buf: Buffer, methods: readonly string[], ended: boolean): WireRead {
  const responses: WireResponse[] = [];
  let at = 0;
  let finals = 0;
  const stop = (error?: string): WireRead => ({ responses, rest: buf.subarray(at), upgraded: false, ...(error ? { error } : {}) });
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) return stop(ended ? 'connection ended inside a response head' : undefined);
    const [start = '', ...lines] = buf.toString('latin1', at, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) ([\t\x20-\x7e\x80-\xff]*)$/.exec(start);
    if (!m) return stop(`malformed status line ${JSON.stringify(start.slice(0, 60))}`);
    const headers = fields(lines);
    if (typeof headers === 'string') return stop(headers);
    const status = Number(m[1]);
    const response: WireResponse = { status, reason: m[2]!, headers, framing: 'none', body: Buffer.alloc(0), trailers: [], complete: true };
    const bodyAt = end + 4;
    if (status === 101) {
      responses.push(response);
      return { responses, rest: buf.subarray(bodyAt), upgraded: true };
    }
    if (status < 200) {
      responses.push(response);
      at = bodyAt;
      continue;
    }
    const method = methods[finals++] ?? 'GET';
    const lengths = fieldValues(headers, 'content-length');
    const codings = fieldValues(headers, 'transfer-encoding');
    if (codings.length && lengths.length) return stop('both Content-Length and Transfer-Encoding');
    if (lengths.length > 1 || (lengths.length === 1 && !/^\d+$/.test(lengths[0]!))) return stop(`ambiguous Content-Length ${JSON.stringify(lengths)}`);
    if (codings.length && (codings.length > 1 || codings[0]!.toLowerCase() !== 'chunked')) return stop(`Transfer-Encoding ${JSON.stringify(codings)} is not just chunked`);
    responses.push(response);
    if (method === 'HEAD' || status === 204 || status === 304) {
      at = bodyAt;
    } else if (codings.length) {
      response.framing = 'chunked';
      const c = chunked(buf, bodyAt);
      if (c === 'more' || typeof c === 'string') {
        response.complete = false;
        at = bodyAt;
        return stop(c === 'more' ? undefined : c);
      }
      response.body = c.data;
      response.trailers = c.trailers;
      at = c.end;
    } else if (lengths.length) {
      response.framing = 'length';
      const n = Number(lengths[0]);
      response.body = buf.subarray(bodyAt, Math.min(buf.length, bodyAt + n));
      response.complete = response.body.length === n;
      at = bodyAt + response.body.length;
      if (!response.complete) return stop();
    } else {
      response.framing = 'close';
      response.body = buf.subarray(bodyAt);
      response.complete = ended;
      at = buf.length;
    }
  }
  return stop();
}
