// Prewarmed-pool benchmarks, against the local cluster (`kzero up` first), as root:
//   npm run bench:pool                (both)
//   npm run bench:pool -- cold [n]    (first-byte cold-start latency, pool path vs Deployment path, n each, interleaved; default 50;
//                                     KZERO_BENCH_DETAIL=1 prints each cold start)
//   npm run bench:pool -- drain [n]   (claims from a pool of n warm pods until drained, then the refill; default 100)
// The same function, runtime image and code package on both paths: a Revision whose pool does not exist
// takes the Deployment path (the runtime loads the code itself at start). Quote ratios and medians.
import { kubectl, waitForValue } from '../e2e/support/cluster.js';
import { viaActivator } from '../e2e/support/activator.js';
import { CodeServer, helloFunction, podPool, poolService, warmPods } from '../e2e/support/pool.js';
import { readDaemon } from '../local/controlplane/daemon.js';
import { config } from '../e2e/support/cluster.js';
import { waitServicesReady, withNamespace } from './namespace.js';
import { cpuSeconds, machineCpuSeconds, percentile } from './stats.js';

/** CPU seconds of the local cluster's daemons so far, by name. */
async function daemonCpu(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'node-agent', 'kzero-controller-0', 'kzero-autoscaler-0', 'kzero-activator']) {
    const d = await readDaemon(config.dirs.run, name);
    if (d) out[name] = await cpuSeconds(d.pid).catch(() => 0);
  }
  return out;
}

const say = (line: string): void => console.error(`bench: ${line}`);

async function applyServices(ns: string, names: string[], pool: (name: string) => string, code: { url: string; sha256: string }): Promise<void> {
  for (let i = 0; i < names.length; i += 50) {
    const items = names.slice(i, i + 50).map((n) => JSON.parse(poolService(ns, n, pool(n), code)) as unknown);
    await kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  }
  await waitServicesReady(ns, names.length, 600_000);
}

const warmReady = async (ns: string, pool: string): Promise<number> => (await warmPods(ns, pool)).length;

const summary = (ms: number[]): Record<string, number> => ({
  p50Ms: Math.round(percentile(ms, 50)), p95Ms: Math.round(percentile(ms, 95)), minMs: Math.round(Math.min(...ms)), maxMs: Math.round(Math.max(...ms)),
});

/** n cold starts on each path, alternating pool and Deployment, each to a Service at zero pods. */
async function cold(code: CodeServer, n: number): Promise<void> {
  await withNamespace('bench-pool-cold', async (ns) => {
    const pkg = code.add('cold', helloFunction);
    await kubectl(['apply', '-f', '-'], podPool(ns, 'warm', { minReady: 5, maxReady: 5 }));
    const names = Array.from({ length: n }, (_, i) => [`pool-${i}`, `dep-${i}`]).flat();
    await applyServices(ns, names, (name) => (name.startsWith('pool-') ? 'warm' : 'no-such-pool'), pkg);
    await waitForValue('5 warm pods', async () => ((await warmReady(ns, 'warm')) >= 5 ? true : undefined), 120_000, 200);
    const ms: Record<'pool' | 'deployment', number[]> = { pool: [], deployment: [] };
    for (let i = 0; i < n; i++) {
      for (const [path, name] of [['pool', `pool-${i}`], ['deployment', `dep-${i}`]] as const) {
        // Each cold start on a settled node: the pool refilled (so a pool cold start finds a warm pod, as a
        // sized pool would) and the last pod start (0.2-0.35 CPU-s) not weighing on it.
        await waitForValue('pool refilled', async () => ((await warmReady(ns, 'warm')) >= 5 ? true : undefined), 60_000, 50);
        await new Promise((r) => setTimeout(r, 500));
        const a = await viaActivator(`${name}.${ns}.localhost`);
        if (a.status !== 200) throw new Error(`${name}: HTTP ${a.status}: ${a.body}`);
        const pod = (JSON.parse(a.body) as { pod: string }).pod;
        if ((path === 'pool') !== pod.startsWith('warm-podpool-')) throw new Error(`${name} was served by ${pod}, not on the ${path} path`);
        ms[path].push(a.ms);
        if (process.env.KZERO_BENCH_DETAIL) console.error(`bench: ${name} ${Math.round(a.ms)} ms`);
      }
    }
    const pool = summary(ms.pool);
    const dep = summary(ms.deployment);
    console.log(JSON.stringify({ bench: 'cold-start-pool-vs-deployment', coldStartsEach: n, pool, deployment: dep, p50Ratio: +(dep.p50Ms! / pool.p50Ms!).toFixed(1) }));
  });
}

/** A pool of n warm pods, n Services at zero, n concurrent cold requests: how fast the pool drains, then refills. */
async function drain(code: CodeServer, n: number): Promise<void> {
  await withNamespace('bench-pool-drain', async (ns) => {
    const pkg = code.add('drain', helloFunction);
    const names = Array.from({ length: n }, (_, i) => `fn-${i}`);
    await applyServices(ns, names, () => 'big', pkg);
    const t0 = performance.now();
    await kubectl(['apply', '-f', '-'], podPool(ns, 'big', { minReady: n, maxReady: n }));
    await waitForValue(`${n} warm pods`, async () => ((await warmReady(ns, 'big')) >= n ? true : undefined), 600_000, 250);
    const fillS = (performance.now() - t0) / 1000;
    say(`${n} warm pods Ready after ${fillS.toFixed(1)} s; draining`);
    const start = performance.now();
    const answers = await Promise.all(names.map((name) => viaActivator(`${name}.${ns}.localhost`)));
    const drainS = (performance.now() - start) / 1000;
    const errors = answers.filter((a) => a.status !== 200).length;
    const fromPool = answers.filter((a) => a.status === 200 && (JSON.parse(a.body) as { pod: string }).pod.startsWith('big-podpool-')).length;
    const drained = performance.now();
    const [busy0, cpu0] = [(await machineCpuSeconds()).busy, await daemonCpu()];
    await waitForValue(`${n} warm pods again`, async () => ((await warmReady(ns, 'big')) >= n ? true : undefined), 600_000, 250);
    const refillS = (performance.now() - drained) / 1000;
    // Where the refill's CPU went: the daemons by name, and the rest (mostly the new runtime processes).
    const [busy1, cpu1] = [(await machineCpuSeconds()).busy, await daemonCpu()];
    const refillCpu: Record<string, number> = {};
    for (const k of Object.keys(cpu1)) refillCpu[k] = +((cpu1[k] ?? 0) - (cpu0[k] ?? 0)).toFixed(1);
    const daemons = Object.values(refillCpu).reduce((a, b) => a + b, 0);
    refillCpu.everythingElse = +(busy1 - busy0 - daemons).toFixed(1);
    console.log(JSON.stringify({
      bench: 'pool-drain-and-refill', warmPods: n, requests: n, errors, servedFromPool: fromPool,
      drainSeconds: +drainS.toFixed(2), claimsPerMinute: Math.round((fromPool / drainS) * 60),
      refillSeconds: +refillS.toFixed(1), initialFillSeconds: +fillS.toFixed(1),
      refillCpuSeconds: refillCpu, refillBusyCores: +((busy1 - busy0) / refillS).toFixed(2),
    }));
  });
}

async function main(): Promise<void> {
  const [part, count] = process.argv.slice(2);
  const code = new CodeServer();
  await code.start();
  try {
    if (!part || part === 'cold') await cold(code, Number(count ?? 50));
    if (!part || part === 'drain') await drain(code, Number(count ?? 100));
  } finally {
    await code.stop();
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
