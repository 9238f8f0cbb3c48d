import { isField } from '../fields.js';
import type { RequestHead, ResponseHead } from '../head.js';
import type { KzMessage, KzResult } from './kzero.js';
import { LENIENT_CHUNKED_LENGTH, LENIENT_SPACES_AFTER_CHUNK_SIZE, LLHTTP_METHODS } from './llhttp.js';

// What llhttp is held against when kzero accepts something strict llhttp refuses. Each allowed
// divergence names what kzero takes, why that is safe, and how llhttp can still check the rest of the
// framing: a lenient flag that takes exactly that, or the same bytes with the one difference edited out.
// Anything else kzero accepts and llhttp refuses is a failure.

/** Where llhttp reads: `bytes` (the stream with `splices` made), its flags, and how kzero's view maps onto it. */
export interface Reference {
  bytes: Buffer;
  lenient: number;
  /** An offset of the original stream (outside every splice) in `bytes`. */
  map(offset: number): number;
  /** The method llhttp reads for one of kzero's. */
  method(m: string): string;
  /** The header names llhttp reads for message `i`'s fields [name, value, ...]. */
  headers(i: number, headers: string[]): string[];
  /** The divergences this reference allows. */
  allowed: string[];
}

interface Splice {
  at: number;
  remove: number;
  insert: string;
}

interface Adjustment {
  lenient?: number;
  splices?: Splice[];
  /** Message index -> header pair index -> the name llhttp reads there. */
  renames?: Map<number, Map<number, string>>;
  method?: (m: string) => string;
}

type Kz = KzResult<RequestHead> | KzResult<ResponseHead>;
type Message = KzMessage<RequestHead> | KzMessage<ResponseHead>;

/** Every message kzero read a head of: those it framed, and one whose body had not ended. */
const heads = (kz: Kz): Message[] => [...kz.messages, ...(kz.pending ? [kz.pending] : [])];

interface Divergence {
  name: string;
  applies(kind: 'request' | 'response', kz: Kz, bytes: Buffer): boolean;
  adjust(kz: Kz, bytes: Buffer): Adjustment;
}

/** A chunk-size line with SP or HTAB after the size (in a body kzero passed through). */
const BWS_AFTER_SIZE = /(?:^|\r\n)[0-9A-Fa-f]+[ \t]/;
/** Same length as "Content-Length", so that no offset moves. */
const REPEATED_LENGTH = 'X-Kzero-Rep-CL';

const DIVERGENCES: Divergence[] = [
  {
    // RFC 9112 7.1.1 allows BWS before a chunk extension's ";" (brief: `1 ;a=b`); llhttp takes it only when
    // lenient. The body goes to the pod as sent: a strict pod refuses it (the exchange fails closed), any
    // other reads the same size, since nothing but BWS and ";" may follow it.
    name: 'BWS after a chunk size',
    applies: (_kind, kz) => heads(kz).some((m) => m.head.framing.kind === 'chunked' && BWS_AFTER_SIZE.test(m.body.toString('latin1'))),
    adjust: () => ({ lenient: LENIENT_SPACES_AFTER_CHUNK_SIZE }),
  },
  {
    // Any token is a method (RFC 9110 9.1) and request framing never depends on it (RFC 9112 6.3);
    // llhttp knows a fixed list. llhttp reads the same message with GET in its place.
    name: 'a method llhttp does not know',
    applies: (kind, kz) => kind === 'request' && heads(kz).some((m) => 'method' in m.head && !LLHTTP_METHODS.has(m.head.method)),
    adjust: (kz) => ({
      splices: heads(kz).flatMap((m) => ('method' in m.head && !LLHTTP_METHODS.has(m.head.method) ? [{ at: m.start, remove: m.head.method.length, insert: 'GET' }] : [])),
      method: (m) => (LLHTTP_METHODS.has(m) ? m : 'GET'),
    }),
  },
  {
    // RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and an intermediary forwarding such a
    // message removes the length first; responseHeadForClient does. llhttp takes it when lenient.
    name: 'Content-Length beside Transfer-Encoding in a response',
    applies: (kind, kz) => kind === 'response' && heads(kz).some((m) => m.head.contentLength !== undefined && m.head.codings !== undefined),
    adjust: () => ({ lenient: LENIENT_CHUNKED_LENGTH }),
  },
  {
    // RFC 9110 5.6.3: HTAB is OWS like SP, so `chunked<HTAB>` is chunked, `5<HTAB>` is 5 and
    // `close<HTAB>` is close. llhttp takes trailing SP there but not HTAB (nodejs/llhttp#876: such a
    // request is refused, a response with such a coding read until close). The next hop never sees the
    // sender's value: it gets our own framing field, and Connection is hop-by-hop. llhttp reads the same
    // bytes with SP for each HTAB in those fields.
    name: 'HTAB around a Content-Length, Transfer-Encoding or Connection value',
    applies: (_kind, kz, bytes) => tabsInFramingFields(kz, bytes).length > 0,
    adjust: (kz, bytes) => ({ splices: tabsInFramingFields(kz, bytes).map((at) => ({ at, remove: 1, insert: ' ' })) }),
  },
  {
    // Equal lengths read one way (differing ones are refused), and the client gets one content-length of
    // ours. llhttp reads the same bytes with the repeated fields renamed.
    name: 'a repeated equal Content-Length in a response',
    applies: (kind, kz) => kind === 'response' && heads(kz).some((m) => lengthFields(m.head.headers).length > 1),
    adjust: (kz, bytes) => {
      const splices: Splice[] = [];
      const renames = new Map<number, Map<number, string>>();
      heads(kz).forEach((m, i) => {
        const repeated = lengthFields(m.head.headers).slice(1);
        if (!repeated.length) return;
        const lineStarts = headLineStarts(bytes, m.start);
        const names = new Map<number, string>();
        for (const field of repeated) {
          splices.push({ at: lineStarts[field + 1]!, remove: REPEATED_LENGTH.length, insert: REPEATED_LENGTH });
          names.set(field, REPEATED_LENGTH);
        }
        renames.set(i, names);
      });
      return { splices, renames };
    },
  },
];

