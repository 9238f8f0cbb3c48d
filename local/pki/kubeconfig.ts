import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import { apiserverUrl, type LocalClusterConfig } from '../config.js';
import { tokenIdentities } from './certs.js';

/** A kubeconfig with the CA inlined and a bearer token, so it works from any directory. */
export function renderKubeconfig(server: string, caPem: string, user: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kzero', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: 'kzero', context: { cluster: 'kzero', user, namespace: 'default' } }],
    'current-context': 'kzero',
  });
}

/** Parses kube-apiserver's token file: `token,user,uid,"groups"` per line. */
export function parseTokens(csv: string): Map<string, string> {
  const byUser = new Map<string, string>();
  for (const line of csv.split('\n')) {
    const [token, user] = line.split(',');
    if (token && user) byUser.set(user, token);
  }
  return byUser;
}

/** (Re)writes each identity's kubeconfig from the token file; cheap, so done on every `up`. */
export async function writeKubeconfigs(config: LocalClusterConfig): Promise<void> {
  const ca = await readFile(join(config.dirs.pki, 'ca.crt'), 'utf8');
  const tokens = parseTokens(await readFile(join(config.dirs.pki, 'tokens.csv'), 'utf8'));
  for (const id of tokenIdentities(config)) {
    const token = tokens.get(id.user);
    if (!token) throw new Error(`no token for ${id.user} in ${join(config.dirs.pki, 'tokens.csv')}`);
    const file = join(config.home, id.kubeconfig);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, renderKubeconfig(apiserverUrl(config), ca, id.user, token), { mode: 0o600 });
  }
}
