import { check, show, type Verdict } from './compare.js';
import { generate } from './generate.js';
import { Rng } from './rng.js';

// A run of the differential test: `count` cases from `seed`. Case i has its own seed, printed with any
// mismatch, so that `npm run fuzz:http1 -- 1 <that seed>` replays it alone.

export interface Mismatch {
  seed: number;
  kind: 'request' | 'response';
  method: string;
  bytes: string;
  mismatch: string;
}

export interface Summary {
  cases: number;
  /** Messages kzero framed (and llhttp framed the same). */
  framed: number;
  /** Cases kzero refused outright. */
  refused: number;
  /** Cases where kzero refused a message llhttp took. */
  stricter: number;
  /** How often each allowed divergence was needed. */
  allowed: Record<string, number>;
  mismatches: Mismatch[];
}

/** The seed of case `i` of a run from `seed`: case 0's is `seed` itself. */
export const caseSeed = (seed: number, i: number): number => (seed + Math.imul(i, 0x9e3779b9)) >>> 0;

/** Runs `count` cases, stopping after `maxMismatches` mismatches. */
export function runFuzz(count: number, seed: number, maxMismatches = 10): Summary {
  const sum: Summary = { cases: 0, framed: 0, refused: 0, stricter: 0, allowed: {}, mismatches: [] };
  for (let i = 0; i < count && sum.mismatches.length < maxMismatches; i++) {
    const s = caseSeed(seed, i);
    const rng = new Rng(s);
    const c = generate(rng);
    let v: Verdict;
    try {
      v = check(c, rng);
    } catch (err) {
      v = { mismatch: `threw ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, framed: 0, stricter: false, allowed: [] };
    }
    sum.cases++;
    sum.framed += v.framed;
    if (v.framed === 0) sum.refused++;
    if (v.stricter) sum.stricter++;
    for (const a of v.allowed) sum.allowed[a] = (sum.allowed[a] ?? 0) + 1;
    if (v.mismatch) sum.mismatches.push({ seed: s, kind: c.kind, method: c.method, bytes: show(c.bytes), mismatch: v.mismatch });
  }
  return sum;
}

/** A mismatch as a failure report: how to replay it, the bytes, what differs. */
export function describe(m: Mismatch): string {
  return `seed ${m.seed} (${m.kind}${m.kind === 'response' ? ` to ${m.method}` : ''}): ${m.bytes}\n  ${m.mismatch}`;
}
