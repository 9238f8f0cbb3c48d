// Control-plane benchmark: how fast Services become Ready, with and without pods, and how 1,000 Services
// scale with the number of shards. Run against the local cluster (`kzero up` first), as root:
//   npm run bench:control-plane              (all parts)
//   npm run bench:control-plane -- rate      (5/s for 60 s, initial-scale 0)
//   npm run bench:control-plane -- shards    (1,000 Services with 1, 2, 4 shards; add `one` for 1 shard only, or the counts,
//                                             KZERO_BENCH_SERVICES=n for another count; prints API writes per Service)
//   npm run bench:control-plane -- pods      (1/s for 30 s, with pods)
// Each part uses its own namespace and shard ids, deleted afterwards; the local shard-0 controller is not
// involved (the bench's Services carry the bench's shard labels).
import { KzeroLabels } from '../api/serving/labels.js';
import { findCondition } from '../api/conditions.js';
import type { Service, Status } from '../api/serving/v1/types.js';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ResourceClient } from '../lib/kube/rest.js';
import { realClock } from '../lib/clock.js';
import { createLogger } from '../lib/log.js';
import { informerFor } from '../lib/kube/informer.js';
import { config, kubectl } from '../e2e/support/cluster.js';
import { serving } from '../e2e/support/serving.js';
import { ShardController } from '../e2e/support/controllers.js';
import { readDaemon } from '../local/controlplane/daemon.js';
import { withNamespace } from './namespace.js';
import { cpuSeconds, machineCpuSeconds, percentile } from './stats.js';

const log = createLogger('bench', { level: 'warn' });

function service(ns: string, name: string, shard: string, initialScale?: number): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: ns, labels: { [KzeroLabels.shard]: shard } },
    spec: {
      template: {
        ...(initialScale === undefined ? {} : { metadata: { annotations: { 'autoscaling.knative.dev/initial-scale': String(initialScale) } } }),
        spec: { containers: [{ name: 'user-container', image: 'ghcr.io/knative/helloworld-go' }] },
      },
    },
  };
}

/** Watches a namespace's Services and records when each is first Ready for its latest generation. */
async function readyTracker(ns: string): Promise<{ readyAt: Map<string, number>; stop: () => Promise<void> }> {
  const readyAt = new Map<string, number>();
  const inf = informerFor(serving.service, { namespace: ns, clock: realClock, log });
  const seen = (s: Service): void => {
    const name = s.metadata.name ?? '';
    if (!readyAt.has(name) && s.status?.observedGeneration === s.metadata.generation && findCondition(s.status, 'Ready')?.status === 'True') readyAt.set(name, performance.now());
  };
  inf.on({ add: seen, update: seen });
  await inf.start();
  return { readyAt, stop: () => inf.stop() };
}

/**
 * Records, for each object of a namespace, the sequence of its Ready condition's (status, reason) as
 * the API server saw it: the status writes a Service costs, and which of them were intermediate.
 */
async function statusTrails(ns: string): Promise<{ summary: () => Record<string, Record<string, number>>; stop: () => Promise<void> }> {
  const trails = new Map<string, string[]>();
  const last = new Map<string, Record<string, unknown>>();
  const watch = <T extends KubernetesObject & { status?: Status }>(kind: string, client: ResourceClient<T>) => {
    const inf = informerFor(client, { namespace: ns, clock: realClock, log });
    const seen = (o: T): void => {
      const key = `${kind}/${o.metadata?.name ?? ''}`;
      // Each status the API server stored, as Ready's status:reason and the fields that changed.
      const before = last.get(key);
      const now = (o.status ?? {}) as Record<string, unknown>;
      const changed = Object.keys({ ...before, ...now }).filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(now[k]));
      if (before && changed.length === 0) return;
      last.set(key, now);
      const ready = findCondition(o.status, 'Ready');
      const conds = (st: Record<string, unknown> | undefined): Array<{ type: string }> => (st?.conditions as Array<{ type: string }> | undefined) ?? [];
      const condsChanged = conds(now).filter((c) => JSON.stringify(c) !== JSON.stringify(conds(before).find((b) => b.type === c.type))).map((c) => `${c.type}=${JSON.stringify(c)}`);
      const step = `${ready ? `${ready.status}${ready.reason ? `:${ready.reason}` : ''}` : '-'}(${changed.filter((k) => k !== 'conditions' || !ready).join(',')}|${before ? condsChanged.join(';') : ''})`;
      trails.set(key, [...(trails.get(key) ?? []), step]);
    };
    inf.on({ add: seen, update: seen });
    return inf;
  };
  const infs = [watch('service', serving.service), watch('configuration', serving.configuration), watch('revision', serving.revision), watch('route', serving.route)];
  await Promise.all(infs.map((i) => i.start()));
  return {
    summary: () => {
      const out: Record<string, Record<string, number>> = {};
      for (const [key, trail] of trails) {
        const kind = key.split('/')[0]!;
        const row = (out[kind] ??= {});
        const t = trail.join(' > ');
        row[t] = (row[t] ?? 0) + 1;
      }
      return out;
    },
    stop: async () => { await Promise.all(infs.map((i) => i.stop())); },
  };
}

