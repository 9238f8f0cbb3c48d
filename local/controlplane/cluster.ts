import { readFile, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../../lib/errors.js';
import { apiserverUrl, type LocalClusterConfig } from '../config.js';
import { ensureDebianPackages, requireRoot, RUNTIME_PACKAGES } from '../host/packages.js';
import { ensureKubernetesBinaries } from '../host/kubernetes.js';
import { ensurePki } from '../pki/certs.js';
import { writeKubeconfigs } from '../pki/kubeconfig.js';
import { deleteBridge, ensureBridge } from '../net/bridge.js';
import { deleteNetns, listKzeroNetns } from '../net/netns.js';
import { loadKubeConfig } from '../../lib/kube/client.js';
import { components, type Component } from './components.js';
import { readDaemon, startDaemon, stopDaemon } from './daemon.js';
import { ACTIVATOR_ADMIN_PORT, ACTIVATOR_PORT, AUTOSCALER_PORT, CONTROLLER_METRICS_PORT, installKzero, kzeroComponents, WEBHOOK_PORT } from './kzero.js';
import { healthy } from './health.js';

// The node agent's entry point, compiled beside this file's folder.
const NODE_MAIN = fileURLToPath(new URL('../node/main.js', import.meta.url));

export type Say = (line: string) => void;

/**
 * Brings the local cluster up and returns once it can run pods: API server ready, node Ready, the default
 * service account usable. Idempotent: what already runs is reused, only what is missing is started.
 */
export async function up(config: LocalClusterConfig, say: Say): Promise<KubeConfig> {
  requireRoot('the local cluster (network namespaces, a bridge, apt-get)');
  await ensureDebianPackages(RUNTIME_PACKAGES, say);
  await ensureKubernetesBinaries(config.binDir, say);
  const { tokensChanged } = await ensurePki(config);
  // The API server reads its token file only at start: new identities need a restart.
  if (tokensChanged && (await stopDaemon(config.dirs.run, 'kube-apiserver'))) say('restarting kube-apiserver for new component identities');
  await writeKubeconfigs(config);
  await ensureBridge(config.bridgeName, config.bridgeIp);
  const ca = await readFile(join(config.dirs.pki, 'ca.crt'));

  const readiness: Record<string, () => Promise<true | undefined>> = {
    etcd: () => healthy(`http://127.0.0.1:${config.etcdClientPort}/health`),
    'kube-apiserver': () => healthy(`${apiserverUrl(config)}/readyz`, { ca }),
    'kube-controller-manager': () => healthy('https://127.0.0.1:10257/healthz', { insecure: true }),
    'kube-scheduler': () => healthy('https://127.0.0.1:10259/healthz', { insecure: true }),
    'node-agent': () => healthy(`https://${config.bridgeIp}:${config.kubeletPort}/healthz`, { ca }),
    'kzero-webhook': () => healthy(`https://${config.bridgeIp}:${WEBHOOK_PORT}/healthz`, { ca }),
    'kzero-controller-0': () => healthy(`http://127.0.0.1:${CONTROLLER_METRICS_PORT}/readyz`),
    'kzero-autoscaler-0': () => healthy(`http://${config.bridgeIp}:${AUTOSCALER_PORT}/healthz`),
    'kzero-activator': () => healthy(`http://127.0.0.1:${ACTIVATOR_ADMIN_PORT}/readyz`),
  };
  /** Starts what is missing of a wave at once, then waits until all of it is healthy. Returns what it started. */
  const wave = async (members: Component[]): Promise<Set<string>> => {
    const started = new Set<string>();
    for (const c of members) if (await ensureRunning(config, c, say)) started.add(c.name);
    await Promise.all(members.map((c) => {
      const ready = readiness[c.name];
      return ready && waitFor(`${c.name} to be healthy (log: ${logOf(config, c.name)})`, ready, { timeoutMs: 60_000, intervalMs: 100 });
    }));
    return started;
  };
  const all = components(config, NODE_MAIN);
  // etcd with the API server (which retries etcd until it answers), then everything that talks to the API
  // server, then, once the node runs pods and kzero's manifests are in, kzero itself.
  await wave(all.filter((c) => c.name === 'etcd' || c.name === 'kube-apiserver'));
  const secondWave = Date.now();
  const agentStarted = (await wave(all.filter((c) => c.name !== 'etcd' && c.name !== 'kube-apiserver'))).has('node-agent') ? secondWave : 0;

  const kc = loadKubeConfig(join(config.home, 'kubeconfig'));
  const core = kc.makeApiClient(CoreV1Api);
  // The Node's Ready in etcd may be stale from before a restart: wait for a heartbeat from this agent.
  const since = Math.floor(agentStarted / 1000) * 1000;
  await waitFor(`node ${config.nodeName} to be Ready (log: ${logOf(config, 'node-agent')})`, async () => {
    const node = await core.readNode({ name: config.nodeName });
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
    return ready && new Date(ready.lastHeartbeatTime ?? 0).getTime() >= since ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 100 });
  // Pods are admitted only once their namespace's default service account has its token.
  await waitFor('the default service account token', async () => {
    const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
    return (sa.secrets?.length ?? 0) > 0 ? true : undefined;
  }, { timeoutMs: 60_000, intervalMs: 200 });

  await installKzero(config);
  await wave(kzeroComponents(config));
  return kc;
}

/** Every host process of the local cluster, in start order. */
function allComponents(config: LocalClusterConfig): Component[] {
  return [...components(config, NODE_MAIN), ...kzeroComponents(config)];
}

/** Starts the component unless it runs; true if it was started. */
async function ensureRunning(config: LocalClusterConfig, component: Component, say: Say): Promise<boolean> {
  if (await readDaemon(config.dirs.run, component.name)) return false;
  const port = portOf(config, component.name);
  if (port !== undefined && (await portInUse(port))) {
    throw new Error(`${component.name}: port ${port} is taken by a process kzero did not start; stop it or set the port (see README)`);
  }
  say(`starting ${component.name}`);
  await startDaemon({ name: component.name, argv: component.argv, runDir: config.dirs.run, logDir: config.dirs.logs, env: { ...process.env, ...component.env } });
  return true;
}

function portOf(config: LocalClusterConfig, name: string): number | undefined {
  return ({ etcd: config.etcdClientPort, 'kube-apiserver': config.apiserverPort, 'node-agent': config.kubeletPort, 'kzero-controller-0': CONTROLLER_METRICS_PORT, 'kzero-activator': ACTIVATOR_PORT } as Record<string, number>)[name];
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

const logOf = (config: LocalClusterConfig, name: string): string => join(config.dirs.logs, `${name}.log`);

/**
 * Stops everything `up` started, in reverse order, then every pod process, network namespace and the
 * bridge. With `purge`, also deletes the cluster's state (etcd data, certificates); the build cache stays.
 */
export async function down(config: LocalClusterConfig, say: Say, purge = false): Promise<void> {
  requireRoot('stopping the local cluster');
  const all = allComponents(config).reverse();
  // kzero first, then the node agent, so that nothing restarts the pods we are about to kill.
  for (const c of all) {
    if (await stopDaemon(config.dirs.run, c.name)) say(`stopped ${c.name}`);
  }
  const namespaces = await listKzeroNetns();
  for (const ns of namespaces) await deleteNetns(ns);
  if (namespaces.length) say(`removed ${namespaces.length} pod network namespace(s) and their processes`);
  await deleteBridge(config.bridgeName);
  if (purge) {
    await rm(config.home, { recursive: true, force: true });
    say(`deleted ${config.home}`);
  }
}

export interface ComponentStatus {
  name: string;
  pid?: number;
  running: boolean;
  log: string;
}

export async function status(config: LocalClusterConfig): Promise<ComponentStatus[]> {
  const out: ComponentStatus[] = [];
  for (const c of allComponents(config)) {
    const record = await readDaemon(config.dirs.run, c.name);
    out.push({ name: c.name, running: record !== undefined, log: logOf(config, c.name), ...(record ? { pid: record.pid } : {}) });
  }
  return out;
}
