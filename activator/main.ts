// kzero's activator: the ingress. Routes by Host to a revision, proxies warm requests straight to a pod,
// buffers cold ones while the shard autoscaler scales up, and reports load to the autoscalers. Wires only.
import { readFileSync } from 'node:fs';
import type { V1Endpoints, V1Pod } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { ServingLabels } from '../api/serving/labels.js';
import type { Revision } from '../api/serving/v1/types.js';
import { parseBearerTokens } from '../lib/bearer-tokens.js';
import { realClock } from '../lib/clock.js';
import { parseFlags, requireFlag } from '../lib/flags.js';
import { adminServer, parseListen } from '../lib/http-server.js';
import { createLogger, parseLevel } from '../lib/log.js';
import { loadKubeConfig } from '../lib/kube/client.js';
import { informerFor } from '../lib/kube/informer.js';
import { Resources } from '../lib/kube/resources.js';
import { KubeRest } from '../lib/kube/rest.js';
import { SYSTEM_NAMESPACE } from '../lib/kube/config-value.js';
import { AutoscalerClient } from './autoscaler-client.js';
import { activatorHooks, type HookDeps, type RoutedRequest } from './handler/proxy.js';
import { ProxyServer } from './http1/server.js';
import { activatorMetrics, heldBytesMetrics, podConnectionMetrics, requestRecorder } from './metrics.js';
import { budgetFromFlag } from './net/budget.js';
import { DirectProber } from './net/prober.js';
import { RevisionRegistry, type RevisionState } from './revisions.js';
import { watchRouting } from './routing/controller.js';
import { StatsCollector } from './stats/collector.js';

const { flags } = parseFlags(process.argv.slice(2));
const log = createLogger('activator', { level: parseLevel(process.env.KZERO_LOG_LEVEL) });
const clock = realClock;
const kc = loadKubeConfig(flags.get('kubeconfig'));
// The autoscalers' bearer token (Secret kzero-autoscaler-token): the first of the file's (lib/bearer-tokens.ts).
const token = parseBearerTokens(readFileSync(requireFlag(flags, 'token-file'), 'utf8'), '--token-file')[0];

async function main(): Promise<void> {
  // --max-pending-body-bytes: request bytes all connections together may hold in memory (bodies read with
  // their head while the request waits for a pod, pipelined read-ahead), e.g. 64Mi (the default); past it,
  // a request that would wait holding bytes gets 503 KZERO_OVERLOADED.
  const budget = budgetFromFlag(flags.get('max-pending-body-bytes'));
  const rest = await KubeRest.fromKubeConfig(kc);
  const routing = watchRouting({ rest, clock, log });
  const revisions = informerFor(rest.resource<Revision>(Resources.revision), { clock, log });
  const pods = informerFor(rest.resource<V1Pod>(Resources.pod), { labelSelector: ServingLabels.revision, clock, log });
  const endpoints = informerFor(rest.resource<V1Endpoints>(Resources.endpoints), { namespace: SYSTEM_NAMESPACE, clock, log });

  const registry = new RevisionRegistry(clock);
  revisions.on({ add: (r) => registry.upsertRevision(r), update: (r) => registry.upsertRevision(r), delete: (r) => registry.deleteRevision(r) });
  pods.on({ add: (p) => registry.upsertPod(p), update: (p) => registry.upsertPod(p), delete: (p) => registry.deletePod(p) });

  const promRegistry = new Registry();
  collectDefaultMetrics({ register: promRegistry });
  const metrics = activatorMetrics(promRegistry, registry);
  const autoscalers = new AutoscalerClient({ endpoints, namespace: SYSTEM_NAMESPACE, token, clock, log, nameTemplate: flags.get('autoscaler-name') ?? 'autoscaler-{shard}' });
  const prober = new DirectProber(registry, clock);
  const stats = new StatsCollector();
  const hookDeps: HookDeps = {
    clock, prober, stats, log, queueLimit: Number(flags.get('queue-limit') ?? 10_000), coldStartSeconds: metrics.coldStartSeconds,
    poke: (rev: RevisionState) => autoscalers.poke(rev.shard, rev.namespace, rev.name, (pods) => registry.announce(rev, pods.map((p) => p.ip))),
    route: { table: routing.table, registry },
    record: requestRecorder(metrics, clock),
  };
  const server = new ProxyServer<RoutedRequest>({ clock, budget });
  podConnectionMetrics(promRegistry, server.pool);
  heldBytesMetrics(promRegistry, budget);

  const sampler = setInterval(() => stats.sample(registry.all()), 100);
  const reporter = setInterval(() => {
    registry.expireAnnounced();
    for (const [shard, list] of stats.drain()) {
      autoscalers.report(shard, list).catch((err: unknown) => log.debug('activator: stats report failed', { shard, error: err }));
    }
  }, 1000);

  await Promise.all([routing.start(), revisions.start(), pods.start(), endpoints.start()]);
  // Two listeners, one engine (pool, byte budget, drain shared). --listen faces the internet and serves only
  // the hosts Routes publish outside the cluster; --listen-cluster-local (behind a ClusterIP Service only)
  // serves every host, cluster-local Routes and names included.
  const listen = parseListen(flags.get('listen') ?? '127.0.0.1:8080');
  const localListen = parseListen(flags.get('listen-cluster-local') ?? '127.0.0.1:8081');
  await server.listen(listen.port, listen.host, activatorHooks(hookDeps, 'public'));
  await server.listen(localListen.port, localListen.host, activatorHooks(hookDeps, 'cluster-local'));
  const adminListen = parseListen(flags.get('admin-addr') ?? '127.0.0.1:9091');
  const admin = adminServer(promRegistry, () => !server.draining);
  await new Promise<void>((resolve) => admin.listen(adminListen.port, adminListen.host, resolve));
  log.info('activator: serving', { listen: `${listen.host}:${listen.port}`, clusterLocal: `${localListen.host}:${localListen.port}`, admin: `${adminListen.host}:${adminListen.port}` });

  // Graceful drain. First, for --drain-delay-seconds, keep serving but answer /readyz 503 (load balancers
  // take us out) and close each connection after its response (clients stop reusing them). Then stop
  // listening, let in-flight requests finish (bounded by --drain-seconds), and exit.
  const stop = (): void => {
    if (server.draining) return;
    server.draining = true;
    log.info('activator: draining');
    setTimeout(() => {
      server.close(() => process.exit(0));
      clearInterval(sampler);
      clearInterval(reporter);
      prober.stop();
      setTimeout(() => process.exit(0), Number(flags.get('drain-seconds') ?? 30) * 1000).unref();
    }, Number(flags.get('drain-delay-seconds') ?? 2) * 1000);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.error('activator: failed', { error: err });
  process.exit(1);
});
