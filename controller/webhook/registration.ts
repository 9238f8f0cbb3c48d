import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../lib/log.js';
import { isNotFound } from '../../lib/kube/client.js';
import type { KubeRest } from '../../lib/kube/rest.js';

/** Both webhook configurations carry this name (manifests/webhook.yaml, or the local cluster's). */
export const WEBHOOK_CONFIGURATION = 'kzero-webhook';

const TYPES = [
  { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false },
];

type WebhookConfiguration = KubernetesObject & { webhooks?: Array<{ clientConfig?: { caBundle?: string } }> };

/** Puts the CA that signed our serving certificate into both configurations, so the API server trusts us. */
export async function patchCaBundles(rest: KubeRest, ca: Buffer, log: Logger): Promise<void> {
  const caBundle = ca.toString('base64');
  for (const type of TYPES) {
    const client = rest.resource<WebhookConfiguration>(type);
    let current: WebhookConfiguration;
    try {
      current = await client.get(undefined, WEBHOOK_CONFIGURATION);
    } catch (err) {
      if (isNotFound(err)) {
        log.warn('webhook: configuration not installed, nothing to patch', { kind: type.kind, name: WEBHOOK_CONFIGURATION });
        continue;
      }
      throw err;
    }
    const ops = (current.webhooks ?? []).flatMap((w, i) => (w.clientConfig?.caBundle === caBundle ? [] : [{ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle }]));
    if (ops.length) await client.patch(undefined, WEBHOOK_CONFIGURATION, ops, 'json');
  }
}
