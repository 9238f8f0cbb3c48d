// The process node: kzero's node agent. Registers a Node and runs the pods bound to it as local processes,
// each in its own network namespace. This file only wires things together.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoordinationV1Api, CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { realClock } from '../../lib/clock.js';
import { parseFlags, requireFlag } from '../../lib/flags.js';
import { createLogger, parseLevel } from '../../lib/log.js';
import { isNotFound, loadKubeConfig } from '../../lib/kube/client.js';
import { informerFor } from '../../lib/kube/informer.js';
import { Resources } from '../../lib/kube/resources.js';
import { KubeRest } from '../../lib/kube/rest.js';
import { builtinImageTable } from '../images/builtin.js';
import { mergeImageTables, parseImageTableOverrides, type ImageTable } from '../images/table.js';
import { rangeOf } from '../net/ipam.js';
import { KUBELET_BACKOFF } from './pods/backoff.js';
import { PodManager } from './pods/manager.js';
import { prepareContainer } from './pods/prepare.js';
import { kubeletServer } from './kubelet-server.js';
import { NodeHeartbeat, nodeResources } from './registration.js';

const { flags } = parseFlags(process.argv.slice(2));
const log = createLogger('node-agent', { level: parseLevel(process.env.KZERO_LOG_LEVEL) });
const nodeName = requireFlag(flags, 'node-name');
const podCidr = requireFlag(flags, 'pod-cidr');
const pkiDir = requireFlag(flags, 'pki-dir');
const apiserver = new URL(requireFlag(flags, 'apiserver'));
const gateway = `${rangeOf(podCidr).prefix}.0.1`;
const kubeletPort = Number(flags.get('kubelet-port') ?? 10250);
const maxPods = Number(flags.get('max-pods') ?? 500);
const resources = nodeResources(maxPods);
const imageOverrides = flags.get('image-table') ?? join(dirname(requireFlag(flags, 'state-dir')), 'images.json');

const kc = loadKubeConfig(requireFlag(flags, 'kubeconfig'));
const core = kc.makeApiClient(CoreV1Api);
const distDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const appsDir = join(distDir, 'local', 'images', 'apps');
const builtin = builtinImageTable(process.execPath, appsDir, join(distDir, 'runtime', 'main.js'));

/** The built-in table plus $KZERO_HOME/images.json, read at each container start so edits apply at once. */
function imageTable(): ImageTable {
  if (!existsSync(imageOverrides)) return builtin;
  return mergeImageTables(builtin, parseImageTableOverrides(JSON.parse(readFileSync(imageOverrides, 'utf8'))));
}

const orNotFound = <T>(p: Promise<T>): Promise<T | undefined> => p.catch((err: unknown) => (isNotFound(err) ? undefined : Promise.reject(err)));

const pods = new PodManager({
  core,
  clock: realClock,
  log,
  backoff: KUBELET_BACKOFF,
  nodeName,
  bridge: flags.get('bridge') ?? 'kzero0',
  gateway,
  podCidr,
  podLogDir: requireFlag(flags, 'pod-log-dir'),
  stateDir: requireFlag(flags, 'state-dir'),
  prepare: (pod: V1Pod, container, sandbox) => {
    const namespace = pod.metadata?.namespace ?? 'default';
    return prepareContainer(pod, container, imageTable(), {
      podIp: sandbox.podIp, hostIp: gateway, apiserverHost: apiserver.hostname, apiserverPort: Number(apiserver.port || 443), allocatable: resources,
    }, {
      configMap: (name) => orNotFound(core.readNamespacedConfigMap({ name, namespace })),
      secret: (name) => orNotFound(core.readNamespacedSecret({ name, namespace })),
    });
  },
});

const heartbeat = new NodeHeartbeat({
  core, coordination: kc.makeApiClient(CoordinationV1Api), clock: realClock, log,
  facts: { name: nodeName, ip: gateway, podCidr, kubeletPort, maxPods, kubeletVersion: 'v1.20.2' },
});

const podInformer = informerFor((await KubeRest.fromKubeConfig(kc, 4)).resource<V1Pod>(Resources.pod), {
  fieldSelector: `spec.nodeName=${nodeName}`,
  clock: realClock,
  log,
  resyncMs: 30_000,
});
podInformer.on({ add: (p) => pods.upsert(p), update: (p) => pods.upsert(p), delete: (p) => pods.remove(p) });

const server = kubeletServer({
  log,
  cert: readFileSync(join(pkiDir, 'kubelet.crt')),
  key: readFileSync(join(pkiDir, 'kubelet.key')),
  ca: readFileSync(join(pkiDir, 'ca.crt')),
  podLogDir: (namespace, name) => {
    const w = pods.worker(namespace, name);
    return w ? pods.logDir(w.pod) : undefined;
  },
});

async function main(): Promise<void> {
  await pods.cleanLeftovers();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(kubeletPort, gateway, resolve));
  await heartbeat.register();
  await podInformer.start();
  log.info('node-agent: ready', { node: nodeName, kubelet: `${gateway}:${kubeletPort}` });
}

// On SIGTERM the agent exits and leaves pods running, as a kubelet restart does; `kzero down` removes them.
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    heartbeat.stop();
    void podInformer.stop().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  log.error('node-agent: failed to start', { node: nodeName, error: err });
  process.exit(1);
});
