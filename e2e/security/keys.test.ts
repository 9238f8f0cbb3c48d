import type { V1Deployment } from '@kubernetes/client-node';
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

// Keys per purpose in what ships (manifests/components/): each Secret is mounted only where it is needed, and
// the internet-facing activator holds nothing that signs pool claims. A static check of the install.

const COMPONENTS = fileURLToPath(new URL('../../../manifests/components/', import.meta.url));

/** Per Deployment: the Secrets and ConfigMaps its pods can read (volumes, env, envFrom), and its args. */
function credentials(): Record<string, { secrets: string[]; configMaps: string[]; args: string[] }> {
  const out: Record<string, { secrets: string[]; configMaps: string[]; args: string[] }> = {};
  for (const file of readdirSync(COMPONENTS).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(COMPONENTS, file), 'utf8'))) {
      const d = doc.toJS() as V1Deployment;
      if (d?.kind !== 'Deployment') continue;
      const spec = d.spec!.template.spec!;
      const containers = [...spec.containers, ...(spec.initContainers ?? [])];
      const env = containers.flatMap((c) => c.env ?? []);
      const envFrom = containers.flatMap((c) => c.envFrom ?? []);
      const secrets = [
        ...(spec.volumes ?? []).flatMap((v) => [v.secret?.secretName, ...(v.projected?.sources ?? []).map((s) => s.secret?.name)]),
        ...env.map((e) => e.valueFrom?.secretKeyRef?.name), ...envFrom.map((e) => e.secretRef?.name),
      ];
      const configMaps = [
        ...(spec.volumes ?? []).flatMap((v) => [v.configMap?.name, ...(v.projected?.sources ?? []).map((s) => s.configMap?.name)]),
        ...env.map((e) => e.valueFrom?.configMapKeyRef?.name), ...envFrom.map((e) => e.configMapRef?.name),
      ];
      const defined = (xs: Array<string | undefined>): string[] => xs.filter((x): x is string => x !== undefined).sort();
      out[d.metadata!.name!] = { secrets: defined(secrets), configMaps: defined(configMaps), args: containers.flatMap((c) => c.args ?? []) };
    }
  }
  return out;
}

describe('security: keys per purpose in the install (manifests/components/)', () => {
  it('each Secret is mounted only where it is needed; the controller holds none, the activator only the bearer token', () => {
    const got = credentials();
    expect(Object.fromEntries(Object.entries(got).map(([name, c]) => [name, { secrets: c.secrets, configMaps: c.configMaps }]))).to.deep.equal({
      'kzero-activator': { secrets: ['kzero-autoscaler-token'], configMaps: [] },
      'kzero-autoscaler-0': { secrets: ['kzero-autoscaler-token', 'kzero-pool-signing-key'], configMaps: [] },
      'kzero-controller-0': { secrets: [], configMaps: ['kzero-pool-public-keys'] },
      'kzero-webhook': { secrets: ['kzero-webhook-certs'], configMaps: [] },
    });
    // Only the autoscalers are given the signing key's file.
    const signers = Object.entries(got).filter(([, c]) => c.args.some((a) => a.startsWith('--pool-signing-key-file='))).map(([name]) => name);
    expect(signers).to.deep.equal(['kzero-autoscaler-0']);
  });
});
