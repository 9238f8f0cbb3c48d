// kzero's autoscaler, one per shard: takes load stats and pokes from the activators, runs Knative's KPA
// decider per revision, scales Deployments and writes PodAutoscaler status. This file only wires.
import { readFileSync } from 'node:fs';
import type { V1ConfigMap, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PodAutoscaler, PodPool } from '../api/kzero/v1alpha1/types.js';
import { KzeroLabels, PoolStates, ServingLabels } from '../api/serving/labels.js';
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
import { SigningKey } from '../lib/specialize-signature.js';
import { ConfigValue, SYSTEM_NAMESPACE } from '../lib/kube/config-value.js';
import { parseAutoscalerConfig } from '../api/autoscaling/config-autoscaler.js';
import { poolCode } from '../api/kzero/v1alpha1/pool.js';
import { revisionScalingSpec } from './config/revision-spec.js';
import { parsePoolConfig } from './config/pool.js';
import { httpSpecialize, PoolClaimer } from './pool/claimer.js';
import { Decider, pokeFromZero } from './scaling/decider.js';
import { Scaler } from './scaler.js';
import { autoscalerServer } from './server.js';
import { isPodReady } from '../lib/kube/pods.js';

const { flags } = parseFlags(process.argv.slice(2));
const shard = requireFlag(flags, 'shard');
const log = createLogger('autoscaler', { level: parseLevel(process.env.KZERO_LOG_LEVEL) }).with({ shard });
const clock = realClock;
const kc = loadKubeConfig(flags.get('kubeconfig'));
// The bearer tokens activators send to /stats and /poke (Secret kzero-autoscaler-token), any one of them.
const tokenFile = requireFlag(flags, 'token-file');
const tokens = parseBearerTokens(readFileSync(tokenFile, 'utf8'), tokenFile);
// The Ed25519 key /specialize requests are signed with (Secret kzero-pool-signing-key); only autoscalers hold it.
const signingKeyFile = requireFlag(flags, 'pool-signing-key-file');
const signingKey = SigningKey.fromPem(readFileSync(signingKeyFile, 'utf8'), signingKeyFile);
const tickMs = Number(flags.get('tick-ms') ?? 1000);

