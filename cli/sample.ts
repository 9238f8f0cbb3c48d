import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { findCondition } from '../api/conditions.js';
import type { Service } from '../api/serving/v1/types.js';
import { waitFor } from '../lib/errors.js';
import { KubeRest } from '../lib/kube/rest.js';
import { Resources } from '../lib/kube/resources.js';
import type { LocalClusterConfig } from '../local/config.js';
import { ACTIVATOR_PORT } from '../local/controlplane/kzero.js';
import { kubectl } from '../local/kubectl.js';

const SAMPLE = fileURLToPath(new URL('../../local/samples/helloworld.yaml', import.meta.url));

/** Applies the hello world Knative Service and returns its URL through the activator once it is Ready. */
export async function deploySample(config: LocalClusterConfig, kc: KubeConfig): Promise<string> {
  const applied = await kubectl(config, ['apply', '-f', '-'], await readFile(SAMPLE, 'utf8'));
  if (applied.code !== 0) throw new Error(`deploying the sample: ${applied.stderr.trim()}`);
  const rest = await KubeRest.fromKubeConfig(kc);
  const services = rest.resource<Service>(Resources.service);
  const url = await waitFor('the sample Service to be Ready', async () => {
    const svc = await services.get('default', 'hello');
    return svc.status?.observedGeneration === svc.metadata.generation && findCondition(svc.status, 'Ready')?.status === 'True' ? svc.status?.url : undefined;
  }, { timeoutMs: 90_000, intervalMs: 200 });
  await rest.close();
  return `${url}:${ACTIVATOR_PORT}`;
}
