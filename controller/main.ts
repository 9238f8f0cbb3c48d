// kzero's controller: the Serving API reconcilers for one shard (Service, Configuration, Revision, Route),
// optionally the shard assigner. Several replicas of a shard may run at once. This file only wires.
import { readFileSync } from 'node:fs';
import type { KubernetesObject, V1ConfigMap, V1Deployment, V1Namespace, V1Pod } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { PodAutoscaler, PodPool } from '../api/kzero/v1alpha1/types.js';
import { KzeroAnnotations, KzeroLabels, PoolStates, ServingLabels } from '../api/serving/labels.js';
import type { Configuration, Revision, Route, Service } from '../api/serving/v1/types.js';
import { realClock } from '../lib/clock.js';
import { parseFlags, requireFlag } from '../lib/flags.js';
import { adminServer, parseListen } from '../lib/http-server.js';
import { createLogger, parseLevel } from '../lib/log.js';
import { loadKubeConfig } from '../lib/kube/client.js';
import { informerFor, type Informer } from '../lib/kube/informer.js';
import { Resources } from '../lib/kube/resources.js';
import { KubeRest, type ResourceClient } from '../lib/kube/rest.js';
import { VerifyingKeys } from '../lib/specialize-signature.js';
import { parseAutoscalerConfig } from '../api/autoscaling/config-autoscaler.js';
import { initialScale } from '../api/autoscaling/initial-scale.js';
import { parseDeploymentConfig } from './config/deployment.js';
import { parseDomainConfig } from '../api/serving/domain-config.js';
import { ConfigValue, SYSTEM_NAMESPACE } from '../lib/kube/config-value.js';
import { all, byLabel, hostRivals, referencingRoutes } from './handlers.js';
import { poolSizing } from './reconciler/podpool/autosize.js';
import { PoolDemand } from './reconciler/podpool/demand.js';
import { PodPoolReconciler } from './reconciler/podpool/reconciler.js';
import { ConfigurationReconciler } from './reconciler/configuration/reconciler.js';
import { RevisionReconciler } from './reconciler/revision/reconciler.js';
import { poolCode } from '../api/kzero/v1alpha1/pool.js';
import { RouteReconciler } from './reconciler/route/reconciler.js';
import { RouteReferences } from './reconciler/route/references.js';
import { ServiceReconciler } from './reconciler/service/reconciler.js';
import { Controller } from './runtime/driver.js';
import { ApiEventRecorder } from './runtime/events.js';
import { controllerMetrics } from './runtime/metrics.js';
import { parseShardsConfig } from './shards/assign.js';
import { ShardAssigner, UNASSIGNED } from './shards/assigner.js';

const { flags } = parseFlags(process.argv.slice(2));
const shard = flags.get('shard');
const selector = flags.get('label-selector') ?? (shard !== undefined ? `${KzeroLabels.shard}=${shard}` : undefined);
const log = createLogger('controller', { level: parseLevel(process.env.KZERO_LOG_LEVEL) }).with({ shard: shard ?? selector });
if (!selector) {
  log.error('controller: --shard <id> or --label-selector is required');
  process.exit(2);
}
const workers = Number(flags.get('workers') ?? 8);
const clock = realClock;
const kc = loadKubeConfig(flags.get('kubeconfig'));
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const metrics = controllerMetrics(registry);
const resyncMs = 10 * 60_000;
// The autoscalers' public keys (PEM), put into every pool's template: its runtimes check /specialize
// signatures with them (lib/specialize-signature.ts). The controller holds no secret.
const publicKeysFile = requireFlag(flags, 'pool-public-keys-file');
const poolPublicKeys = VerifyingKeys.fromPem(readFileSync(publicKeysFile, 'utf8'), publicKeysFile);

