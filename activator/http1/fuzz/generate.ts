import type { Case } from './compare.js';
import type { Rng } from './rng.js';

// Cases for the differential test: valid requests and responses, mutated where parsers are known to
// disagree (framing fields and their spelling, OWS and the characters that pass for it, folding, bare
// CR/LF, chunk sizes, extensions and trailers, request targets, pipelining), then a few random bytes.
// Each case draws how hostile it is, so that clean messages (which exercise framing end to end) and
// broken ones (which exercise refusal) both come often.

const CRLF = '\r\n';

/** The PRNG and the case's hostility: `bad(p)` is a mutation with probability p, scaled by it. */
class Gen {
  constructor(readonly rng: Rng, private readonly hostility: number) {}

  bad(p: number): boolean {
    return this.rng.chance(p * this.hostility);
  }

  chance(p: number): boolean {
    return this.rng.chance(p);
  }

  int(n: number): number {
    return this.rng.int(n);
  }

  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }
}

interface Line {
  text: string;
  eol: string;
}

/** Characters that pass for whitespace somewhere: only SP and HTAB are OWS. */
const OWS_LIKE = ['\x0b', '\x0c', '\xa0', '\x00', '\r', '\n', '\x85', '\x1f'];
const METHODS = ['HEAD', 'OPTIONS', 'DELETE', 'PATCH', 'PROPFIND'];
const BAD_METHODS = ['get', 'FOO', 'CONNECT', 'G@T', 'GET/'];
const TARGETS = ['/a%20b', '//x', '/#f', 'http://a.ns.localhost/x', 'HTTP://a.ns.localhost', 'http://a.ns.localhost:8080?q', 'http://[::1]/p'];
const BAD_TARGETS = ['*', 'https://a.ns.localhost/x', 'http://u@a.ns.localhost/x', 'http:///x', 'http://:80/', 'a.ns.localhost:80', 'x', '/\x7f', '/\xe9', '/a\tb', '/a b'];
const BAD_VERSIONS = ['HTTP/1.2', 'HTTP/2.0', 'http/1.1', 'HTTP/1.1 ', 'HTTP/1', 'HTTP/01.1', 'HTTP/1.1\x00'];
const HOSTS = ['a.ns.localhost:8080', 'A.NS.localhost', '[::1]:80', '', 'a%2eb'];
const BAD_HOSTS = ['a b', 'a/b', 'a@b', 'a,b', 'a\x00b'];
const CONNECTION = ['close', 'keep-alive', 'content-length', 'Content-Length', 'transfer-encoding', 'host', 'Host, close', 'upgrade', 'x-a', 'TE', 'keep-alive, X-A', 'Upgrade, content-length'];
const STATUS_LINES = ['HTTP/1.1 201 Created', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 204 No Content', 'HTTP/1.1 304 Not Modified', 'HTTP/1.0 200 OK', 'HTTP/1.1 200', 'HTTP/1.1 200 ', 'HTTP/1.1 200 \xe9t\xe9'];
const BAD_STATUS_LINES = ['HTTP/1.1 101 Switching Protocols', 'HTTP/1.1 2000 OK', 'HTTP/1.1 600 Odd', 'HTTP/1.2 200 OK', 'HTTP/1.1 200 O\x01K', 'HTTP/1.1  200 OK', 'http/1.1 200 OK', 'HTTP/1.1 099 Low'];
const INTERIM = ['HTTP/1.1 100 Continue', 'HTTP/1.1 103 Early Hints', 'HTTP/1.1 102 Processing'];
const FIELD_NAMES = ['X-A', 'Accept', 'User-Agent', 'Cookie', 'x-forwarded-for', 'X-Forwarded-Proto', 'Forwarded', 'Keep-Alive', 'TE', 'Upgrade', 'Trailer'];
const FIELD_VALUES = ['v', '*/*', 'curl/8', 'a=1; b=2', '203.0.113.7', 'https', 'for=1.2.3.4', 'timeout=5', 'trailers', 'websocket', 'X-T', '\xe9', 'a\tb', 'a"b', ''];
const BAD_FIELDS = ['X A: 1', 'X\x00: 1', ': v', 'NoColon', 'X-\xe9: 1', 'X-A\t: 1', 'X-A : 1'];
const SMUGGLE = ['GET /smuggled HTTP/1.1\r\nHost: a.ns.localhost\r\n\r\n', '0\r\n\r\n', '\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'];
const CODINGS = ['Chunked', 'CHUNKED', 'chunked\t', 'chunked, chunked', 'gzip, chunked', 'gzip,chunked', 'chunked, gzip', 'gzip', 'identity'];
const BAD_CODINGS = ['\x0bchunked', 'chunked\x0c', '\xa0chunked', 'chunked\xa0', '\x00chunked', ', chunked', 'chunked,', 'chunked , ', 'chunked;q=1', '"chunked"', 'chunk', 'xchunked', 'chunked\x85', ''];
const EXTENSIONS = [';a=b', ';a', ';a;b=c', ';a="q"', ';a="x \\"y\\""', ';a=""', ';a="\xe9"', ' ;a=b', '\t;a=b'];
const BAD_EXTENSIONS = ['  ;a', ' ', '; a=b', ';a =b', ';a= b', ';a=b ', ';', ';=b', ';a=', ';a;;b', ';a="\x01"', ';a=\xe9', ';a="b"c', ';a,b', ';a=b=c', ' x', 'x', ';a=b\x00', ';a="\\\x01"', ';a="open'];
const TRAILERS = ['X-T: 1', 'X-T:1', 'X-T: ', 'X-T: \xe9', 'X-T: 1\t', 'Host: b'];
const BAD_TRAILERS = ['Content-Length: 5', 'Transfer-Encoding: chunked', 'X-T : 1', ' X-T: 1', 'X-T', ': 1', 'X-T: \x01', 'X-T: 1\x7f'];
const INTERESTING_BYTES = [0x0d, 0x0a, 0x20, 0x09, 0x00, 0x0b, 0x0c, 0x3a, 0x3b, 0x2c, 0x22, 0x30, 0x61, 0xa0, 0x7f, 0x3d];

/** The case for one seed: a request stream (3 in 5) or a pod's response. */
export function generate(rng: Rng): Case {
  const g = new Gen(rng, rng.pick([0, 0, 0.3, 1, 1, 2]));
  const c: Case = rng.chance(0.6) ? requestStream(g) : response(g);
  return { ...c, bytes: g.bad(0.1) ? flipBytes(g, c.bytes) : c.bytes };
}

function requestStream(g: Gen): Case {
  let s = g.chance(0.05) ? '\r\n\r\n' : g.bad(0.05) ? g.pick(['\n', '\r', '\r\r\n']) : '';
  const n = 1 + g.int(g.chance(0.3) ? 3 : 1);
  for (let i = 0; i < n; i++) s += request(g);
  if (g.chance(0.1)) s += g.pick(SMUGGLE);
  return { kind: 'request', bytes: Buffer.from(s, 'latin1'), method: '' };
}

function request(g: Gen): string {
  const method = g.bad(0.05) ? g.pick(BAD_METHODS) : g.chance(0.2) ? g.pick(METHODS) : g.pick(['GET', 'POST', 'PUT']);
  const target = g.bad(0.05) ? g.pick(BAD_TARGETS) : g.chance(0.2) ? g.pick(TARGETS) : g.pick(['/', '/x?y=1']);
  const version = g.bad(0.05) ? g.pick(BAD_VERSIONS) : g.chance(0.15) ? 'HTTP/1.0' : 'HTTP/1.1';
  const sep = (): string => (g.bad(0.02) ? g.pick(['  ', '\t', '']) : ' ');
  const lines: Line[] = [];
  if (!g.bad(0.03)) lines.push(field(g, 'Host', g.bad(0.05) ? g.pick(BAD_HOSTS) : g.chance(0.2) ? g.pick(HOSTS) : 'a.ns.localhost'));
  if (g.bad(0.03)) lines.push(field(g, 'Host', g.pick(HOSTS)));
  if (g.chance(0.2)) lines.push(field(g, 'Connection', g.pick(CONNECTION)));
  if (g.chance(0.05)) lines.push(field(g, 'Connection', 'Upgrade'), field(g, 'Upgrade', g.pick(['websocket', 'h2c', ''])));
  const body = framedBody(g, lines, method !== 'GET' || g.chance(0.1));
  commonMutations(g, lines);
  return `${method}${sep()}${target}${sep()}${version}${g.bad(0.02) ? g.pick(['\n', '\r', ' \r\n']) : CRLF}${render(lines)}${body}`;
}

function response(g: Gen): Case {
  const method = g.pick(['GET', 'GET', 'GET', 'POST', 'HEAD']);
  let s = '';
  if (g.chance(0.15)) s += `${g.pick(INTERIM)}\r\n${g.chance(0.3) ? 'Link: </a>\r\n' : ''}${g.bad(0.1) ? 'Content-Length: 3\r\n' : ''}\r\n`;
  const lines: Line[] = [];
  if (g.chance(0.5)) lines.push(field(g, 'Content-Type', 'text/plain'));
  if (g.chance(0.2)) lines.push(field(g, 'Connection', g.pick(CONNECTION)));
  const body = framedBody(g, lines, g.chance(0.9));
  commonMutations(g, lines);
  const status = g.bad(0.05) ? g.pick(BAD_STATUS_LINES) : g.chance(0.3) ? g.pick(STATUS_LINES) : 'HTTP/1.1 200 OK';
  s += `${status}${g.bad(0.02) ? '\n' : CRLF}${render(lines)}${body}`;
  if (g.chance(0.1)) s += g.pick(SMUGGLE);
  return { kind: 'response', bytes: Buffer.from(s, 'latin1'), method };
}

/** Adds framing fields to `lines` and returns the body (after the blank line) they frame, or nearly frame. */
function framedBody(g: Gen, lines: Line[], withBody: boolean): string {
  if (!withBody) {
    if (g.chance(0.1)) lines.push(field(g, 'Content-Length', '0'));
    return '';
  }
  const data = bodyBytes(g);
  const style = g.int(10);
  if (style < 4) {
    const n = g.bad(0.1) ? Math.max(0, data.length + g.pick([-1, 1, 2])) : data.length;
    lines.push(field(g, name(g, 'Content-Length'), lengthValue(g, n)));
    if (g.bad(0.05)) lines.push(field(g, name(g, 'Content-Length'), lengthValue(g, g.chance(0.5) ? n : n + 1)));
    if (g.bad(0.05)) lines.push(field(g, name(g, 'Transfer-Encoding'), codingValue(g)));
    return data;
  }
  if (style < 9) {
    lines.push(field(g, name(g, 'Transfer-Encoding'), g.chance(0.8) ? 'chunked' : codingValue(g)));
    if (g.bad(0.05)) lines.push(field(g, name(g, 'Transfer-Encoding'), codingValue(g)));
    if (g.bad(0.05)) lines.push(field(g, name(g, 'Content-Length'), String(g.int(20))));
    return chunked(g, data);
  }
  return data; // neither: no body for a request (the bytes are the next one), until close for a response
}

function bodyBytes(g: Gen): string {
  if (g.chance(0.1)) return '';
  if (g.chance(0.1)) return g.pick(SMUGGLE);
  const n = g.chance(0.9) ? 1 + g.int(12) : g.int(300);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(g.chance(0.9) ? 0x61 + g.int(26) : g.int(256));
  return s;
}

function lengthValue(g: Gen, n: number): string {
  if (g.bad(0.1)) return g.pick([`${n}, ${n}`, `${n},${n + 1}`, `+${n}`, `-${n}`, `${n} ${n}`, '', `${n}.0`, `0x${n.toString(16)}`, '99999999999999999999', `${n}\x00`, `\x0b${n}`, `\xa0${n}`, `${n}\xa0`]);
  return g.chance(0.1) ? `00${n}` : String(n);
}

function codingValue(g: Gen): string {
  return g.bad(0.3) ? g.pick(BAD_CODINGS) : g.pick(CODINGS);
}

/** `data` in chunks, with sizes, extensions and trailers of every kind, sometimes wrong. */
function chunked(g: Gen, data: string): string {
  let s = '';
  let at = 0;
  while (at < data.length) {
    const size = Math.min(data.length - at, 1 + g.int(g.chance(0.5) ? 4 : 40));
    const claimed = g.bad(0.05) ? Math.max(0, size + g.pick([-1, 1])) : size;
    s += `${sizeText(g, claimed)}${extension(g)}${eol(g)}${data.slice(at, at + size)}${g.bad(0.02) ? g.pick(['\n', '', '\r', 'x\r\n']) : CRLF}`;
    at += size;
  }
  if (g.bad(0.02)) s += `${g.pick(['ffffffffffffffff', '10000000000000000', '7fffffffffffffff', '20000000000000'])}\r\n`;
  s += `${g.chance(0.1) ? g.pick(['00', '000', '0000000000000000']) : g.bad(0.02) ? '00000000000000000' : '0'}${extension(g)}${eol(g)}`;
  if (g.chance(0.2)) s += trailers(g);
  return s + (g.bad(0.03) ? g.pick(['\n', '\r', '', '\r\r\n']) : CRLF);
}

function sizeText(g: Gen, n: number): string {
  const hex = n.toString(16);
  if (g.bad(0.05)) return g.pick([`${'0'.repeat(17 - hex.length)}${hex}`, `+${hex}`, `0x${hex}`, ` ${hex}`, `${hex}\x00`, `-${hex}`]);
  return g.chance(0.2) ? g.pick([hex.toUpperCase(), `0${hex}`, `000${hex}`, `${'0'.repeat(16 - hex.length)}${hex}`]) : hex;
}

function extension(g: Gen): string {
  if (g.bad(0.05)) return g.pick(BAD_EXTENSIONS);
  return g.chance(0.15) ? g.pick(EXTENSIONS) : '';
}

function trailers(g: Gen): string {
  let s = '';
  const n = 1 + g.int(3);
  for (let i = 0; i < n; i++) s += (g.bad(0.1) ? g.pick(BAD_TRAILERS) : g.pick(TRAILERS)) + (g.bad(0.03) ? g.pick(['\n', '\r']) : CRLF);
  return s;
}

/** Mutations shared by request and response heads: other fields, many fields, folding, bad lines, order. */
function commonMutations(g: Gen, lines: Line[]): void {
  if (g.chance(0.3)) lines.push(field(g, g.pick(FIELD_NAMES), g.pick(FIELD_VALUES)));
  if (g.chance(0.03)) {
    const n = g.pick([31, 33, 50, 97, 98, 99, 100, 120]);
    for (let i = 0; i < n; i++) lines.push({ text: `X-${i}: ${i}`, eol: CRLF });
  }
  if (g.bad(0.03) && lines.length) lines.splice(1 + g.int(lines.length), 0, { text: g.pick([' folded', '\tfolded', ' ']), eol: CRLF });
  if (g.bad(0.03) && lines.length) g.pick(lines).eol = g.pick(['\n', '\r', '\r\r\n', ' \r\n']);
  if (g.bad(0.02)) lines.push({ text: g.pick(BAD_FIELDS), eol: CRLF });
  if (g.chance(0.1)) shuffle(g, lines);
}

function field(g: Gen, fieldName: string, value: string): Line {
  const before = g.bad(0.01) ? g.pick([' ', '\t']) : '';
  const ows1 = g.bad(0.03) ? g.pick(OWS_LIKE) : g.chance(0.1) ? g.pick(['', '\t', '  ', ' \t']) : ' ';
  const ows2 = g.bad(0.03) ? g.pick(OWS_LIKE) : g.chance(0.1) ? g.pick([' ', '\t', ' \t ']) : '';
  return { text: `${fieldName}${before}:${ows1}${value}${ows2}`, eol: CRLF };
}

function name(g: Gen, canonical: string): string {
  if (g.bad(0.02)) return g.pick([`${canonical}x`, canonical.slice(0, -1)]);
  return g.chance(0.2) ? g.pick([canonical.toLowerCase(), canonical.toUpperCase(), canonical.replace(/-./, (m) => m.toLowerCase())]) : canonical;
}

const eol = (g: Gen): string => (g.bad(0.02) ? g.pick(['\n', '\r', '\r\r\n']) : CRLF);

const render = (lines: Line[]): string => lines.map((l) => l.text + l.eol).join('') + CRLF;

function shuffle(g: Gen, lines: Line[]): void {
  for (let i = lines.length - 1; i > 0; i--) {
    const j = g.int(i + 1);
    [lines[i], lines[j]] = [lines[j]!, lines[i]!];
  }
}

/** One to three random edits: a byte changed, inserted or deleted. */
function flipBytes(g: Gen, bytes: Buffer): Buffer {
  let out = Buffer.from(bytes);
  const n = 1 + g.int(3);
  for (let i = 0; i < n && out.length; i++) {
    const at = g.int(out.length);
    const byte = g.chance(0.7) ? g.pick(INTERESTING_BYTES) : g.int(256);
    const edit = g.int(3);
    if (edit === 0) out[at] = byte;
    else if (edit === 1) out = Buffer.concat([out.subarray(0, at), Buffer.from([byte]), out.subarray(at)]);
    else out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]);
  }
  return out;
}
