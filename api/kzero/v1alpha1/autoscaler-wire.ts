// The wire contract of a shard autoscaler's internal endpoints, declared once: activators send it
// (activator/autoscaler-client.ts), the autoscaler parses and serves it (autoscaler/server.ts).
//   POST /stats  {"stats": RevisionStat[]}  -> 204
//   POST /poke   PokeRequest               -> 200 PokeAnswer

/** Per-revision load for one second, as an activator reports it to the revision's shard autoscaler. */
export interface RevisionStat {
  namespace: string;
  revision: string;
  /** Average requests in flight or waiting over the second. */
  concurrency: number;
  /** Requests that arrived in the second. */
  requests: number;
}

/** A revision at zero with a request waiting for it. */
export interface PokeRequest {
  namespace: string;
  revision: string;
}

/** A pod the autoscaler claimed from a warm pool in answer to a poke. */
export interface PokedPod {
  name: string;
  ip: string;
}

export interface PokeAnswer {
  pods: PokedPod[];
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 253;
const isLoad = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A /stats body's entries, or the reason it is not one (pure: the server answers 400 with it). */
export function parseStats(body: unknown): RevisionStat[] | string {
  if (!isObject(body) || !Array.isArray(body.stats)) return 'want {"stats": [...]}';
  const out: RevisionStat[] = [];
  for (const [i, s] of body.stats.entries()) {
    if (!isObject(s) || !isName(s.namespace) || !isName(s.revision) || !isLoad(s.concurrency) || !isLoad(s.requests)) {
      return `stats[${i}]: want {"namespace", "revision", "concurrency" >= 0, "requests" >= 0}`;
    }
    out.push({ namespace: s.namespace, revision: s.revision, concurrency: s.concurrency, requests: s.requests });
  }
  return out;
}

/** A /poke body, or the reason it is not one (pure). */
export function parsePoke(body: unknown): PokeRequest | string {
  if (!isObject(body) || !isName(body.namespace) || !isName(body.revision)) return 'want {"namespace", "revision"}';
  return { namespace: body.namespace, revision: body.revision };
}

/** The pods of a /poke answer that name an IP; anything else in it is ignored. */
export function pokedPods(answer: unknown): PokedPod[] {
  if (!isObject(answer) || !Array.isArray(answer.pods)) return [];
  return answer.pods.filter((p): p is PokedPod => isObject(p) && typeof p.ip === 'string' && typeof p.name === 'string');
}