async function main(): Promise<void> {
  const rest = await KubeRest.fromKubeConfig(kc);
  const selector = `${KzeroLabels.shard}=${shard}`;
  const paClient = rest.resource<PodAutoscaler>(Resources.podAutoscaler);
  const deploymentClient = rest.resource<V1Deployment>(Resources.deployment);
  const pas = informerFor(paClient, { labelSelector: selector, clock, log });
  const deployments = informerFor(deploymentClient, { labelSelector: selector, clock, log });
  const pods = informerFor(rest.resource<V1Pod>(Resources.pod), { labelSelector: `${selector},${ServingLabels.revision}`, clock, log });
  const revisions = informerFor(rest.resource<Revision>(Resources.revision), { labelSelector: selector, clock, log });
  // Pools and their warm pods in every shard: a pool serves the Revisions of its namespace, whatever their shard.
  const podPools = informerFor(rest.resource<PodPool>(Resources.podPool), { clock, log });
  const podClient = rest.resource<V1Pod>(Resources.pod);
  const warmPods = informerFor(podClient, { labelSelector: `${KzeroLabels.poolState}=${PoolStates.warm}`, clock, log });
  const configMaps = informerFor(rest.resource<V1ConfigMap>(Resources.configMap), { namespace: SYSTEM_NAMESPACE, clock, log });
  const config = new ConfigValue('config-autoscaler', parseAutoscalerConfig, log);
  const poolConfig = new ConfigValue('config-pool', parsePoolConfig, log);
  let scaler: Scaler | undefined;
  const onConfig = (cm: V1ConfigMap, deleted = false): void => {
    if (config.apply(cm, deleted)) scaler?.configChanged();
    poolConfig.apply(cm, deleted);
  };
  configMaps.on({ add: (cm) => onConfig(cm), update: (cm) => onConfig(cm), delete: (cm) => onConfig(cm, true) });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const desiredPods = new Gauge({ name: 'kzero_autoscaler_desired_pods', help: 'Pods the autoscaler wants, by revision.', labelNames: ['namespace', 'revision'], registers: [registry] });
  const actualPods = new Gauge({ name: 'kzero_autoscaler_actual_pods', help: 'Ready pods, by revision.', labelNames: ['namespace', 'revision'], registers: [registry] });
  const panic = new Gauge({ name: 'kzero_autoscaler_panic_mode', help: '1 while a revision is in panic mode.', labelNames: ['namespace', 'revision'], registers: [registry] });

  const claims = new Counter({ name: 'kzero_pool_claims_total', help: 'Warm pods claimed and specialized, by pool.', labelNames: ['namespace', 'pool'], registers: [registry] });
  const misses = new Counter({ name: 'kzero_pool_misses_total', help: 'Pods a pool-backed Revision needed and no warm pod gave (empty, unfit, code, error): the Deployment path served them.', labelNames: ['namespace', 'pool', 'reason'], registers: [registry] });
  const specialize = new Histogram({ name: 'kzero_pool_claim_seconds', help: 'From the claim patch to the runtime answering /specialize (code loaded), by pool.', labelNames: ['namespace', 'pool'], buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5], registers: [registry] });
  new Gauge({
    name: 'kzero_pool_ready_pods', help: 'Warm pods Ready to be claimed, by pool.', labelNames: ['namespace', 'pool'], registers: [registry],
    collect() {
      this.reset();
      const count = new Map<string, number>();
      for (const p of warmPods.list()) {
        if (!isPodReady(p)) continue;
        const k = `${p.metadata?.namespace}/${p.metadata?.labels?.[KzeroLabels.pool]}`;
        count.set(k, (count.get(k) ?? 0) + 1);
      }
      for (const [k, n] of count) {
        const [namespace, pool] = k.split('/');
        this.set({ namespace, pool }, n);
      }
    },
  });
  const claimer = new PoolClaimer({
    clock, log, pools: podPools, warmPods, podClient, specialize: httpSpecialize({ key: signingKey, now: () => clock.now() }), random: Math.random,
    metrics: {
      claimed: (ns, pool, seconds) => {
        claims.inc({ namespace: ns, pool });
        specialize.observe({ namespace: ns, pool }, seconds);
      },
      missed: (ns, pool, reason) => misses.inc({ namespace: ns, pool, reason }),
    },
  });

  // A PodAutoscaler is named after its Revision; the Revision says whether it is pool-backed.
  const poolBacked = (pa: PodAutoscaler): boolean => {
    const rev = revisions.get(pa.metadata.name ?? '', pa.metadata.namespace);
    return rev !== undefined && poolCode(rev) !== undefined;
  };
  const specOf = (pa: PodAutoscaler) => revisionScalingSpec(config.get(), pa.metadata.annotations, pa.spec.containerConcurrency ?? 0, poolBacked(pa));
  scaler = new Scaler({
    clock, log, podAutoscalers: pas, deployments, pods, paClient, deploymentClient, podClient,
    pool: { revisions, claimer, enabled: () => poolConfig.get().enabled },
    newDecider: (pa) => new Decider(specOf(pa), { now: clock.now() }),
    specOf,
    pokeScale: (pa) => pokeFromZero(specOf(pa)),
    onDecision: (pa, desired, actual, panicking) => {
      const labels = { namespace: pa.metadata.namespace ?? '', revision: pa.metadata.name ?? '' };
      desiredPods.set(labels, desired);
      actualPods.set(labels, actual);
      panic.set(labels, panicking ? 1 : 0);
    },
  });
  pas.on({ delete: (pa) => scaler.forget(pa) });

  const informers = [pas, deployments, pods, revisions, podPools, warmPods, configMaps];
  await Promise.all(informers.map((i) => i.start()));
  const server = autoscalerServer({ stats: (s) => scaler.stats(s), poke: (ns, rev) => scaler.poke(ns, rev) }, tokens, log);
  const listen = parseListen(flags.get('listen') ?? '0.0.0.0:8099');
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(listen.port, listen.host, resolve));
  const admin = adminServer(registry, () => true);
  const adminListen = parseListen(flags.get('metrics-addr') ?? '127.0.0.1:0');
  admin.listen(adminListen.port, adminListen.host);
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow round is not stacked on itself
    running = true;
    void scaler.tick().finally(() => (running = false));
  }, tickMs);
  log.info('autoscaler: running', { listen: `${listen.host}:${listen.port}`, bearerTokens: tokens.length, signingKey: signingKey.keyId });

  const stop = (): void => {
    clearInterval(timer);
    server.close();
    admin.close();
    void Promise.all(informers.map((i) => i.stop())).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.error('autoscaler: failed', { error: err });
  process.exit(1);
});
