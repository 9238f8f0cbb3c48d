import type { RecordedEvent } from '../../../local/images/apps/recorder-log.js';
import { fieldValues, type WireFraming, type WireResponse } from './wire.js';

// What a case expects, and the views of what happened that it is compared with (pure): a case lists the
// replies the client must get and the requests each recorder pod must have seen, and the views leave out
// whatever the case did not ask about, with defaults for the rest, so that every comparison is exact.

/** Case text may name the suite's two hosts: `{A}` (namespace A's recorder) and `{B}`. */
export interface Hosts {
  A: string;
  B: string;
}

export const fill = (s: string, hosts: Hosts): string => s.replaceAll('{A}', hosts.A).replaceAll('{B}', hosts.B);

/** One response the client must get. */
export interface Reply {
  status: number;
  /** The activator answered itself with this X-Kzero-Error code (and Connection: close). Absent: the pod answered. */
  code?: string;
  body?: string;
  /** Exact values of these fields (lower-case names); [] for "absent". */
  headers?: Record<string, string[]>;
  framing?: WireFraming;
  /** Default true: the body ended as framed. */
  complete?: boolean;
}

/** One request a pod must have seen, as its parser framed it. */
export interface Saw {
  method: string;
  target: string;
  /** Default: the host of the recorder that saw it. */
  host?: string[];
  /** Content-Length values the pod got (default none). */
  cl?: string[];
  /** Transfer-Encoding values the pod got (default none). */
  te?: string[];
  /** The body as the pod decoded it (default empty). */
  body?: string;
  /** Raw trailer pairs (default none). */
  trailers?: string[];
  /** Default true. */
  complete?: boolean;
  /** Default false. */
  upgrade?: boolean;
  /** Exact values of more fields (lower-case names). */
  also?: Record<string, string[]>;
}

/** The pod's parser rejected what it got, with this llhttp code. */
export interface Rejected {
  error: string;
}

export type PodEvent = Saw | Rejected;

export function replyView(got: WireResponse | undefined, want: Reply): Record<string, unknown> {
  if (!got) return { missing: true };
  const view: Record<string, unknown> = { status: got.status, code: fieldValues(got.headers, 'x-kzero-error'), complete: got.complete };
  if (want.code !== undefined) view.connection = fieldValues(got.headers, 'connection');
  if (want.body !== undefined) view.body = got.body.toString('latin1');
  if (want.framing !== undefined) view.framing = got.framing;
  for (const name of Object.keys(want.headers ?? {})) view[`header ${name}`] = fieldValues(got.headers, name);
  return view;
}

export function wantedReply(want: Reply, hosts: Hosts): Record<string, unknown> {
  const view: Record<string, unknown> = { status: want.status, code: want.code === undefined ? [] : [want.code], complete: want.complete ?? true };
  if (want.code !== undefined) view.connection = ['close'];
  if (want.body !== undefined) view.body = fill(want.body, hosts);
  if (want.framing !== undefined) view.framing = want.framing;
  for (const [name, values] of Object.entries(want.headers ?? {})) view[`header ${name}`] = values.map((v) => fill(v, hosts));
  return view;
}

const values = (headers: string[], name: string): string[] => {
  const out: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) if (headers[i]!.toLowerCase() === name) out.push(headers[i + 1]!);
  return out;
};

/** What the pod recorded, seen through the keys of `want` (the expected event at the same place, if any). */
export function podView(got: RecordedEvent, want: PodEvent | undefined): Record<string, unknown> {
  if (got.kind === 'error') return { error: got.code };
  const view: Record<string, unknown> = {
    method: got.method,
    target: got.url,
    host: values(got.headers, 'host'),
    cl: values(got.headers, 'content-length'),
    te: values(got.headers, 'transfer-encoding'),
    body: Buffer.from(got.body, 'base64').toString('latin1'),
    trailers: got.trailers,
    complete: got.complete,
    upgrade: got.upgrade,
  };
  const also = want && 'method' in want ? want.also : undefined;
  for (const name of Object.keys(also ?? {})) view[name] = values(got.headers, name);
  return view;
}

export function wantedPod(want: PodEvent, hosts: Hosts, ownHost: string): Record<string, unknown> {
  if ('error' in want) return { error: want.error };
  const f = (s: string): string => fill(s, hosts);
  const view: Record<string, unknown> = {
    method: want.method,
    target: f(want.target),
    host: (want.host ?? [ownHost]).map(f),
    cl: want.cl ?? [],
    te: want.te ?? [],
    body: f(want.body ?? ''),
    trailers: want.trailers ?? [],
    complete: want.complete ?? true,
    upgrade: want.upgrade ?? false,
  };
  for (const [name, v] of Object.entries(want.also ?? {})) view[name] = v.map(f);
  return view;
}
