import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { waitFor } from '../lib/errors.js';
import type { LocalClusterConfig } from '../local/config.js';
import { kubectl } from '../local/kubectl.js';

const SAMPLE = fileURLToPath(new URL('../../local/samples/helloworld.yaml', import.meta.url));

/** Deploys the sample app and returns the URL it answers on once a pod of it is Ready. */
export async function deploySample(config: LocalClusterConfig, kc: KubeConfig): Promise<string> {
  const applied = await kubectl(config, ['apply', '-f', '-'], await readFile(SAMPLE, 'utf8'));
  if (applied.code !== 0) throw new Error(`deploying the sample: ${applied.stderr.trim()}`);
  const core = kc.makeApiClient(CoreV1Api);
  const ip = await waitFor('the sample pod to be Ready', async () => {
    const pods = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=helloworld' });
    const ready = pods.items.find((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    return ready?.status?.podIP;
  }, { timeoutMs: 60_000, intervalMs: 200 });
  return `http://${ip}:8080`;
}
