// kzero's admission webhook for serving.knative.dev/v1: defaulting (creator/lastModifier, shard label)
// and validation with messages that name the field. This file only wires.
import { readFileSync } from 'node:fs';
import type { V1ConfigMap, V1Namespace } from '@kubernetes/client-node';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { parseDefaultsConfig } from '../../api/serving/v1/defaults.js';
import type { Revision } from '../../api/serving/v1/types.js';
import { KzeroLabels } from '../../api/serving/labels.js';
import { realClock } from '../../lib/clock.js';
import { parseFlags, requireFlag } from '../../lib/flags.js';
import { adminServer, parseListen } from '../../lib/http-server.js';
import { createLogger, parseLevel } from '../../lib/log.js';
import { loadKubeConfig } from '../../lib/kube/client.js';
import { informerFor } from '../../lib/kube/informer.js';
import { Resources } from '../../lib/kube/resources.js';
import { KubeRest } from '../../lib/kube/rest.js';
import { parseAutoscalerConfig } from '../../api/autoscaling/config-autoscaler.js';
import { ConfigValue, SYSTEM_NAMESPACE } from '../../lib/kube/config-value.js';
import { parseShardsConfig } from '../shards/assign.js';
import { patchCaBundles } from './registration.js';
import { webhookServer } from './server.js';

const { flags } = parseFlags(process.argv.slice(2));
const log = createLogger('webhook', { level: parseLevel(process.env.KZERO_LOG_LEVEL) });
const clock = realClock;
const kc = loadKubeConfig(flags.get('kubeconfig'));

async function main(): Promise<void> {
  const rest = await KubeRest.fromKubeConfig(kc);
  const namespaces = informerFor(rest.resource<V1Namespace>(Resources.namespace), { clock, log });
  const revisions = informerFor(rest.resource<Revision>(Resources.revision), { clock, log });
  const configMaps = informerFor(rest.resource<V1ConfigMap>(Resources.configMap), { namespace: SYSTEM_NAMESPACE, clock, log });
  const config = {
    defaults: new ConfigValue('config-defaults', (d) => parseDefaultsConfig(d ?? {}), log),
    scale: new ConfigValue('config-autoscaler', parseAutoscalerConfig, log),
    shards: new ConfigValue('config-shards', parseShardsConfig, log),
  };
  const onConfig = (cm: V1ConfigMap, deleted = false): void => {
    for (const v of Object.values(config)) v.apply(cm, deleted);
  };
  configMaps.on({ add: (cm) => onConfig(cm), update: (cm) => onConfig(cm), delete: (cm) => onConfig(cm, true) });

  const server = webhookServer({
    cert: readFileSync(requireFlag(flags, 'tls-cert')),
    key: readFileSync(requireFlag(flags, 'tls-key')),
    log,
    deps: {
      defaults: () => config.defaults.get(),
      validation: () => ({
        allowZeroInitialScale: config.scale.get().allowZeroInitialScale,
        maxScaleLimit: config.scale.get().maxScaleLimit,
        maxRevisionTimeoutSeconds: config.defaults.get().maxRevisionTimeoutSeconds,
        containerConcurrencyMaxLimit: config.defaults.get().containerConcurrencyMaxLimit,
        allowContainerConcurrencyZero: config.defaults.get().allowContainerConcurrencyZero,
      }),
      revisionExists: (namespace, name) => revisions.get(name, namespace) !== undefined,
      namespaceShard: (namespace) => namespaces.get(namespace)?.metadata?.labels?.[KzeroLabels.shard],
      shardCount: () => config.shards.get().count,
    },
  });
  await Promise.all([namespaces.start(), revisions.start(), configMaps.start()]);
  const listen = parseListen(flags.get('listen') ?? '0.0.0.0:8443');
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(listen.port, listen.host, resolve));
  const caBundle = flags.get('ca-bundle');
  if (caBundle) await patchCaBundles(rest, readFileSync(caBundle), log);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const admin = adminServer(registry, () => true);
  const adminListen = parseListen(flags.get('metrics-addr') ?? '127.0.0.1:0');
  admin.listen(adminListen.port, adminListen.host);
  log.info('webhook: serving', { listen: flags.get('listen') ?? '0.0.0.0:8443' });

  const stop = (): void => {
    server.close();
    admin.close();
    void Promise.all([namespaces.stop(), revisions.stop(), configMaps.stop()]).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  log.error('webhook: failed', { error: err });
  process.exit(1);
});
