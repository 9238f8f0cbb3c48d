import { expect } from 'chai';
import { configuration, revision, service, withGeneration, withTemplateName } from '../../testing/builders.js';
import { configurationName, deploymentName, podAutoscalerName, revisionName, routeName } from './names.js';

describe('reconciler/names', () => {
  const revisions: Array<{ name: string; cfg: ReturnType<typeof configuration>; want: string }> = [
    { name: 'generation 1', cfg: configuration('foo'), want: 'foo-00001' },
    { name: 'generation 42', cfg: configuration('foo', withGeneration(42)), want: 'foo-00042' },
    { name: 'five digits', cfg: configuration('foo', withGeneration(99999)), want: 'foo-99999' },
    { name: 'past five digits, no truncation', cfg: configuration('foo', withGeneration(123456)), want: 'foo-123456' },
    { name: 'no generation counts as 1', cfg: configuration('foo', (c) => void delete c.metadata.generation), want: 'foo-00001' },
    { name: 'BYO name wins over the generation', cfg: configuration('foo', withGeneration(7), withTemplateName('foo-blue')), want: 'foo-blue' },
    { name: 'empty BYO name falls back to the generation', cfg: configuration('foo', withGeneration(3), withTemplateName('')), want: 'foo-00003' },
  ];
  for (const c of revisions) it(`revisionName: ${c.name}`, () => expect(revisionName(c.cfg)).to.equal(c.want));

  const children: Array<{ name: string; got: string; want: string }> = [
    { name: 'configurationName is the Service name', got: configurationName(service('hello')), want: 'hello' },
    { name: 'routeName is the Service name', got: routeName(service('hello')), want: 'hello' },
    { name: 'deploymentName', got: deploymentName(revision('hello-00001')), want: 'hello-00001-deployment' },
    { name: 'podAutoscalerName is the Revision name', got: podAutoscalerName(revision('hello-00001')), want: 'hello-00001' },
  ];
  for (const c of children) it(c.name, () => expect(c.got).to.equal(c.want));
});
