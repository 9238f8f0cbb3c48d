// Request text for the edge cases. Each line is written out where a case is about its bytes; these
// helpers only build the well-formed parts. `{A}` and `{B}` name the suite's hosts (see expect.ts).

export const CRLF = '\r\n';

/** A head: the start line and the field lines, each CRLF-ended, then the empty line. */
export const head = (startLine: string, ...fields: string[]): string => [startLine, ...fields].map((l) => l + CRLF).join('') + CRLF;

/** GET `target` on namespace A's host. */
export const get = (target: string, ...fields: string[]): string => head(`GET ${target} HTTP/1.1`, 'Host: {A}', ...fields);

/** POST `body` to `target` on namespace A's host, framed by its length. */
export function post(target: string, body: string, ...fields: string[]): string {
  // The length is counted here, so the body must not change when the hosts are filled in.
  if (body.includes('{A}') || body.includes('{B}')) throw new Error(`post ${target}: a body naming a host would change length`);
  return head(`POST ${target} HTTP/1.1`, 'Host: {A}', `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, ...fields) + body;
}

/** A POST to `target` on A with `fields` (framing included) and the raw `body` bytes after the head. */
export const postRaw = (target: string, fields: string[], body: string): string => head(`POST ${target} HTTP/1.1`, 'Host: {A}', ...fields) + body;

/** The request a body carries in smuggling cases: if a pod ever parses it, the record shows GET /smuggled. */
export const SMUGGLED = head('GET /smuggled HTTP/1.1', 'Host: smuggled.example');

/** `n` header fields X-F0..X-F<n-1>. */
export const manyFields = (n: number): string[] => Array.from({ length: n }, (_, i) => `X-F${i}: v`);
