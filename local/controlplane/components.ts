import { join } from 'node:path';
import { apiserverUrl, type LocalClusterConfig } from '../config.js';

/** One host process of the local cluster: its name (pid and log file) and command line. Pure. */
export interface Component {
  name: string;
  argv: string[];
  /** Added to the environment it starts with. */
  env?: Record<string, string>;
}

export function etcd(c: LocalClusterConfig): Component {
  return {
    name: 'etcd',
    argv: ['etcd', '--name', 'kzero', '--data-dir', c.dirs.etcd,
      '--listen-client-urls', `http://127.0.0.1:${c.etcdClientPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${c.etcdClientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${c.etcdPeerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${c.etcdPeerPort}`,
      '--initial-cluster', `kzero=http://127.0.0.1:${c.etcdPeerPort}`,
      // A dev cluster: fewer fsyncs' worth of snapshots, and no 2 GiB default quota surprise.
      '--snapshot-count', '10000', '--quota-backend-bytes', String(4 * 1024 ** 3),
      '--log-level', 'warn', '--logger', 'zap'],
  };
}

export function apiserver(c: LocalClusterConfig): Component {
  const pki = (f: string): string => join(c.dirs.pki, f);
  return {
    name: 'kube-apiserver',
    argv: [join(c.binDir, 'kube-apiserver'),
      `--etcd-servers=http://127.0.0.1:${c.etcdClientPort}`,
      // Listen on the bridge address: reachable from the host and from pods, not from other machines.
      `--bind-address=${c.bridgeIp}`, `--advertise-address=${c.bridgeIp}`, `--secure-port=${c.apiserverPort}`,
      '--insecure-port=0',
      `--tls-cert-file=${pki('apiserver.crt')}`, `--tls-private-key-file=${pki('apiserver.key')}`,
      `--client-ca-file=${pki('ca.crt')}`,
      `--token-auth-file=${pki('tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      '--enable-admission-plugins=NodeRestriction',
      `--service-cluster-ip-range=${c.serviceCidr}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki('sa.pub')}`, `--service-account-signing-key-file=${pki('sa.key')}`,
      `--kubelet-client-certificate=${pki('apiserver-kubelet-client.crt')}`,
      `--kubelet-client-key=${pki('apiserver-kubelet-client.key')}`,
      `--kubelet-certificate-authority=${pki('ca.crt')}`,
      '--kubelet-preferred-address-types=InternalIP',
      // Profiling stays on (kube-apiserver's default; only cluster admins may read /debug/pprof): the
      // control-plane bench's bottleneck is read from its CPU profile.
      '--allow-privileged=true', '--profiling=true', '--enable-bootstrap-token-auth=false',
      '--event-ttl=1h', '--v=1'],
    // Memory is plentiful here and the API server's garbage collector is a large share of its CPU under
    // load: collect less often (measured with bench/control-plane.ts).
    env: { GOGC: '400' },
  };
}

export function controllerManager(c: LocalClusterConfig): Component {
  const kubeconfig = join(c.dirs.pki, 'controller-manager.kubeconfig');
  return {
    name: 'kube-controller-manager',
    argv: [join(c.binDir, 'kube-controller-manager'),
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', '--secure-port=10257', '--port=0', '--leader-elect=false',
      `--service-account-private-key-file=${join(c.dirs.pki, 'sa.key')}`, `--root-ca-file=${join(c.dirs.pki, 'ca.crt')}`,
      '--use-service-account-credentials=true', `--cluster-cidr=${c.podCidr}`, `--service-cluster-ip-range=${c.serviceCidr}`,
      // The defaults (20 QPS) make the Deployment, ReplicaSet and garbage collectors the bottleneck with
      // 1,000s of Revisions; the API server on this machine takes far more.
      '--kube-api-qps=300', '--kube-api-burst=500',
      '--profiling=false', '--v=1'],
  };
}

export function scheduler(c: LocalClusterConfig): Component {
  const kubeconfig = join(c.dirs.pki, 'scheduler.kubeconfig');
  return {
    name: 'kube-scheduler',
    argv: [join(c.binDir, 'kube-scheduler'),
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', '--secure-port=10259', '--port=0', '--leader-elect=false', '--profiling=false',
      '--kube-api-qps=300', '--kube-api-burst=500', '--v=1'],
  };
}

export function nodeAgent(c: LocalClusterConfig, nodeMain: string): Component {
  return {
    name: 'node-agent',
    argv: [process.execPath, nodeMain,
      `--kubeconfig=${join(c.dirs.pki, 'node.kubeconfig')}`,
      `--node-name=${c.nodeName}`,
      `--state-dir=${c.dirs.node}`,
      `--pod-log-dir=${c.dirs.podLogs}`,
      `--pki-dir=${c.dirs.pki}`,
      `--bridge=${c.bridgeName}`,
      `--pod-cidr=${c.podCidr}`,
      `--kubelet-port=${c.kubeletPort}`,
      `--apiserver=${apiserverUrl(c)}`],
  };
}

/** Start order; `down` stops them in reverse. */
export function components(c: LocalClusterConfig, nodeMain: string): Component[] {
  return [etcd(c), apiserver(c), controllerManager(c), scheduler(c), nodeAgent(c, nodeMain)];
}
