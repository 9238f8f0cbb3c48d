// kzero's autoscaler, one per shard: takes load stats and pokes from the activators, runs Knative's KPA
// decider per revision, scales Deployments and writes PodAutoscaler status. This file only wires.
import { readFileSync } from 'node:fs';
import type { V1ConfigMap, V1Deployment, V1Pod } from '@kubernetes/client-node';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PodAutoscaler } from '../api/kzero/v1alpha1/types.js';
import { KzeroLabels, ServingLabels } from '../api/serving/labels.js';
import { realClock } from '../lib/clock.js';
import { parseFlags, requireFlag } from '../lib/flags.js';
import { adminServer, parseListen } from '../lib/http-server.js';
import { createLogger, parseLevel } from '../lib/log.js';
import { loadKubeConfig } from '../lib/kube/client.js';
import { informerFor } from '../lib/kube/informer.js';
import { Resources } from '../lib/kube/resources.js';
import { KubeRest } from '../lib/kube/rest.js';
import { ConfigValue, SYSTEM_NAMESPACE } from '../controller/config/store.js';
import { parseAutoscalerConfig, revisionScalingSpec } from './config/config.js';
import { Decider, pokeFromZero } from './scaling/decider.js';
import { Scaler } from './scaler.js';
import { autoscalerServer } from './server.js';

const { flags } = parseFlags(process.argv.slice(2));
const shard = requireFlag(flags, 'shard');
const log = createLogger('autoscaler', { level: parseLevel(process.env.KZERO_LOG_LEVEL) }).with({ shard });
const clock = realClock;
const kc = loadKubeConfig(flags.get('kubeconfig'));
const token = readFileSync(requireFlag(flags, 'token-file'), 'utf8').trim();
const tickMs = Number(flags.get('tick-ms') ?? 1000);

async function main(): Promise<void> {
  const rest = await KubeRest.fromKubeConfig(kc);
  const selector = `${KzeroLabels.shard}=${shard}`;
  const paClient = rest.resource<PodAutoscaler>(Resources.podAutoscaler);
  const deploymentClient = rest.resource<V1Deployment>(Resources.deployment);
  const pas = informerFor(kc, paClient, { labelSelector: selector, clock, log });
  const deployments = informerFor(kc, deploymentClient, { labelSelector: selector, clock, log });
  const pods = informerFor(kc, rest.resource<V1Pod>(Resources.pod), { labelSelector: `${selector},${ServingLabels.revision}`, clock, log });
  const configMaps = informerFor(kc, rest.resource<V1ConfigMap>(Resources.configMap), { namespace: SYSTEM_NAMESPACE, clock, log });
  const config = new ConfigValue('config-autoscaler', parseAutoscalerConfig, log);
  configMaps.on({ add: (cm) => config.apply(cm), update: (cm) => config.apply(cm), delete: (cm) => config.apply(cm, true) });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const desiredPods = new Gauge({ name: 'kzero_autoscaler_desired_pods', help: 'Pods the autoscaler wants, by revision.', labelNames: ['namespace', 'revision'], registers: [registry] });
  const actualPods = new Gauge({ name: 'kzero_autoscaler_actual_pods', help: 'Ready pods, by revision.', labelNames: ['namespace', 'revision'], registers: [registry] });
  const panic = new Gauge({ name: 'kzero_autoscaler_panic_mode', help: '1 while a revision is in panic mode.', labelNames: ['namespace', 'revision'], registers: [registry] });

  const specOf = (pa: PodAutoscaler) => revisionScalingSpec(config.get(), pa.metadata.annotations, pa.spec.containerConcurrency ?? 0);
  const scaler = new Scaler({
    clock, log, podAutoscalers: pas, deployments, pods, paClient, deploymentClient,
    newDecider: (pa) => new Decider(specOf(pa), { now: clock.now() }),
    pokeScale: (pa) => pokeFromZero(specOf(pa)),
    onDecision: (pa, desired, actual, panicking) => {
      const labels = { namespace: pa.metadata.namespace ?? '', revision: pa.metadata.name ?? '' };
      desiredPods.set(labels, desired);
      actualPods.set(labels, actual);
      panic.set(labels, panicking ? 1 : 0);
    },
  });
  pas.on({ delete: (pa) => scaler.forget(pa) });

  await Promise.all([pas.start(), deployments.start(), pods.start(), configMaps.start()]);
  const server = autoscalerServer({ stats: (s) => scaler.stats(s), poke: (ns, rev) => scaler.poke(ns, rev) }, token, log);
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
  log.info('autoscaler: running', { listen: `${listen.host}:${listen.port}` });

  const stop = (): void => {
    clearInterval(timer);
    server.close();
    admin.close();
    void Promise.all([pas.stop(), deployments.stop(), pods.stop(), configMaps.stop()]).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.error('autoscaler: failed', { error: err });
  process.exit(1);
});
