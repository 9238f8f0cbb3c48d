import { randomBytes } from 'node:crypto';
import { access, chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mustRun } from '../host/run.js';
import type { LocalClusterConfig } from '../config.js';

/** A leaf certificate to issue from the local CA. */
export interface CertRequest {
  file: string;
  commonName: string;
  organization?: string;
  usage: 'server' | 'client';
  dnsNames?: string[];
  ips?: string[];
}

/** The certificates of the local cluster (pure: what to issue, not how). */
export function certRequests(config: LocalClusterConfig): CertRequest[] {
  const serviceIp = firstServiceIp(config.serviceCidr);
  return [
    {
      file: 'apiserver',
      commonName: 'kube-apiserver',
      usage: 'server',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ips: ['127.0.0.1', config.bridgeIp, serviceIp],
    },
    { file: 'apiserver-kubelet-client', commonName: 'kube-apiserver-kubelet-client', organization: 'system:masters', usage: 'client' },
    { file: 'kubelet', commonName: `system:node:${config.nodeName}`, usage: 'server', dnsNames: [config.nodeName, 'localhost'], ips: [config.bridgeIp, '127.0.0.1'] },
    { file: 'webhook', commonName: 'kzero-webhook', usage: 'server', dnsNames: ['kzero-webhook.kzero-system.svc', 'localhost'], ips: [config.bridgeIp, '127.0.0.1'] },
  ];
}

/** The first address of the service range: the `kubernetes` Service's ClusterIP. */
export function firstServiceIp(cidr: string): string {
  const [base] = cidr.split('/');
  const parts = (base ?? '').split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p))) throw new Error(`invalid service CIDR ${cidr}`);
  parts[3] = (parts[3] ?? 0) + 1;
  return parts.join('.');
}

export function extensionsFor(req: CertRequest): string {
  const san = [...(req.dnsNames ?? []).map((d) => `DNS:${d}`), ...(req.ips ?? []).map((ip) => `IP:${ip}`)];
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${req.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ...(san.length ? [`subjectAltName=${san.join(',')}`] : []),
  ].join('\n');
}

/**
 * kzero's keys on the local cluster, under the PKI directory: what the Secrets kzero-autoscaler-token and
 * kzero-pool-signing-key and the ConfigMap kzero-pool-public-keys hold on a real one.
 */
export const KzeroKeyFiles = Object.freeze({
  /** The autoscalers' bearer tokens, one a line (activators send the first). */
  autoscalerToken: 'autoscaler-token',
  /** The Ed25519 key the autoscalers sign /specialize requests with: autoscalers only. */
  poolSigningKey: 'pool-signing.key',
  /** Its public half (PEM; more than one while rotating): the controller puts them into pool templates. */
  poolPublicKeys: 'pool-signing.pub',
});

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/**
 * Creates the CA, the leaf certificates, the service-account key pair and the static tokens, once.
 * Keys are EC P-256 (fast to make), files are 0600.
 */
export async function ensurePki(config: LocalClusterConfig): Promise<{ tokensChanged: boolean }> {
  const dir = config.dirs.pki;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const ca = join(dir, 'ca');
  if (!(await exists(`${ca}.crt`))) {
    await mustRun('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '3650', '-subj', '/CN=kzero-local-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  }
  for (const req of certRequests(config)) {
    const base = join(dir, req.file);
    if (await exists(`${base}.crt`)) continue;
    const subject = `/CN=${req.commonName}${req.organization ? `/O=${req.organization}` : ''}`;
    await mustRun('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject]);
    const ext = `${base}.ext`;
    await writeFile(ext, extensionsFor(req));
    await mustRun('openssl', ['x509', '-req', '-in', `${base}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
      '-CAcreateserial', '-days', '825', '-out', `${base}.crt`, '-extfile', ext]);
  }
  const sa = join(dir, 'sa');
  if (!(await exists(`${sa}.pub`))) {
    await mustRun('openssl', ['genrsa', '-out', `${sa}.key`, '2048']);
    await mustRun('openssl', ['rsa', '-in', `${sa}.key`, '-pubout', '-out', `${sa}.pub`]);
  }
  const tokensChanged = await ensureTokens(dir, config);
  // kzero's own keys, one per purpose, made the way manifests/components/kustomization.yaml documents.
  const token = join(dir, KzeroKeyFiles.autoscalerToken);
  if (!(await exists(token))) await writeFile(token, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  const signing = join(dir, KzeroKeyFiles.poolSigningKey);
  if (!(await exists(signing))) await mustRun('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', signing]);
  const publicKeys = join(dir, KzeroKeyFiles.poolPublicKeys);
  if (!(await exists(publicKeys))) await mustRun('openssl', ['pkey', '-in', signing, '-pubout', '-out', publicKeys]);
  await mustRun('sh', ['-c', `chmod 600 '${dir}'/*.key`]);
  return { tokensChanged };
}

/** Identities that authenticate with a static bearer token (kube-apiserver --token-auth-file). */
export interface TokenIdentity {
  /** The kubeconfig file this identity gets, under $KZERO_HOME (admin's is the user's `kubeconfig`). */
  kubeconfig: string;
  user: string;
  groups: string[];
}

export function tokenIdentities(config: LocalClusterConfig): TokenIdentity[] {
  return [
    { kubeconfig: 'kubeconfig', user: 'kzero-admin', groups: ['system:masters'] },
    { kubeconfig: 'pki/controller-manager.kubeconfig', user: 'system:kube-controller-manager', groups: [] },
    { kubeconfig: 'pki/scheduler.kubeconfig', user: 'system:kube-scheduler', groups: [] },
    { kubeconfig: 'pki/node.kubeconfig', user: `system:node:${config.nodeName}`, groups: ['system:nodes'] },
    // kzero's components, as host processes, use their ServiceAccounts' names: manifests/core's RBAC applies.
    ...['controller', 'webhook', 'autoscaler', 'activator'].map((c) => ({
      kubeconfig: `pki/${c}.kubeconfig`,
      user: `system:serviceaccount:kzero-system:kzero-${c}`,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:kzero-system'],
    })),
  ];
}

/** Gives every identity a token, keeping existing ones; true if the file changed (the API server reads it at start). */
async function ensureTokens(dir: string, config: LocalClusterConfig): Promise<boolean> {
  const file = join(dir, 'tokens.csv');
  const existing = (await exists(file)) ? await readFile(file, 'utf8') : '';
  const known = new Set(existing.split('\n').map((l) => l.split(',')[1]).filter(Boolean));
  const added = tokenIdentities(config).filter((id) => !known.has(id.user)).map((id) => {
    const token = randomBytes(24).toString('hex');
    return `${token},${id.user},${id.user},"${id.groups.join(',')}"\n`;
  });
  if (added.length === 0) return false;
  await writeFile(file, existing + added.join(''), { mode: 0o600 });
  await chmod(file, 0o600);
  return true;
}
