import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import type { LocalClusterConfig } from '../config.js';
import { kubectl } from '../kubectl.js';
import { KzeroKeyFiles } from '../pki/certs.js';
import type { Component } from './components.js';

// kzero itself on the local cluster: manifests/core applied with kubectl, the webhook registered by URL on
// the bridge address, and the components run as host processes (the fast dev loop; the same binaries a
// real cluster runs as pods).

const MANIFESTS = fileURLToPath(new URL('../../../manifests/', import.meta.url));
const DIST = fileURLToPath(new URL('../../', import.meta.url));

export const WEBHOOK_PORT = 8443;
export const CONTROLLER_METRICS_PORT = 9090;
export const AUTOSCALER_PORT = 8099;
export const ACTIVATOR_PORT = Number(process.env.KZERO_ACTIVATOR_PORT || 8080);
/** The activator's cluster-local listener: every host, cluster-local Routes included (the public one serves only published hosts). */
export const ACTIVATOR_LOCAL_PORT = Number(process.env.KZERO_ACTIVATOR_LOCAL_PORT || 8081);
export const ACTIVATOR_ADMIN_PORT = 9091;

/**
 * The shard autoscaler as the activator finds it: Service `autoscaler-<shard>` in kzero-system, its
 * Endpoints pointing at the host process on the bridge address. Pure.
 */
export function autoscalerEndpoints(shard: string, ip: string): string {
  const name = `autoscaler-${shard}`;
  return stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'kzero-system', labels: { 'app.kubernetes.io/name': 'kzero', 'kzero.dev/shard': shard } }, spec: { ports: [{ name: 'http', port: AUTOSCALER_PORT, targetPort: AUTOSCALER_PORT }] } })
    + '---\n'
    + stringify({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'kzero-system' }, subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: AUTOSCALER_PORT }] }] });
}

interface WebhookDoc {
  kind?: string;
  webhooks?: Array<{ clientConfig?: { service?: { path?: string }; url?: string; caBundle?: string } }>;
}

/** manifests/webhook.yaml's two configurations, pointed at the local webhook by URL with the local CA. Pure. */
export function localWebhookConfigurations(manifest: string, url: string, caPem: string): string {
  const docs = parseAllDocuments(manifest).map((d) => d.toJS() as WebhookDoc).filter((d) => d?.kind?.endsWith('WebhookConfiguration'));
  if (docs.length !== 2) throw new Error(`manifests/webhook.yaml: want a Validating and a Mutating WebhookConfiguration, found ${docs.length}`);
  for (const doc of docs) {
    for (const w of doc.webhooks ?? []) {
      const path = w.clientConfig?.service?.path ?? '/';
      w.clientConfig = { url: `${url}${path}`, caBundle: Buffer.from(caPem).toString('base64') };
    }
  }
  return docs.map((d) => stringify(d)).join('---\n');
}

export async function installKzero(config: LocalClusterConfig): Promise<void> {
  const core = await kubectl(config, ['apply', '-k', join(MANIFESTS, 'core')]);
  if (core.code !== 0) throw new Error(`kubectl apply -k manifests/core: ${core.stderr.trim()}`);
  const ca = await readFile(join(config.dirs.pki, 'ca.crt'), 'utf8');
  const webhooks = localWebhookConfigurations(await readFile(join(MANIFESTS, 'webhook.yaml'), 'utf8'), `https://${config.bridgeIp}:${WEBHOOK_PORT}`, ca);
  const applied = await kubectl(config, ['apply', '-f', '-'], webhooks + '---\n' + autoscalerEndpoints('0', config.bridgeIp));
  if (applied.code !== 0) throw new Error(`applying the local webhook configurations and autoscaler endpoints: ${applied.stderr.trim()}`);
}

export function kzeroComponents(c: LocalClusterConfig): Component[] {
  const pki = (f: string): string => join(c.dirs.pki, f);
  return [
    {
      name: 'kzero-webhook',
      argv: [process.execPath, join(DIST, 'controller/webhook/main.js'), `--kubeconfig=${pki('webhook.kubeconfig')}`,
        `--tls-cert=${pki('webhook.crt')}`, `--tls-key=${pki('webhook.key')}`, `--ca-bundle=${pki('ca.crt')}`,
        `--listen=${c.bridgeIp}:${WEBHOOK_PORT}`],
    },
    {
      name: 'kzero-controller-0',
      argv: [process.execPath, join(DIST, 'controller/main.js'), `--kubeconfig=${pki('controller.kubeconfig')}`,
        '--shard=0', '--assign-shards', `--metrics-addr=127.0.0.1:${CONTROLLER_METRICS_PORT}`, `--pool-public-keys-file=${pki(KzeroKeyFiles.poolPublicKeys)}`],
    },
    {
      name: 'kzero-autoscaler-0',
      argv: [process.execPath, join(DIST, 'autoscaler/main.js'), `--kubeconfig=${pki('autoscaler.kubeconfig')}`,
        '--shard=0', `--listen=${c.bridgeIp}:${AUTOSCALER_PORT}`, `--token-file=${pki(KzeroKeyFiles.autoscalerToken)}`,
        `--pool-signing-key-file=${pki(KzeroKeyFiles.poolSigningKey)}`],
    },
    {
      name: 'kzero-activator',
      argv: [process.execPath, join(DIST, 'activator/main.js'), `--kubeconfig=${pki('activator.kubeconfig')}`,
        `--listen=127.0.0.1:${ACTIVATOR_PORT}`, `--listen-cluster-local=127.0.0.1:${ACTIVATOR_LOCAL_PORT}`, `--admin-addr=127.0.0.1:${ACTIVATOR_ADMIN_PORT}`, `--token-file=${pki(KzeroKeyFiles.autoscalerToken)}`],
    },
  ];
}
