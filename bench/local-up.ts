// How long `kzero up` takes once the Kubernetes binaries are cached: `kzero down` then `kzero up`, N times,
// timing each `up` until the cluster can run pods. Run: `npm run bench:up -- [runs]` (default 5), as root.
// Leaves the cluster as it found it (up if it was up).
import { kzero } from '../e2e/support/cli.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  const wasRunning = (await kzero(['status'], false)).code === 0;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    await kzero(['down'], false);
    const t0 = performance.now();
    const r = await kzero(['up'], false);
    if (r.code !== 0) throw new Error(`kzero up failed:\n${r.output}`);
    times.push((performance.now() - t0) / 1000);
    console.log(`run ${i + 1}: kzero up ready in ${times[i]!.toFixed(2)} s`);
  }
  console.log(JSON.stringify({ bench: 'kzero-up-warm-cache', runs, medianSeconds: Number(median(times).toFixed(2)), minSeconds: Number(Math.min(...times).toFixed(2)), maxSeconds: Number(Math.max(...times).toFixed(2)) }));
  if (!wasRunning) await kzero(['down'], false);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
