import { expect } from 'chai';
import { parseAutoscalerConfig } from './config-autoscaler.js';
import { initialScale } from './initial-scale.js';

const ANN = 'autoscaling.knative.dev/initial-scale';

describe('api/autoscaling initialScale', () => {
  const cases: Array<{ name: string; cfg?: Record<string, string>; ann?: string; poolBacked?: boolean; want: number }> = [
    { name: 'no annotation: config-autoscaler initial-scale', cfg: { 'initial-scale': '3' }, want: 3 },
    { name: 'no annotation, default config: 1', want: 1 },
    { name: 'the annotation', ann: '5', want: 5 },
    { name: 'annotation 0 without allow-zero-initial-scale: the config', ann: '0', cfg: { 'initial-scale': '2' }, want: 2 },
    { name: 'annotation 0 with allow-zero-initial-scale', ann: '0', cfg: { 'allow-zero-initial-scale': 'true' }, want: 0 },
    { name: 'config 0 with allow-zero-initial-scale', cfg: { 'allow-zero-initial-scale': 'true', 'initial-scale': '0' }, want: 0 },
    { name: 'annotation that does not parse: the config', ann: '1.5', cfg: { 'initial-scale': '2' }, want: 2 },
    { name: 'negative annotation: the config', ann: '-1', want: 1 },
    { name: 'pool-backed, no annotation: 0 without allow-zero-initial-scale', poolBacked: true, cfg: { 'initial-scale': '3' }, want: 0 },
    { name: 'pool-backed with an annotation: the annotation', poolBacked: true, ann: '2', want: 2 },
    { name: 'pool-backed, annotation 0 not allowed: still 0', poolBacked: true, ann: '0', want: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const anns = c.ann === undefined ? undefined : { [ANN]: c.ann };
      expect(initialScale(parseAutoscalerConfig(c.cfg), anns, c.poolBacked ?? false)).to.equal(c.want);
    });
  }

  it('reads the legacy initialScale key as Knative does', () =>
    expect(initialScale(parseAutoscalerConfig(undefined), { 'autoscaling.knative.dev/initialScale': '4' }, false)).to.equal(4));
});
