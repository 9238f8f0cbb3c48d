import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';
import { autoscalerEndpoints, localWebhookConfigurations } from './kzero.js';

const manifest = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: kzero-webhook }
webhooks:
  - name: validation.serving.kzero.dev
    clientConfig: { service: { namespace: kzero-system, name: kzero-webhook, path: /validate, port: 443 } }
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: kzero-webhook }
webhooks:
  - name: defaulting.serving.kzero.dev
    clientConfig: { service: { namespace: kzero-system, name: kzero-webhook, path: /default, port: 443 } }
---
apiVersion: v1
kind: Service
metadata: { name: kzero-webhook, namespace: kzero-system }
`;

describe('local kzero install', () => {
  it('points the webhook configurations at the local URL with the local CA, keeping each path', () => {
    const out = parseAllDocuments(localWebhookConfigurations(manifest, 'https://10.244.0.1:8443', 'PEM')).map((d) => d.toJS() as { kind: string; webhooks: Array<{ clientConfig: unknown }> });
    expect(out.map((d) => d.kind)).to.deep.equal(['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
    expect(out[0]?.webhooks[0]?.clientConfig).to.deep.equal({ url: 'https://10.244.0.1:8443/validate', caBundle: Buffer.from('PEM').toString('base64') });
    expect(out[1]?.webhooks[0]?.clientConfig).to.deep.equal({ url: 'https://10.244.0.1:8443/default', caBundle: Buffer.from('PEM').toString('base64') });
  });

  it('refuses a webhook manifest without both configurations', () => {
    expect(() => localWebhookConfigurations('kind: Service\\n', 'https://x', 'PEM')).to.throw(/want a Validating and a Mutating/);
  });

  it('publishes the shard autoscaler as autoscaler-<shard> with Endpoints on the host', () => {
    const docs = parseAllDocuments(autoscalerEndpoints('0', '10.244.0.1')).map((d) => d.toJS() as { kind: string; metadata: { name: string }; subsets?: Array<{ addresses: Array<{ ip: string }>; ports: Array<{ port: number }> }> });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).to.deep.equal(['Service/autoscaler-0', 'Endpoints/autoscaler-0']);
    expect(docs[1]?.subsets?.[0]?.addresses[0]?.ip).to.equal('10.244.0.1');
    expect(docs[1]?.subsets?.[0]?.ports[0]?.port).to.equal(8099);
  });
});
