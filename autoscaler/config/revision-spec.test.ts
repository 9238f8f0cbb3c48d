import { expect } from 'chai';
import { parseAutoscalerConfig } from '../../api/autoscaling/config-autoscaler.js';
import { revisionScalingSpec, type ScalingSpec } from './revision-spec.js';

const A = 'autoscaling.knative.dev/';
const config = parseAutoscalerConfig(undefined);

describe('autoscaler/config revisionScalingSpec', () => {
  it('takes the config when there are no annotations', () => {
    const s = revisionScalingSpec(config, undefined, 0, false);
    expect(s).to.deep.equal({
      metric: 'concurrency',
      aggregation: 'linear',
      target: 70,
      total: 100,
      targetUtilization: 0.7,
      targetBurstCapacity: 211,
      activatorCapacity: 100,
      stableWindowMs: 60_000,
      panicWindowPercentage: 10,
      panicWindowMs: 6_000,
      panicThreshold: 2,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      minScale: 0,
      maxScale: 0,
      initialScale: 1,
      activationScale: 1,
      scaleDownDelayMs: 0,
      enableScaleToZero: true,
      scaleToZeroGracePeriodMs: 30_000,
      scaleToZeroPodRetentionPeriodMs: 0,
    } satisfies ScalingSpec);
    expect(Object.isFrozen(s)).to.equal(true);
  });

  // Knative's ResolveMetricTarget: total from containerConcurrency / target annotation / default, times utilization.
  const targets: Array<{ name: string; anns?: Record<string, string>; cc: number; target: number; total: number }> = [
    { name: 'containerConcurrency 10: 10 * 70%', cc: 10, target: 7, total: 10 },
    { name: 'containerConcurrency 1: 0.7', cc: 1, target: 0.7, total: 1 },
    { name: 'unlimited: the default 100 * 70%', cc: 0, target: 70, total: 100 },
    { name: 'target annotation, unlimited', anns: { [`${A}target`]: '20' }, cc: 0, target: 14, total: 20 },
    { name: 'target annotation capped at containerConcurrency', anns: { [`${A}target`]: '20' }, cc: 10, target: 7, total: 10 },
    { name: 'target annotation below containerConcurrency', anns: { [`${A}target`]: '5' }, cc: 10, target: 3.5, total: 5 },
    { name: 'utilization annotation', anns: { [`${A}target-utilization-percentage`]: '50' }, cc: 10, target: 5, total: 10 },
    { name: 'target 1 at 100%', anns: { [`${A}target`]: '1', [`${A}target-utilization-percentage`]: '100' }, cc: 0, target: 1, total: 1 },
    { name: 'rps default: 200 * 70%', anns: { [`${A}metric`]: 'rps' }, cc: 10, target: 140, total: 200 },
    { name: 'rps target annotation is not capped by containerConcurrency', anns: { [`${A}metric`]: 'rps', [`${A}target`]: '100' }, cc: 10, target: 70, total: 100 },
    { name: 'never below 0.01', anns: { [`${A}target`]: '0.001' }, cc: 0, target: 0.01, total: 0.001 },
  ];
  for (const c of targets) {
    it(`target: ${c.name}`, () => {
      const s = revisionScalingSpec(config, c.anns, c.cc, false);
      expect(s.target).to.be.closeTo(c.target, 1e-9);
      expect(s.total).to.equal(c.total);
    });
  }

  it('container-concurrency-target-percentage from the config applies to concurrency, not rps', () => {
    const c = parseAutoscalerConfig({ 'container-concurrency-target-percentage': '50' });
    expect(revisionScalingSpec(c, undefined, 10, false).target).to.equal(5);
    expect(revisionScalingSpec(c, { [`${A}metric`]: 'rps' }, 10, false).target).to.be.closeTo(140, 1e-9);
  });

  const overrides: Array<{ name: string; anns: Record<string, string>; cfg?: Record<string, string>; want: Partial<ScalingSpec> }> = [
    { name: 'window', anns: { [`${A}window`]: '30s' }, want: { stableWindowMs: 30_000, panicWindowMs: 3_000 } },
    { name: 'panic window percentage', anns: { [`${A}panic-window-percentage`]: '20' }, want: { panicWindowPercentage: 20, panicWindowMs: 12_000 } },
    { name: 'panic window rounds to a second', anns: { [`${A}window`]: '7s', [`${A}panic-window-percentage`]: '30' }, want: { panicWindowMs: 2_000 } },
    { name: 'panic window at least 1s', anns: { [`${A}window`]: '6s', [`${A}panic-window-percentage`]: '1' }, want: { panicWindowMs: 1_000 } },
    { name: 'panic threshold', anns: { [`${A}panic-threshold-percentage`]: '300' }, want: { panicThreshold: 3 } },
    { name: 'min and max scale', anns: { [`${A}min-scale`]: '2', [`${A}max-scale`]: '9' }, want: { minScale: 2, maxScale: 9 } },
    { name: 'legacy alias minScale', anns: { [`${A}minScale`]: '3' }, want: { minScale: 3 } },
    { name: 'min scale from the config', anns: {}, cfg: { 'min-scale': '1', 'max-scale': '4' }, want: { minScale: 1, maxScale: 4 } },
    { name: 'annotation beats config', anns: { [`${A}max-scale`]: '2' }, cfg: { 'max-scale': '4' }, want: { maxScale: 2 } },
    { name: 'initial scale', anns: { [`${A}initial-scale`]: '5' }, want: { initialScale: 5 } },
    { name: 'initial scale 0 not allowed: config', anns: { [`${A}initial-scale`]: '0' }, want: { initialScale: 1 } },
    { name: 'initial scale 0 allowed', anns: { [`${A}initial-scale`]: '0' }, cfg: { 'allow-zero-initial-scale': 'true' }, want: { initialScale: 0 } },
    { name: 'scale-down delay', anns: { [`${A}scale-down-delay`]: '2m' }, want: { scaleDownDelayMs: 120_000 } },
    { name: 'activation scale', anns: { [`${A}activation-scale`]: '3' }, want: { activationScale: 3 } },
    { name: 'pod retention', anns: { [`${A}scale-to-zero-pod-retention-period`]: '90s' }, want: { scaleToZeroPodRetentionPeriodMs: 90_000 } },
    { name: 'target burst capacity', anns: { [`${A}target-burst-capacity`]: '-1' }, want: { targetBurstCapacity: -1 } },
    { name: 'weighted exponential', anns: { [`${A}metric-aggregation-algorithm`]: 'weightedExponential' }, want: { aggregation: 'weighted-exponential' } },
    { name: 'an unparsable value falls back to the config', anns: { [`${A}window`]: 'soon', [`${A}min-scale`]: 'two' }, want: { stableWindowMs: 60_000, minScale: 0 } },
    { name: 'config knobs', anns: {}, cfg: { 'enable-scale-to-zero': 'false', 'scale-to-zero-grace-period': '10s', 'max-scale-up-rate': '3' }, want: { enableScaleToZero: false, scaleToZeroGracePeriodMs: 10_000, maxScaleUpRate: 3 } },
  ];
  for (const c of overrides) {
    it(`override: ${c.name}`, () => {
      const s = revisionScalingSpec(parseAutoscalerConfig(c.cfg), c.anns, 0, false);
      expect(s).to.include(c.want);
    });
  }

  it('a pool-backed revision starts at 0 (api/autoscaling/initial-scale.ts)', () => {
    expect(revisionScalingSpec(config, undefined, 0, true).initialScale).to.equal(0);
    expect(revisionScalingSpec(config, { [`${A}initial-scale`]: '2' }, 0, true).initialScale).to.equal(2);
  });
});
