import { expect } from 'chai';
import type { Configuration, Revision } from '../../../api/serving/v1/types.js';
import {
  configuration, withAnnotations, withContainerPort, withGeneration, withImage, withLabels, withNamespace, withTemplateAnnotations, withTemplateLabels,
  withTemplateName, withUID,
} from '../../../testing/builders.js';
import { makeRevision } from './resources.js';

const cfgOwner = {
  apiVersion: 'serving.knative.dev/v1', kind: 'Configuration', name: 'foo', uid: 'cfg-uid', controller: true, blockOwnerDeletion: true,
};

/** A Service's Configuration, as makeConfiguration leaves it. */
const ofService = (...opts: Array<(c: Configuration) => void>): Configuration => configuration('foo',
  withNamespace('ns'), withUID('cfg-uid'), withGeneration(3),
  withLabels({ 'serving.knative.dev/service': 'foo', 'serving.knative.dev/serviceUID': 'svc-uid', 'kzero.dev/shard': '1', team: 'a' }),
  withAnnotations({ 'serving.knative.dev/creator': 'alice', 'serving.knative.dev/lastModifier': 'bob', other: 'x' }),
  withImage('img:v3'), withContainerPort(9000),
  ...opts);

describe('configuration/resources makeRevision', () => {
  it('the whole Revision of a Service\'s Configuration', () => {
    const cfg = ofService(withTemplateLabels({ app: 'web' }), withTemplateAnnotations({ 'autoscaling.knative.dev/min-scale': '1' }));
    expect(makeRevision(cfg)).to.deep.equal({
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Revision',
      metadata: {
        name: 'foo-00003',
        namespace: 'ns',
        labels: {
          app: 'web',
          'kzero.dev/shard': '1',
          'serving.knative.dev/configuration': 'foo',
          'serving.knative.dev/configurationGeneration': '3',
          'serving.knative.dev/configurationUID': 'cfg-uid',
          'serving.knative.dev/service': 'foo',
          'serving.knative.dev/serviceUID': 'svc-uid',
        },
        annotations: { 'autoscaling.knative.dev/min-scale': '1', 'serving.knative.dev/creator': 'bob' },
        ownerReferences: [cfgOwner],
      },
      spec: { containers: [{ name: 'user-container', image: 'img:v3', ports: [{ containerPort: 9000 }] }] },
    } satisfies Revision);
  });

  const cases: Array<{ name: string; cfg: Configuration; check: (r: Revision) => void }> = [
    { name: 'name from the generation', cfg: ofService(withGeneration(12)), check: (r) => expect(r.metadata.name).to.equal('foo-00012') },
    { name: 'BYO name', cfg: ofService(withTemplateName('foo-green')), check: (r) => expect(r.metadata.name).to.equal('foo-green') },
    {
      name: 'configurationGeneration follows the generation, also with a BYO name',
      cfg: ofService(withGeneration(5), withTemplateName('foo-green')),
      check: (r) => expect(r.metadata.labels?.['serving.knative.dev/configurationGeneration']).to.equal('5'),
    },
    {
      name: 'creator is the Configuration\'s lastModifier, not its creator',
      cfg: ofService(withAnnotations({ 'serving.knative.dev/lastModifier': 'carol' })),
      check: (r) => expect(r.metadata.annotations).to.deep.equal({ 'serving.knative.dev/creator': 'carol' }),
    },
    {
      name: 'no lastModifier: no creator annotation',
      cfg: configuration('foo', withUID('cfg-uid')),
      check: (r) => expect(r.metadata.annotations).to.deep.equal({}),
    },
    {
      name: 'a Configuration of its own: no service labels, no shard label',
      cfg: configuration('foo', withUID('cfg-uid'), withGeneration(2)),
      check: (r) => expect(r.metadata.labels).to.deep.equal({
        'serving.knative.dev/configuration': 'foo', 'serving.knative.dev/configurationGeneration': '2', 'serving.knative.dev/configurationUID': 'cfg-uid',
      }),
    },
    {
      name: 'template labels cannot override the labels the controller owns',
      cfg: ofService(withTemplateLabels({ 'serving.knative.dev/configuration': 'evil', 'kzero.dev/shard': '9' })),
      check: (r) => {
        expect(r.metadata.labels?.['serving.knative.dev/configuration']).to.equal('foo');
        expect(r.metadata.labels?.['kzero.dev/shard']).to.equal('1');
      },
    },
    {
      name: 'the Configuration\'s own labels and annotations (besides service/shard) are not inherited',
      cfg: ofService(),
      check: (r) => {
        expect(r.metadata.labels).to.not.have.property('team');
        expect(r.metadata.annotations).to.not.have.property('other');
      },
    },
    { name: 'owner reference to the Configuration', cfg: ofService(), check: (r) => expect(r.metadata.ownerReferences).to.deep.equal([cfgOwner]) },
  ];
  for (const c of cases) it(c.name, () => c.check(makeRevision(c.cfg)));

  it('the spec is a copy of the template\'s', () => {
    const cfg = ofService();
    const rev = makeRevision(cfg);
    expect(rev.spec).to.deep.equal(cfg.spec.template.spec);
    rev.spec.containers[0]!.image = 'changed';
    expect(cfg.spec.template.spec.containers[0]?.image).to.equal('img:v3');
  });
});