/** Header pair indexes of the fields called `lower`. */
function fieldsNamed(headers: string[], lower: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < headers.length; i += 2) if (isField(headers, i, lower)) out.push(i / 2);
  return out;
}

const lengthFields = (headers: string[]): number[] => fieldsNamed(headers, 'content-length');

/** Offsets of the HTABs in the values of the fields llhttp reads framing from (Content-Length, Transfer-Encoding, Connection). */
function tabsInFramingFields(kz: Kz, bytes: Buffer): number[] {
  return heads(kz).flatMap((m) => {
    const lines = headLineStarts(bytes, m.start);
    const fields = ['content-length', 'transfer-encoding', 'connection'].flatMap((name) => fieldsNamed(m.head.headers, name));
    return fields.flatMap((f) => {
      const out: number[] = [];
      const from = lines[f + 1]!;
      const end = bytes.indexOf('\r\n', from, 'latin1');
      for (let at = bytes.indexOf(0x3a, from) + 1; at < end; at++) if (bytes[at] === 0x09) out.push(at);
      return out;
    });
  });
}

/** Offsets of the lines of the head starting at `start` (start line first). */
function headLineStarts(bytes: Buffer, start: number): number[] {
  const end = bytes.indexOf('\r\n\r\n', start, 'latin1');
  const starts = [start];
  for (let at = bytes.indexOf('\r\n', start, 'latin1'); at >= 0 && at < end; at = bytes.indexOf('\r\n', at + 2, 'latin1')) starts.push(at + 2);
  return starts;
}

/** The strict reference: llhttp on the bytes as they are. */
export function strictReference(bytes: Buffer): Reference {
  return build(bytes, [], []);
}

/** The reference with every divergence that applies to this case allowed, or undefined if none does. */
export function lenientReference(kind: 'request' | 'response', kz: Kz, bytes: Buffer): Reference | undefined {
  const applicable = DIVERGENCES.filter((d) => d.applies(kind, kz, bytes));
  if (!applicable.length) return undefined;
  return build(bytes, applicable.map((d) => d.adjust(kz, bytes)), applicable.map((d) => d.name));
}

function build(original: Buffer, adjustments: Adjustment[], allowed: string[]): Reference {
  const splices = adjustments.flatMap((a) => a.splices ?? []).sort((a, b) => a.at - b.at);
  const parts: Buffer[] = [];
  let from = 0;
  for (const s of splices) {
    parts.push(original.subarray(from, s.at), Buffer.from(s.insert, 'latin1'));
    from = s.at + s.remove;
  }
  parts.push(original.subarray(from));
  const methods = adjustments.flatMap((a) => (a.method ? [a.method] : []));
  return {
    bytes: splices.length ? Buffer.concat(parts) : original,
    lenient: adjustments.reduce((flags, a) => flags | (a.lenient ?? 0), 0),
    map: (offset) => splices.reduce((o, s) => (s.at + s.remove <= offset ? o + s.insert.length - s.remove : o), offset),
    method: (m) => methods.reduce((x, f) => f(x), m),
    headers: (i, headers) => {
      const names = adjustments.map((a) => a.renames?.get(i)).filter((r) => r !== undefined);
      if (!names.length) return headers;
      return headers.map((v, j) => (j % 2 === 0 ? names.reduce((n, r) => r.get(j / 2) ?? n, v) : v));
    },
    allowed,
  };
}
