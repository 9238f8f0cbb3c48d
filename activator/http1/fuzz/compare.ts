import { normalizeHost } from '../../routing/hosts.js';
import { isField } from '../fields.js';
import { requestHeadForPod, responseHeadForClient, type RequestHead, type ResponseHead } from '../head.js';
import { kzeroRequests, kzeroResponse, type KzMessage, type KzResult } from './kzero.js';
import { LENIENT_SPACES_AFTER_CHUNK_SIZE, llhttp, type LlMessage, type LlResult } from './llhttp.js';
import { lenientReference, strictReference, type Reference } from './reference.js';
import type { Rng } from './rng.js';

// The differential check of one case: kzero either refuses the bytes or frames them exactly as llhttp
// does (same method or status, target, version, fields, body, and the same point where the next message
// starts), and what it sends on (the pod's request, the client's response) llhttp reads as that one
// message again, ending exactly where kzero's bytes end.

export interface Case {
  kind: 'request' | 'response';
  bytes: Buffer;
  /** The request's method, for a response. */
  method: string;
}

export interface Verdict {
  /** What differs, or undefined when kzero refused or framed the case as llhttp does. */
  mismatch: string | undefined;
  /** Messages kzero framed. */
  framed: number;
  /** kzero refused what llhttp took (stricter, which is allowed). */
  stricter: boolean;
  /** The allowed divergences this case needed. */
  allowed: string[];
}

/** The client address the pod view is written for. */
const CLIENT_IP = '192.0.2.1';

type Kz = KzResult<RequestHead> | KzResult<ResponseHead>;

export function check(c: Case, rng: Rng): Verdict {
  const kz: Kz = c.kind === 'request' ? kzeroRequests(c.bytes, rng) : kzeroResponse(c.bytes, c.method, rng);
  return judge(c, kz);
}

/** The verdict on kzero's framing `kz` of case `c` (exported so that a test can hand it a wrong framing). */
export function judge(c: Case, kz: Kz): Verdict {
  const strict = strictReference(c.bytes);
  const strictLl = parse(c, kz, strict);
  let mismatch = compare(c, kz, strict, strictLl);
  let allowed: string[] = [];
  if (mismatch) {
    const ref = lenientReference(c.kind, kz, c.bytes);
    const again = ref && compare(c, kz, ref, parse(c, kz, ref));
    if (ref && !again) allowed = ref.allowed;
    else if (ref) mismatch = `${mismatch}; allowing ${ref.allowed.join(', ')}: ${again}`;
  }
  const llFramed = strictLl.messages.filter((m) => m.ended).length;
  return { mismatch: allowed.length ? undefined : mismatch, framed: kz.messages.length, stricter: kz.stop === 'refused' && llFramed > kz.messages.length, allowed };
}

/** llhttp on the reference, cut just before and at the end of each message kzero framed (see compareBoundary). */
function parse(c: Case, kz: Kz, ref: Reference): LlResult {
  const cuts = kz.messages.flatMap((m) => [ref.map(m.end) - 1, ref.map(m.end)]);
  return llhttp(c.kind, ref.bytes, { lenient: ref.lenient, method: c.method, eof: c.kind === 'response', cuts });
}

function compare(c: Case, kz: Kz, ref: Reference, ll: LlResult): string | undefined {
  const messages: Array<KzMessage<RequestHead | ResponseHead>> = kz.messages;
  let count = messages.length;
  for (let i = 0; i < count; i++) {
    const m = messages[i]!;
    const l = ll.messages[i];
    const what = `${c.kind} ${i + 1} (${summary(m.head)})`;
    if (!l || (!l.ended && !l.upgrade)) return `kzero framed ${what}; llhttp ${ll.error ? `refused it: ${ll.error}` : 'did not complete it'}`;
    const head = compareHead(m.head, l, ref, i);
    if (head) return `${what}: ${head}`;
    // llhttp hands the rest of the stream over after an upgrade; kzero only after one it forwards (in
    // HTTP/1.1), else it drops Upgrade and reads on: llhttp has nothing to say about what follows.
    if (l.upgrade && !isUpgrade(m.head)) count = i + 1;
    if (isUpgrade(m.head)) {
      if (!l.upgrade) return `${what}: kzero tunnels, llhttp does not see an upgrade`;
      continue;
    }
    if (m.head.framing.kind !== 'chunked' && !m.body.equals(l.body)) return `${what}: body ${show(m.body)}, llhttp ${show(l.body)}`;
    const boundary = compareBoundary(m, i, ll);
    if (boundary) return `${what}: ${boundary}`;
  }
  if (count === messages.length && kz.pending && ll.messages[count]?.ended) return `kzero waits for more of ${c.kind} ${count + 1}'s body; llhttp completed it`;
  return c.kind === 'request'
    ? podView((kz.messages as Array<KzMessage<RequestHead>>).slice(0, count), ll, ref)
    : clientView(c, (kz.messages as Array<KzMessage<ResponseHead>>).slice(0, count), ll, ref);
}

const isUpgrade = (h: RequestHead | ResponseHead): boolean => 'upgrade' in h && h.upgrade;

