import { parseFlags } from '../../../lib/flags.js';
import { describe, runFuzz } from './run.js';

// npm run fuzz:http1 -- [N] [seed]: N cases (default 1,000,000) of the HTTP/1.1 differential test
// against llhttp, from `seed` (default: the time). Exits 1 on a mismatch.

const { positional } = parseFlags(process.argv.slice(2));
const count = Number(positional[0] ?? 1_000_000);
const seed = Number(positional[1] ?? Date.now() % 2 ** 32);
if (!Number.isSafeInteger(count) || count < 1 || !Number.isSafeInteger(seed) || seed < 0) {
  console.error(`usage: npm run fuzz:http1 -- [N] [seed]: got N "${positional[0] ?? ''}", seed "${positional[1] ?? ''}"`);
  process.exit(2);
}
const started = Date.now();
const chunk = 100_000;
let total = { cases: 0, framed: 0, refused: 0, stricter: 0 };
const allowed: Record<string, number> = {};
for (let done = 0; done < count; done += chunk) {
  const sum = runFuzz(Math.min(chunk, count - done), (seed + Math.imul(done, 0x9e3779b9)) >>> 0);
  total = { cases: total.cases + sum.cases, framed: total.framed + sum.framed, refused: total.refused + sum.refused, stricter: total.stricter + sum.stricter };
  for (const [k, v] of Object.entries(sum.allowed)) allowed[k] = (allowed[k] ?? 0) + v;
  if (sum.mismatches.length) {
    for (const m of sum.mismatches) console.log(`MISMATCH ${describe(m)}`);
    process.exit(1);
  }
  console.log(`fuzz:http1 seed ${seed}: ${total.cases} cases, ${total.framed} messages framed alike, ${total.refused} of which kzero framed nothing (${total.stricter} where llhttp framed more), ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`fuzz:http1 seed ${seed}: no mismatch in ${total.cases} cases; allowed divergences: ${JSON.stringify(allowed)}`);
