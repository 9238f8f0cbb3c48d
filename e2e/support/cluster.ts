import { randomBytes } from 'node:crypto';
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { waitFor } from '../../lib/errors.js';
import { loadKubeConfig } from '../../lib/kube/client.js';
import { localClusterConfig } from '../../local/config.js';
import { kubectl as runKubectl } from '../../local/kubectl.js';
import { join } from 'node:path';

// What e2e tests share: the local cluster's config, its kubectl, an API client, and a namespace per test.

export const config = localClusterConfig();
export const kc = loadKubeConfig(join(config.home, 'kubeconfig'));
export const core = kc.makeApiClient(CoreV1Api);

/** Runs kubectl and returns its stdout; throws with stderr if it fails. */
export async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await runKubectl(config, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** kubectl that is expected to fail: returns its stderr, throws if it succeeded. */
export async function kubectlFails(args: string[], input?: string): Promise<string> {
  const r = await runKubectl(config, args, input);
  if (r.code === 0) throw new Error(`kubectl ${args.join(' ')} succeeded, expected a failure: ${r.stdout.trim()}`);
  return r.stderr;
}

/** Creates a fresh namespace for one test; `cleanup` deletes it and waits until it is gone. */
export async function testNamespace(prefix: string): Promise<{ name: string; cleanup: () => Promise<void> }> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kubectl(['create', 'namespace', name]);
  // Pods are admitted only once the namespace's default service account has its token.
  await waitForValue(`service account token in ${name}`, async () => {
    const sa = await core.readNamespacedServiceAccount({ name: 'default', namespace: name }).catch(() => undefined);
    return (sa?.secrets?.length ?? 0) > 0 ? true : undefined;
  }, 30_000);
  // A test may have deleted its namespace itself.
  return { name, cleanup: async () => void (await kubectl(['delete', 'namespace', name, '--wait=false', '--ignore-not-found'])) };
}

export function waitForValue<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  return waitFor(what, check, { timeoutMs, intervalMs });
}

export { isPodReady as isReady } from '../../lib/kube/pods.js';

export async function listPods(namespace: string, labelSelector?: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
  return list.items;
}