async function waitUntil(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setAllowZeroInitialScale(on: boolean): Promise<void> {
  await kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', JSON.stringify({ data: { 'allow-zero-initial-scale': String(on) } })]);
  // The webhook must have seen it before the first Service is admitted: ask it (a dry run) until it agrees.
  const probe = service('default', 'bench-probe', 'bench-probe', 0);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const admitted = await serving.service.create(probe, { dryRun: true }).then(() => true, () => false);
    if (admitted === on) return;
    if (Date.now() > deadline) throw new Error(`the webhook did not pick up allow-zero-initial-scale=${on} within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Creates Services at `perSecond` for `seconds`; create-to-Ready latency per Service. */
async function rate(label: string, perSecond: number, seconds: number, initialScale: number | undefined, timeoutMs: number): Promise<void> {
  const shard = `bench-${label}`;
  const ctl = new ShardController(shard);
  try {
    await ctl.ready();
    await withNamespace(`bench-${label}`, async (ns) => {
      const tracker = await readyTracker(ns);
      const createdAt = new Map<string, number>();
      const total = perSecond * seconds;
      const start = performance.now();
      const creates: Array<Promise<unknown>> = [];
      for (let i = 0; i < total; i++) {
        const due = start + (i * 1000) / perSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const name = `s-${i}`;
        createdAt.set(name, performance.now());
        creates.push(serving.service.create(service(ns, name, shard, initialScale)));
      }
      await Promise.all(creates);
      await waitUntil(`${total} Services Ready`, () => tracker.readyAt.size >= total, timeoutMs);
      await tracker.stop();
      const latencies = [...createdAt].map(([name, t]) => (tracker.readyAt.get(name)! - t) / 1000);
      console.log(JSON.stringify({ bench: `create-to-ready-${label}`, services: total, perSecond, initialScale: initialScale ?? 1, p50Seconds: +percentile(latencies, 50).toFixed(3), p95Seconds: +percentile(latencies, 95).toFixed(3), maxSeconds: +percentile(latencies, 100).toFixed(3) }));
    });
  } finally {
    await ctl.kill('SIGTERM');
  }
}

/** Counters of kube-apiserver's /metrics: write requests by resource, and webhook admissions. */
async function apiCounters(): Promise<Map<string, number>> {
  const text = await kubectl(['get', '--raw', '/metrics']);
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const req = /^apiserver_request_total\{(.*)\} (\S+)$/.exec(line);
    if (req) {
      const l = Object.fromEntries([...req[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(l.verb ?? '')) continue;
      const key = `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
      out.set(key, (out.get(key) ?? 0) + Number(req[2]));
      continue;
    }
    const hook = /^apiserver_admission_webhook_admission_duration_seconds_count\{(.*)\} (\S+)$/.exec(line);
    if (hook) {
      const l = Object.fromEntries([...hook[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      const key = `webhook ${l.type} ${l.operation}`;
      out.set(key, (out.get(key) ?? 0) + Number(hook[2]));
    }
  }
  return out;
}

/** Per-Service API cost between two counter snapshots, largest first. */
function perService(before: Map<string, number>, after: Map<string, number>, services: number): Record<string, number> {
  const rows = [...after].map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / services] as const).filter(([, v]) => v >= 0.05);
  return Object.fromEntries(rows.sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, +v.toFixed(2)]));
}

