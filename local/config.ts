import { join } from 'node:path';
import { kzeroCache, kzeroHome } from '../lib/paths.js';

/** The local cluster's fixed layout: addresses, ports and files. Built once from the environment, frozen. */
export interface LocalClusterConfig {
  home: string;
  kubernetesVersion: string;
  /** Directory holding kube-apiserver, kube-controller-manager, kube-scheduler and kubectl. */
  binDir: string;
  nodeName: string;
  /** Pods get addresses from this /16; the bridge takes the first one, and the API server listens there too. */
  podCidr: string;
  bridgeName: string;
  bridgeIp: string;
  serviceCidr: string;
  etcdClientPort: number;
  etcdPeerPort: number;
  apiserverPort: number;
  /** The node agent's kubelet API (logs), on the bridge address. */
  kubeletPort: number;
  dirs: { pki: string; logs: string; run: string; etcd: string; node: string; podLogs: string };
}

const KUBERNETES_VERSION = '1.20.2';
// Bumped when the build itself changes (patches), so that a stale cache is rebuilt.
const BUILD_REVISION = 'kzero2';

export function localClusterConfig(env: NodeJS.ProcessEnv = process.env): LocalClusterConfig {
  const home = env.KZERO_HOME || kzeroHome();
  const octets = (env.KZERO_POD_CIDR_PREFIX || '10.244').split('.');
  if (octets.length !== 2 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255)) {
    throw new Error(`KZERO_POD_CIDR_PREFIX=${env.KZERO_POD_CIDR_PREFIX}: want the first two octets of a /16, e.g. 10.244`);
  }
  const prefix = octets.join('.');
  return Object.freeze({
    home,
    kubernetesVersion: KUBERNETES_VERSION,
    binDir: env.KZERO_KUBE_BIN || join(kzeroCache(), `kubernetes-${KUBERNETES_VERSION}-${BUILD_REVISION}`),
    nodeName: env.KZERO_NODE_NAME || 'kzero-node',
    podCidr: `${prefix}.0.0/16`,
    bridgeName: 'kzero0',
    bridgeIp: `${prefix}.0.1`,
    serviceCidr: '10.96.0.0/16',
    etcdClientPort: port(env.KZERO_ETCD_PORT, 12379),
    etcdPeerPort: port(env.KZERO_ETCD_PEER_PORT, 12380),
    apiserverPort: port(env.KZERO_APISERVER_PORT, 6443),
    kubeletPort: port(env.KZERO_KUBELET_PORT, 10250),
    dirs: Object.freeze({
      pki: join(home, 'pki'),
      logs: join(home, 'logs'),
      run: join(home, 'run'),
      etcd: join(home, 'etcd'),
      node: join(home, 'node'),
      podLogs: join(home, 'logs', 'pods'),
    }),
  });
}

function port(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid port ${JSON.stringify(value)}`);
  return n;
}

export function apiserverUrl(config: LocalClusterConfig): string {
  return `https://${config.bridgeIp}:${config.apiserverPort}`;
}
