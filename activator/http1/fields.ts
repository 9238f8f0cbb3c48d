import type { Faults } from './head-error.js';

// Header fields of an HTTP/1.1 head (pure), as strictly as RFC 9112 section 5 and RFC 9110 section 5
// allow: every line ends in CRLF, a name is a token right up to its colon, a value loses only SP and
// HTAB around it, and no control character but HTAB gets through. Anything looser is how two parsers
// come to disagree on a message.

/** More header fields than this (Envoy's default) and a head is refused. */
export const MAX_HEADERS = 100;

/** tchar (RFC 9110 5.6.2), by byte. */
export const TCHAR = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TCHAR[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TCHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TCHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TCHAR[c] = 1;

/** Whether `s` is a token: one or more tchar. */
export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff || !TCHAR[c]) return false;
  }
  return true;
}
/** HTAB, SP, visible ASCII and obs-text: no CTL, no DEL. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;

/** `s` without the SP and HTAB around it (RFC 9110 5.6.3 OWS; not JS trim(), which also takes VT, FF, NBSP). */
export function stripOws(s: string): string {
  let from = 0;
  let to = s.length;
  while (from < to && isOws(s.charCodeAt(from))) from++;
  while (to > from && isOws(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
}

/**
 * Splits `text` (the head without its final CRLF CRLF) into its start line and header fields
 * ([name, value, name, value, ...], names as sent, values without OWS). Throws what `faults` makes.
 */
export function splitHead(text: string, faults: Faults, maxBytes: number): { start: string; headers: string[] } {
  if (text.length > maxBytes) throw faults.tooLarge(`head larger than ${maxBytes} bytes`);
  const lines = text.split('\r\n');
  if (lines.length - 1 > MAX_HEADERS) throw faults.tooLarge(`more than ${MAX_HEADERS} header fields`);
  const start = lines[0]!;
  if (hasBareCrLf(start)) throw faults.bad('bare CR or LF in the start line');
  const headers: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (hasBareCrLf(line)) throw faults.bad(`bare CR or LF in header line "${printable(line)}"`);
    if (line.length > 0 && isOws(line.charCodeAt(0))) throw faults.bad('obsolete line folding in a header');
    const colon = line.indexOf(':');
    if (colon <= 0) throw faults.bad(`malformed header line "${printable(line)}"`);
    const name = line.slice(0, colon);
    // "Name :" included: whitespace before the colon is how smuggling starts (RFC 9112 5.1).
    if (!isToken(name)) throw faults.bad(`invalid header name "${printable(name)}"`);
    const value = stripOws(line.slice(colon + 1));
    if (!FIELD_VALUE.test(value)) throw faults.bad(`invalid characters in header "${name}"`);
    headers.push(name, value);
  }
  return { start, headers };
}

const hasBareCrLf = (s: string): boolean => s.includes('\r') || s.includes('\n');

/** Up to 40 characters of `s` for an error message, control characters escaped. */
export function printable(s: string): string {
  return JSON.stringify(s.slice(0, 40)).slice(1, -1);
}

/** Whether `headers[i]` is the field called `lower` (a lower-case name). */
export function isField(headers: string[], i: number, lower: string): boolean {
  const name = headers[i]!;
  return name.length === lower.length && name.toLowerCase() === lower;
}

/** The lower-cased elements of every `lower` field's comma-separated list, empty ones skipped. */
export function listElements(headers: string[], lower: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    if (!isField(headers, i, lower)) continue;
    for (const part of headers[i + 1]!.split(',')) {
      const v = stripOws(part).toLowerCase();
      if (v) out.push(v);
    }
  }
  return out;
}

/** A strict `1#token` list (lower-cased), or undefined if any element is empty or not a token. */
export function tokenList(value: string): string[] | undefined {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const v = stripOws(part);
    if (!isToken(v)) return undefined;
    out.push(v.toLowerCase());
  }
  return out;
}