function compareHead(h: RequestHead | ResponseHead, l: LlMessage, ref: Reference, i: number): string | undefined {
  if ('method' in h) {
    if (l.method !== ref.method(h.method)) return `method ${h.method}, llhttp ${String(l.method)}`;
    if (l.url !== h.target) return `target ${show(h.target)}, llhttp ${show(l.url)}`;
  } else if (l.status !== h.status || l.reason !== h.reason) return `status ${h.status} ${show(h.reason)}, llhttp ${l.status} ${show(l.reason)}`;
  if (l.minor !== h.minor) return `HTTP/1.${h.minor}, llhttp HTTP/1.${l.minor}`;
  const fields = ref.headers(i, h.headers);
  if (!sameList(fields, l.headers)) return `fields ${show(fields)}, llhttp ${show(l.headers)}`;
  return undefined;
}

/** llhttp ends message `i` exactly where kzero does: not one byte earlier (for a body framed by close: not before EOF). */
function compareBoundary(m: KzMessage<RequestHead | ResponseHead>, i: number, ll: LlResult): string | undefined {
  const before = ll.completedAt[2 * i]!;
  const at = ll.completedAt[2 * i + 1]!;
  if (m.head.framing.kind === 'close') return at > i ? 'framed by close, llhttp ends it before EOF' : undefined;
  if (at <= i) return `ends at ${m.end}, llhttp needs more`;
  if (before > i) return `ends at ${m.end}, llhttp ends it earlier`;
  return undefined;
}

/** The views kzero sends on are parsed as strictly as the pod or client would, but for BWS after a chunk size, which is passed through. */
const viewFlags = (ref: Reference): number => ref.lenient & LENIENT_SPACES_AFTER_CHUNK_SIZE;

/** Each request as the pod gets it: one message, ending at its last byte, with the client's body. */
function podView(messages: Array<KzMessage<RequestHead>>, ll: LlResult, ref: Reference): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const head = requestHeadForPod({ ...m.head, method: ref.method(m.head.method) }, CLIENT_IP, normalizeHost(m.head.host));
    const sent = Buffer.concat([Buffer.from(head, 'latin1'), m.body]);
    const what = `the pod's request ${i + 1} ${show(sent)}`;
    const got = llhttp('request', sent, { lenient: viewFlags(ref), cuts: [sent.length - 1] });
    const p = got.messages[0];
    if (got.error || got.messages.length !== 1 || !p || !(p.ended || p.upgrade)) return `${what}: llhttp reads ${got.messages.length} message(s), ${got.error ?? 'no error'}`;
    if (m.head.upgrade) {
      if (!p.upgrade) return `${what}: not an upgrade`;
      continue;
    }
    if (got.completedAt[0] !== 0) return `${what}: ends before its last byte`;
    if (p.url !== m.head.path) return `${what}: target ${show(p.url)}, want ${show(m.head.path)}`;
    const host = fieldValues(p.headers, 'host');
    if (m.head.host !== undefined ? host.length !== 1 || host[0] !== m.head.host : host.length !== 0) return `${what}: Host ${show(host)}, routed by ${show(m.head.host ?? '(none)')}`;
    const l = ll.messages[i]!;
    if (!p.body.equals(l.body) || !sameList(p.trailers, l.trailers)) return `${what}: body ${show(p.body)} ${show(p.trailers)}, the client sent ${show(l.body)} ${show(l.trailers)}`;
  }
  return undefined;
}

/** The responses as the client gets them: the same messages with the same bodies, ending at the last byte. */
function clientView(c: Case, messages: Array<KzMessage<ResponseHead>>, ll: LlResult, ref: Reference): string | undefined {
  if (!messages.length) return undefined;
  const final = messages[messages.length - 1]!;
  const byClose = final.head.framing.kind === 'close';
  const sent = Buffer.concat(messages.flatMap((m) => [Buffer.from(responseHeadForClient(m.head, m.head.framing.kind === 'close'), 'latin1'), m.body]));
  const what = `the client's response ${show(sent)}`;
  const got = llhttp('response', sent, { lenient: viewFlags(ref), method: c.method, eof: byClose, cuts: [sent.length - 1] });
  if (got.error || got.messages.length !== messages.length || got.messages.some((p) => !p.ended)) return `${what}: llhttp reads ${got.messages.length} message(s), ${got.error ?? 'no error'}`;
  if (!byClose && got.completedAt[0] !== messages.length - 1) return `${what}: ends before its last byte`;
  for (let i = 0; i < messages.length; i++) {
    const p = got.messages[i]!;
    const l = ll.messages[i]!;
    if (p.status !== l.status || !p.body.equals(l.body) || !sameList(p.trailers, l.trailers)) return `${what}: response ${i + 1} is ${p.status} ${show(p.body)}, the pod sent ${l.status} ${show(l.body)}`;
  }
  return undefined;
}

function fieldValues(headers: string[], lower: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (isField(headers, i, lower)) out.push(headers[i + 1]!);
  return out;
}

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

function summary(h: RequestHead | ResponseHead): string {
  const start = 'method' in h ? `${h.method} ${h.target}` : `${h.status}`;
  return `${start}, ${h.framing.kind === 'length' ? `length ${h.framing.length}` : h.framing.kind}`;
}

/** A value for a failure message: JSON, so that control bytes show; long ones cut. */
export function show(v: Buffer | string | string[]): string {
  const s = JSON.stringify(Buffer.isBuffer(v) ? v.toString('latin1') : v);
  return s.length > 300 ? `${s.slice(0, 300)}...(${s.length} chars)` : s;
}
