import { expect } from 'chai';
import type { Service, TrafficTarget } from '../../../api/serving/v1/types.js';
import {
  service, withAnnotations, withContainerPort, withImage, withLabels, withNamespace, withTemplateAnnotations, withTemplateName, withTraffic, withUID,
} from '../../../testing/builders.js';
import { makeConfiguration, makeRoute, routeTraffic } from './resources.js';

const svcOwner = {
  apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'foo', uid: 'svc-uid', controller: true, blockOwnerDeletion: true,
};

/** A Service as a user (and the webhook) leaves it: shard label, kubectl's annotation, user info. */
const base = (...opts: Array<(s: Service) => void>): Service => service('foo',
  withNamespace('ns'), withUID('svc-uid'),
  withLabels({ 'kzero.dev/shard': '2', team: 'a' }),
  withAnnotations({ 'kubectl.kubernetes.io/last-applied-configuration': '{"big":"json"}', 'serving.knative.dev/creator': 'alice', 'serving.knative.dev/lastModifier': 'bob' }),
  withImage('gcr.io/x/app:v1'), withContainerPort(9000),
  ...opts);

const wantLabels = {
  'kzero.dev/shard': '2', team: 'a', 'serving.knative.dev/service': 'foo', 'serving.knative.dev/serviceUID': 'svc-uid',
};
const wantAnnotations = { 'serving.knative.dev/creator': 'alice', 'serving.knative.dev/lastModifier': 'bob' };

describe('service/resources', () => {
  describe('makeConfiguration', () => {
    it('the whole Configuration: labels (shard inherited), annotations without last-applied, owner, template', () => {
      const svc = base(withTemplateAnnotations({ 'autoscaling.knative.dev/min-scale': '1' }));
      expect(makeConfiguration(svc)).to.deep.equal({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Configuration',
        metadata: { name: 'foo', namespace: 'ns', labels: wantLabels, annotations: wantAnnotations, ownerReferences: [svcOwner] },
        spec: {
          template: {
            metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '1' } },
            spec: { containers: [{ name: 'user-container', image: 'gcr.io/x/app:v1', ports: [{ containerPort: 9000 }] }] },
          },
        },
      });
    });

    const labelCases: Array<{ name: string; svc: Service; want: Record<string, string> }> = [
      { name: 'no labels: only service and serviceUID', svc: service('foo', withUID('u')), want: { 'serving.knative.dev/service': 'foo', 'serving.knative.dev/serviceUID': 'u' } },
      {
        name: 'a user label cannot override the service label',
        svc: service('foo', withUID('u'), withLabels({ 'serving.knative.dev/service': 'evil' })),
        want: { 'serving.knative.dev/service': 'foo', 'serving.knative.dev/serviceUID': 'u' },
      },
      {
        name: 'visibility label is inherited (cluster-local)',
        svc: service('foo', withUID('u'), withLabels({ 'networking.knative.dev/visibility': 'cluster-local' })),
        want: { 'networking.knative.dev/visibility': 'cluster-local', 'serving.knative.dev/service': 'foo', 'serving.knative.dev/serviceUID': 'u' },
      },
    ];
    for (const c of labelCases) it(`labels: ${c.name}`, () => expect(makeConfiguration(c.svc).metadata.labels).to.deep.equal(c.want));

    it('no annotations but last-applied: empty annotations', () => {
      const svc = service('foo', withAnnotations({ 'kubectl.kubernetes.io/last-applied-configuration': '{}' }));
      expect(makeConfiguration(svc).metadata.annotations).to.deep.equal({});
    });

    it('the template is a copy: changing the Configuration leaves the Service alone', () => {
      const svc = base(withTemplateName('foo-v1'));
      const cfg = makeConfiguration(svc);
      cfg.spec.template.spec.containers[0]!.image = 'changed';
      cfg.spec.template.metadata!.name = 'changed';
      expect(svc.spec.template.spec.containers[0]?.image).to.equal('gcr.io/x/app:v1');
      expect(svc.spec.template.metadata?.name).to.equal('foo-v1');
    });
  });

  describe('routeTraffic', () => {
    const cases: Array<{ name: string; traffic: TrafficTarget[] | undefined; want: TrafficTarget[] }> = [
      { name: 'no traffic: 100% to the latest revision of the Service\'s Configuration', traffic: undefined, want: [{ latestRevision: true, percent: 100, configurationName: 'foo' }] },
      { name: 'empty traffic: the same default', traffic: [], want: [{ latestRevision: true, percent: 100, configurationName: 'foo' }] },
      {
        name: 'latest and pinned split; only latestRevision targets get configurationName',
        traffic: [{ latestRevision: true, percent: 80 }, { revisionName: 'foo-00001', latestRevision: false, percent: 20 }],
        want: [{ latestRevision: true, percent: 80, configurationName: 'foo' }, { revisionName: 'foo-00001', latestRevision: false, percent: 20 }],
      },
      {
        name: 'tags kept, urls stripped',
        traffic: [
          { tag: 'current', latestRevision: true, percent: 100, url: 'http://current-foo.ns.example.com' },
          { tag: 'old', revisionName: 'foo-00001', latestRevision: false, percent: 0, url: 'http://old-foo.ns.example.com' },
        ],
        want: [
          { tag: 'current', latestRevision: true, percent: 100, configurationName: 'foo' },
          { tag: 'old', revisionName: 'foo-00001', latestRevision: false, percent: 0 },
        ],
      },
      {
        name: 'a target naming the Configuration is pointed at the Service\'s own',
        traffic: [{ configurationName: 'elsewhere', latestRevision: true, percent: 100 }],
        want: [{ configurationName: 'foo', latestRevision: true, percent: 100 }],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const svc = c.traffic === undefined ? base() : base(withTraffic(...c.traffic));
        const before = structuredClone(svc.spec.traffic);
        expect(routeTraffic(svc)).to.deep.equal(c.want);
        expect(svc.spec.traffic, 'the Service is not changed').to.deep.equal(before);
      });
    }
  });

  describe('makeRoute', () => {
    it('the whole Route', () => {
      const svc = base(withTraffic({ tag: 'a', latestRevision: true, percent: 50, url: 'http://x' }, { revisionName: 'foo-00001', latestRevision: false, percent: 50 }));
      expect(makeRoute(svc)).to.deep.equal({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Route',
        metadata: { name: 'foo', namespace: 'ns', labels: wantLabels, annotations: wantAnnotations, ownerReferences: [svcOwner] },
        spec: { traffic: [{ tag: 'a', latestRevision: true, percent: 50, configurationName: 'foo' }, { revisionName: 'foo-00001', latestRevision: false, percent: 50 }] },
      });
    });

    it('default traffic', () => {
      expect(makeRoute(base()).spec).to.deep.equal({ traffic: [{ latestRevision: true, percent: 100, configurationName: 'foo' }] });
    });
  });
});