/** 1,000 Services (initial-scale 0) created as fast as the API server takes them; time until all are Ready. */
async function shards(count: number, total = 1000): Promise<void> {
  const ids = Array.from({ length: count }, (_, i) => `bench${count}-${i}`);
  const ctls = ids.map((id) => new ShardController(id));
  const pids = async (): Promise<Record<string, number>> => {
    const out: Record<string, number> = {};
    // Everything that runs during the burst: the API server's clients other than the shard controllers use CPU too.
    for (const name of ['kube-apiserver', 'etcd', 'kube-controller-manager', 'kube-scheduler', 'kzero-webhook', 'kzero-activator', 'kzero-autoscaler-0', 'kzero-controller-0', 'node-agent']) {
      const d = await readDaemon(config.dirs.run, name);
      if (d) out[name] = d.pid;
    }
    ctls.forEach((c, i) => c.child.pid && (out[`controller-${i}`] = c.child.pid));
    return out;
  };
  try {
    // Measure the shards at work, not their processes starting (module loading is about 1 CPU-s each).
    await Promise.all(ctls.map((c) => c.ready()));
    await withNamespace(`bench-shards-${count}`, async (ns) => {
      const tracker = await readyTracker(ns);
      const trails = process.env.KZERO_BENCH_TRAILS ? await statusTrails(ns) : undefined;
      const procs = await pids();
      const cpu0 = Object.fromEntries(await Promise.all(Object.entries(procs).map(async ([k, pid]) => [k, await cpuSeconds(pid)] as const)));
      const machine0 = await machineCpuSeconds();
      const counters0 = await apiCounters();
      const start = performance.now();
      let next = 0;
      // 32 creates in flight: enough to keep the API server busy without queueing in the client.
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < total) {
          const i = next++;
          await serving.service.create(service(ns, `s-${i}`, ids[i % count]!, 0));
        }
      }));
      const created = (performance.now() - start) / 1000;
      await waitUntil(`${total} Services Ready`, () => tracker.readyAt.size >= total, 600_000);
      const elapsed = (Math.max(...tracker.readyAt.values()) - start) / 1000;
      const offsets = [...tracker.readyAt.values()].map((t) => (t - start) / 1000);
      await tracker.stop();
      if (trails) {
        console.log(JSON.stringify({ statusTrails: trails.summary() }));
        await trails.stop();
      }
      // The processes' CPU and the machine's are read together, before the metrics scrape adds its own.
      const cpu: Record<string, number> = {};
      for (const [k, pid] of Object.entries(procs)) cpu[k] = +((await cpuSeconds(pid)) - cpu0[k]!).toFixed(1);
      const machine1 = await machineCpuSeconds();
      const apiPerService = perService(counters0, await apiCounters(), total);
      // CPU used over the run divided by the wall time: near 2 means the 2 cores were the limit.
      const measured = Object.values(cpu).reduce((a, b) => a + b, 0);
      const busyCores = measured / elapsed;
      // What else used this machine's CPU meanwhile (this bench's own process included), and what the host
      // took from it: a run in which either is large was not the cluster's alone, and is not comparable.
      const otherCpuSeconds = +(machine1.busy - machine0.busy - measured).toFixed(1);
      const stealSeconds = +(machine1.steal - machine0.steal).toFixed(1);
      console.log(JSON.stringify({
        bench: 'services-ready', shards: count, services: total, allCreatedSeconds: +created.toFixed(1), allReadySeconds: +elapsed.toFixed(1),
        halfReadySeconds: +percentile(offsets, 50).toFixed(1), p95ReadySeconds: +percentile(offsets, 95).toFixed(1),
        cpuSeconds: cpu, busyCoresOfMeasuredProcesses: +busyCores.toFixed(2), otherCpuSeconds, stealSeconds,
        apiWritesPerService: Object.entries(apiPerService).filter(([k]) => !k.startsWith('webhook')).reduce((a, [, v]) => a + v, 0).toFixed(1), apiPerService,
      }));
    });
  } finally {
    await Promise.all(ctls.map((c) => c.kill('SIGTERM')));
  }
}

async function main(): Promise<void> {
  const parts = process.argv.slice(2);
  const want = (p: string): boolean => parts.length === 0 || parts.includes(p);
  if (want('rate') || want('shards')) await setAllowZeroInitialScale(true);
  try {
    if (want('rate')) await rate('zero', 5, 60, 0, 300_000);
    // `shards one` runs 1 shard only; `shards 2 4` the counts given.
    const counts = parts.includes('one') ? [1] : parts.filter((p) => /^\d+$/.test(p)).map(Number);
    if (want('shards')) for (const n of (counts.length ? counts : [1, 2, 4])) await shards(n, Number(process.env.KZERO_BENCH_SERVICES ?? 1000));
  } finally {
    if (want('rate') || want('shards')) await setAllowZeroInitialScale(false);
  }
  if (want('pods')) await rate('pods', 1, 30, undefined, 300_000);
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
