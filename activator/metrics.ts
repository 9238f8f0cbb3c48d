import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../lib/clock.js';
import type { RevisionRegistry, RevisionState } from './revisions.js';

export interface ActivatorMetrics {
  requests: Counter<'namespace' | 'revision' | 'code'>;
  latency: Histogram<'path'>;
  coldStartSeconds: Histogram<'path'>;
}

export function activatorMetrics(registry: Registry, revisions: RevisionRegistry): ActivatorMetrics {
  new Gauge({
    name: 'kzero_activator_queue_depth', help: 'Requests waiting for a pod, by revision.', labelNames: ['namespace', 'revision'], registers: [registry],
    collect() {
      this.reset();
      for (const r of revisions.all()) if (r.backends.waiting) this.set({ namespace: r.namespace, revision: r.name }, r.backends.waiting);
    },
  });
  return {
    requests: new Counter({ name: 'kzero_activator_requests_total', help: 'Requests by revision and response code.', labelNames: ['namespace', 'revision', 'code'], registers: [registry] }),
    latency: new Histogram({ name: 'kzero_activator_request_duration_seconds', help: 'Request latency through the activator, by path (warm or cold).', labelNames: ['path'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] }),
    coldStartSeconds: new Histogram({ name: 'kzero_activator_cold_start_seconds', help: 'Time a request waited for its revision to get a pod, by how the pod came (deployment or pool).', labelNames: ['path'], buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32], registers: [registry] }),
  };
}

/** Kept-alive pod connections waiting for a request: with the request rate, how much connection reuse there is. */
export function podConnectionMetrics(registry: Registry, pool: { readonly idle: number }): void {
  new Gauge({
    name: 'kzero_activator_pod_connections_idle', help: 'Kept-alive connections to pods, idle in the pool.', registers: [registry],
    collect() {
      this.set(pool.idle);
    },
  });
}

/** Request bytes held in memory for requests waiting for pods and pipelined ones, and their limit. */
export function heldBytesMetrics(registry: Registry, budget: { readonly used: number; readonly limit: number }): void {
  new Gauge({
    name: 'kzero_activator_held_request_bytes', help: 'Request bytes held in memory: bodies read before a pod took them, pipelined requests read ahead.', registers: [registry],
    collect() {
      this.set(budget.used);
    },
  });
  new Gauge({
    name: 'kzero_activator_held_request_bytes_limit', help: 'Past this, requests that would wait for a pod holding bytes get 503 KZERO_OVERLOADED (--max-pending-body-bytes).', registers: [registry],
    collect() {
      this.set(budget.limit);
    },
  });
}

/** Counts a finished request and observes its latency; labelled children are looked up once (label hashing is a visible cost on the warm path). */
export function requestRecorder(m: ActivatorMetrics, clock: Clock): (revision: RevisionState | undefined, status: number, path: string, startedAt: number) => void {
  const counters = new Map<string, { inc(): void }>();
  const latencies = new Map<string, { observe(v: number): void }>();
  return (rev, status, path, startedAt) => {
    const key = `${rev?.key ?? ''}/${status}`;
    let counter = counters.get(key);
    if (!counter) counters.set(key, (counter = m.requests.labels(rev?.namespace ?? '', rev?.name ?? '', String(status))));
    counter.inc();
    let latency = latencies.get(path);
    if (!latency) latencies.set(path, (latency = m.latency.labels(path)));
    latency.observe((clock.now() - startedAt) / 1000);
  };
}