async function main(): Promise<void> {
  const rest = await KubeRest.fromKubeConfig(kc, 32);
  const clients = {
    service: rest.resource<Service>(Resources.service),
    configuration: rest.resource<Configuration>(Resources.configuration),
    revision: rest.resource<Revision>(Resources.revision),
    route: rest.resource<Route>(Resources.route),
    podAutoscaler: rest.resource<PodAutoscaler>(Resources.podAutoscaler),
    podPool: rest.resource<PodPool>(Resources.podPool),
    deployment: rest.resource<V1Deployment>(Resources.deployment),
    pod: rest.resource<V1Pod>(Resources.pod),
    configMap: rest.resource<V1ConfigMap>(Resources.configMap),
    namespace: rest.resource<V1Namespace>(Resources.namespace),
  };
  const events = new ApiEventRecorder({ events: rest.resource(Resources.event), clock, log, component: `kzero-controller-${shard ?? 'custom'}` });
  // Every informer of the shard's objects carries the shard selector: this process never sees another shard's.
  const sharded = <T extends KubernetesObject>(client: ResourceClient<T>, extra = ''): Informer<T> =>
    informerFor(client, { labelSelector: selector + extra, clock, log, resyncMs });

  const inf = {
    service: sharded(clients.service),
    configuration: sharded(clients.configuration),
    revision: sharded(clients.revision),
    route: sharded(clients.route),
    podAutoscaler: sharded(clients.podAutoscaler),
    deployment: sharded(clients.deployment),
    pod: sharded(clients.pod, `,${ServingLabels.revision}`),
    podPool: sharded(clients.podPool),
    // Pool pods in every shard: a pool's pods, once claimed, carry the shard of the Revision they serve.
    poolPod: informerFor(clients.pod, { labelSelector: KzeroLabels.pool, clock, log, resyncMs }),
    configMap: informerFor(clients.configMap, { namespace: SYSTEM_NAMESPACE, clock, log }),
  };

  const config = {
    domain: new ConfigValue('config-domain', parseDomainConfig, log),
    deployment: new ConfigValue('config-deployment', parseDeploymentConfig, log),
    autoscaler: new ConfigValue('config-autoscaler', parseAutoscalerConfig, log),
    shards: new ConfigValue('config-shards', parseShardsConfig, log),
  };

  // A new object's first status waits up to 5 s for its children to settle, so that it is usually the final one.
  const driver = { clock, log, events, metrics, workers, firstStatusGraceMs: 5000 };
  const svcCtl = new Controller<Service>({ ...driver, lister: inf.service, client: clients.service, reconciler: new ServiceReconciler({
    configurations: { lister: inf.configuration, client: clients.configuration },
    routes: { lister: inf.route, client: clients.route },
    events,
  }) });
  const cfgCtl = new Controller<Configuration>({ ...driver, lister: inf.configuration, client: clients.configuration, reconciler: new ConfigurationReconciler({
    revisions: { lister: inf.revision, client: clients.revision }, events,
  }) });
  const revCtl = new Controller<Revision>({ ...driver, lister: inf.revision, client: clients.revision, reconciler: new RevisionReconciler({
    deployments: { lister: inf.deployment, client: clients.deployment },
    podAutoscalers: { lister: inf.podAutoscaler, client: clients.podAutoscaler },
    pods: inf.pod,
    events,
    config: () => ({
      progressDeadlineSeconds: config.deployment.get().progressDeadlineSeconds,
      initialScale: (rev) => initialScale(config.autoscaler.get(), rev.metadata.annotations, poolCode(rev) !== undefined),
    }),
  }) });
  const routeCtl = new Controller<Route>({ ...driver, lister: inf.route, client: clients.route, reconciler: new RouteReconciler({
    configurations: inf.configuration, revisions: inf.revision, routes: { lister: inf.route, client: clients.route }, domains: () => config.domain.get(),
  }) });
  const demand = new PoolDemand((key) => {
    const [ns, name] = key.split('/');
    const pool = inf.podPool.get(name ?? '', ns);
    return pool ? poolSizing(pool.spec).windowMs : 60_000;
  });
  const poolCtl = new Controller<PodPool>({ ...driver, lister: inf.podPool, client: clients.podPool, reconciler: new PodPoolReconciler({
    deployments: { lister: inf.deployment, client: clients.deployment },
    pods: inf.poolPod,
    demand,
    events,
    publicKeys: poolPublicKeys.toString(),
  }) });
  const controllers: Array<{ start(): void; stop(): void }> = [svcCtl, cfgCtl, revCtl, routeCtl, poolCtl];
  const [svc, cfg, rev, rt] = [svcCtl, cfgCtl, revCtl, routeCtl];

  const routeRefs = new RouteReferences();
  inf.route.on({ add: (r) => routeRefs.set(r), update: (r) => routeRefs.set(r), delete: (r) => routeRefs.delete(r) });
  inf.service.on(all((o) => svc.enqueue(o)));
  inf.configuration.on(all((o) => cfg.enqueue(o), byLabel(svc, ServingLabels.service), referencingRoutes(rt, routeRefs, 'configuration')));
  inf.revision.on(all((o) => rev.enqueue(o), byLabel(cfg, ServingLabels.configuration), referencingRoutes(rt, routeRefs, 'revision')));
  inf.route.on(all((o) => rt.enqueue(o), byLabel(svc, ServingLabels.service), hostRivals(rt)));
  inf.deployment.on(all(byLabel(rev, ServingLabels.revision)));
  inf.podAutoscaler.on(all(byLabel(rev, ServingLabels.revision)));
  inf.pod.on(all(byLabel(rev, ServingLabels.revision)));
  inf.deployment.on(all(byLabel(poolCtl, KzeroLabels.pool)));
  // A claimed pool pod is a claim (at its claimed-at time); a pool-labelled pod without a state was made by a
  // pool-backed Revision's Deployment: a miss.
  const recordDemand = (p: V1Pod): void => {
    const pool = p.metadata?.labels?.[KzeroLabels.pool];
    if (!pool) return;
    const key = `${p.metadata?.namespace}/${pool}`;
    const state = p.metadata?.labels?.[KzeroLabels.poolState];
    const claimedAt = Date.parse(p.metadata?.annotations?.[KzeroAnnotations.claimedAt] ?? '');
    if (state === PoolStates.claimed && Number.isFinite(claimedAt)) demand.record(key, p.metadata?.uid ?? '', 'claim', claimedAt);
    else if (state === undefined) demand.record(key, p.metadata?.uid ?? '', 'miss', Date.parse(String(p.metadata?.creationTimestamp ?? '')) || clock.now());
    poolCtl.enqueueKey(key);
  };
  inf.poolPod.on({ add: recordDemand, update: recordDemand, delete: (p) => poolCtl.enqueueKey(`${p.metadata?.namespace}/${p.metadata?.labels?.[KzeroLabels.pool]}`) });
  inf.podPool.on(all((o) => poolCtl.enqueue(o)));
  const onConfig = (cm: V1ConfigMap, deleted = false): void => {
    if (config.domain.apply(cm, deleted)) for (const r of inf.route.list()) rt.enqueue(r);
    if (config.deployment.apply(cm, deleted) || config.autoscaler.apply(cm, deleted)) for (const r of inf.revision.list()) rev.enqueue(r);
    config.shards.apply(cm, deleted);
  };
  inf.configMap.on({ add: (cm) => onConfig(cm), update: (cm) => onConfig(cm), delete: (cm) => onConfig(cm, true) });

  const informers: Array<{ start(): Promise<void>; stop(): Promise<void> }> = Object.values(inf);
  if (flags.has('assign-shards')) {
    const namespaces = informerFor(clients.namespace, { clock, log });
    informers.push(namespaces);
    for (const kind of ['service', 'configuration', 'route', 'podPool'] as const) {
      const client = clients[kind] as typeof clients.service;
      const unassigned = informerFor(client, { labelSelector: UNASSIGNED, clock, log, resyncMs: 60_000 });
      const ctl = new Controller<Service>({ ...driver, workers: 2, lister: unassigned, client, reconciler: new ShardAssigner<Service>(`${client.type.kind}ShardAssigner`, { client, namespaces, shards: () => config.shards.get() }) });
      unassigned.on(all((o) => ctl.enqueue(o)));
      informers.push(unassigned);
      controllers.push(ctl);
    }
  }

  let ready = false;
  const listen = parseListen(flags.get('metrics-addr') ?? '127.0.0.1:0');
  const server = adminServer(registry, () => ready);
  await new Promise<void>((resolve) => server.listen(listen.port, listen.host, resolve));
  await Promise.all(informers.map((i) => i.start()));
  for (const c of controllers) c.start();
  ready = true;
  log.info('controller: running', { selector, workers, admin: server.address(), poolPublicKeys: poolPublicKeys.ids });

  const stop = (): void => {
    log.info('controller: stopping');
    for (const c of controllers) c.stop();
    void Promise.all(informers.map((i) => i.stop())).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.error('controller: failed', { error: err });
  process.exit(1);
});
