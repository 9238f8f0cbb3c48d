import { expect } from 'chai';
import {
  AutoscalingAnnotationAliases,
  AutoscalingAnnotations,
  AutoscalingDefaults,
  KNOWN_AUTOSCALING_KEYS,
  parseAutoscalingAnnotations,
  validateAutoscalingAnnotations,
  validateHasNoAutoscalingAnnotation,
  type AutoscalingValidationOptions,
} from './annotations.js';
import { MINUTE, SECOND } from './duration.js';

const A = 'autoscaling.knative.dev/';
const P = 'metadata.annotations.autoscaling.knative.dev/';

describe('autoscaling annotations', () => {
  it('knows Knative keys and their aliases', () => {
    expect(AutoscalingAnnotations.minScale).to.equal(`${A}min-scale`);
    expect(AutoscalingAnnotationAliases.minScale).to.deep.equal([`${A}min-scale`, `${A}minScale`]);
    expect(AutoscalingAnnotationAliases.maxScale).to.deep.equal([`${A}max-scale`, `${A}maxScale`]);
    expect(AutoscalingAnnotationAliases.initialScale).to.deep.equal([`${A}initial-scale`, `${A}initialScale`]);
    expect(AutoscalingAnnotationAliases.targetUtilizationPercentage).to.deep.equal([`${A}target-utilization-percentage`, `${A}targetUtilizationPercentage`]);
    expect(AutoscalingAnnotationAliases.window).to.deep.equal([`${A}window`]);
    expect(KNOWN_AUTOSCALING_KEYS.size).to.equal(25);
  });

  it("has Knative's config-autoscaler defaults", () => {
    expect(AutoscalingDefaults).to.include({
      class: 'kpa.autoscaling.knative.dev',
      metric: 'concurrency',
      containerConcurrencyTargetDefault: 100,
      targetUtilizationPercentage: 70,
      window: 60 * SECOND,
      panicWindowPercentage: 10,
      panicThresholdPercentage: 200,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      initialScale: 1,
      scaleToZeroGracePeriod: 30 * SECOND,
      targetBurstCapacity: 211,
      rpsTargetDefault: 200,
    });
    expect(Object.isFrozen(AutoscalingDefaults)).to.equal(true);
  });

  describe('parseAutoscalingAnnotations', () => {
    it('types only the annotations that are set', () => {
      expect(parseAutoscalingAnnotations(undefined)).to.deep.equal({ values: {} });
      expect(
        parseAutoscalingAnnotations({
          [`${A}class`]: 'kpa.autoscaling.knative.dev',
          [`${A}minScale`]: '1',
          [`${A}max-scale`]: '10',
          [`${A}target`]: '50.5',
          [`${A}window`]: '1m30s',
          [`${A}initial-scale`]: '0',
          'example.com/other': 'x',
        }),
      ).to.deep.equal({
        values: { class: 'kpa.autoscaling.knative.dev', minScale: 1, maxScale: 10, target: 50.5, window: 90 * SECOND, initialScale: 0 },
      });
    });

    it('reports values that do not parse, and leaves them out', () => {
      const r = parseAutoscalingAnnotations({ [`${A}min-scale`]: 'one', [`${A}window`]: '60', [`${A}target`]: ' 1', [`${A}scale-down-delay`]: '5m' });
      expect(r.values).to.deep.equal({ scaleDownDelay: 5 * MINUTE });
      expect(r.error?.toString()).to.equal(`invalid value:  1: ${A}target\ninvalid value: 60: ${A}window\ninvalid value: one: ${A}min-scale`);
    });
  });

  describe('validateAutoscalingAnnotations', () => {
    const opts: AutoscalingValidationOptions = { allowZeroInitialScale: false };
    const cases: Array<{ name: string; anns: Record<string, string>; opts?: Partial<AutoscalingValidationOptions>; want: string }> = [
      { name: 'none', anns: {}, want: '' },
      {
        name: 'every key, valid',
        anns: {
          [`${A}class`]: 'kpa.autoscaling.knative.dev',
          [`${A}metric`]: 'rps',
          [`${A}target`]: '50',
          [`${A}target-utilization-percentage`]: '80',
          [`${A}target-burst-capacity`]: '-1',
          [`${A}window`]: '2m',
          [`${A}min-scale`]: '1',
          [`${A}max-scale`]: '3',
          [`${A}initial-scale`]: '2',
          [`${A}activation-scale`]: '2',
          [`${A}panic-window-percentage`]: '20',
          [`${A}panic-threshold-percentage`]: '300',
          [`${A}scale-down-delay`]: '15m',
          [`${A}scale-to-zero-pod-retention-period`]: '1m5s',
          [`${A}metric-aggregation-algorithm`]: 'weighted-exponential',
        },
        want: '',
      },
      { name: 'other annotations are not ours', anns: { 'example.com/x': 'y', 'autoscaling.example.com/x': 'y' }, want: '' },
      { name: 'min-scale negative', anns: { [`${A}min-scale`]: '-1' }, want: `expected 0 <= -1 <= 2147483647: ${P}min-scale` },
      { name: 'min-scale not a number (alias)', anns: { [`${A}minScale`]: 'abc' }, want: `invalid value: abc: ${P}minScale` },
      { name: 'max-scale over int32', anns: { [`${A}max-scale`]: '3000000000' }, want: `expected 0 <= 3000000000 <= 2147483647: ${P}max-scale` },
      { name: 'max-scale below min-scale', anns: { [`${A}min-scale`]: '3', [`${A}max-scale`]: '2' }, want: `max-scale=2 is less than min-scale=3: ${P}max-scale, ${P}min-scale` },
      { name: 'max-scale 0 is unbounded', anns: { [`${A}min-scale`]: '5', [`${A}max-scale`]: '0' }, want: '' },
      { name: 'max-scale over max-scale-limit', anns: { [`${A}max-scale`]: '20' }, opts: { maxScaleLimit: 10 }, want: `expected 1 <= 20 <= 10: ${P}max-scale` },
      { name: 'max-scale unbounded under max-scale-limit', anns: { [`${A}max-scale`]: '0' }, opts: { maxScaleLimit: 10 }, want: `max-scale=0 (unlimited), must be less than 10: ${P}max-scale` },
      { name: 'initial-scale 0 not allowed', anns: { [`${A}initial-scale`]: '0' }, want: `invalid value: 0: ${P}initial-scale=0 not allowed by cluster` },
      { name: 'initial-scale 0 allowed', anns: { [`${A}initialScale`]: '0' }, opts: { allowZeroInitialScale: true }, want: '' },
      { name: 'initial-scale negative', anns: { [`${A}initial-scale`]: '-1' }, want: `invalid value: -1: ${P}initial-scale must be greater than 0` },
      { name: 'initial-scale not a number', anns: { [`${A}initial-scale`]: '1.5' }, want: `invalid value: 1.5: ${P}initial-scale` },
      { name: 'target too small', anns: { [`${A}target`]: '0.001' }, want: `target 0.001 should be at least 0.01: ${P}target` },
      { name: 'target not a number', anns: { [`${A}target`]: 'NaN' }, want: `invalid value: NaN: ${P}target` },
      { name: 'target-utilization-percentage 0', anns: { [`${A}target-utilization-percentage`]: '0' }, want: `expected 1 <= 0 <= 100: ${P}target-utilization-percentage` },
      { name: 'target-utilization-percentage 101 (alias)', anns: { [`${A}targetUtilizationPercentage`]: '101' }, want: `expected 1 <= 101 <= 100: ${P}targetUtilizationPercentage` },
      { name: 'target-burst-capacity negative', anns: { [`${A}target-burst-capacity`]: '-2' }, want: `invalid value: -2: ${P}target-burst-capacity` },
      { name: 'window too short', anns: { [`${A}window`]: '5s' }, want: `expected 6s <= 5s <= 1h0m0s: ${P}window` },
      { name: 'window too long', anns: { [`${A}window`]: '1h1s' }, want: `expected 6s <= 1h1s <= 1h0m0s: ${P}window` },
      { name: 'window below a second', anns: { [`${A}window`]: '10.5s' }, want: `must be specified with at most second precision: ${P}window` },
      { name: 'window without unit', anns: { [`${A}window`]: '60' }, want: `invalid value: 60: ${P}window` },
      { name: 'panic-window-percentage 0', anns: { [`${A}panic-window-percentage`]: '0' }, want: `expected 1 <= 0 <= 100: ${P}panic-window-percentage` },
      { name: 'panic-threshold-percentage 100', anns: { [`${A}panicThresholdPercentage`]: '100' }, want: `expected 110 <= 100 <= 1000: ${P}panicThresholdPercentage` },
      { name: 'panic-threshold-percentage 1001', anns: { [`${A}panic-threshold-percentage`]: '1001' }, want: `expected 110 <= 1001 <= 1000: ${P}panic-threshold-percentage` },
      { name: 'scale-down-delay over an hour', anns: { [`${A}scale-down-delay`]: '2h' }, want: `expected 0s <= 2h <= 1h0m0s: ${P}scale-down-delay` },
      { name: 'scale-down-delay negative', anns: { [`${A}scale-down-delay`]: '-1s' }, want: `expected 0s <= -1s <= 1h0m0s: ${P}scale-down-delay` },
      { name: 'scale-down-delay below a second', anns: { [`${A}scale-down-delay`]: '1500ms' }, want: `must be specified with at most second precision: ${P}scale-down-delay` },
      { name: 'scale-to-zero-pod-retention-period over an hour', anns: { [`${A}scale-to-zero-pod-retention-period`]: '61m' }, want: `expected 0s <= 61m <= 1h0m0s: ${P}scale-to-zero-pod-retention-period` },
      { name: 'metric cpu with KPA', anns: { [`${A}metric`]: 'cpu' }, want: `invalid value: cpu: ${P}metric` },
      { name: 'metric cpu with HPA', anns: { [`${A}metric`]: 'cpu', [`${A}class`]: 'hpa.autoscaling.knative.dev' }, want: '' },
      { name: 'metric memory with HPA', anns: { [`${A}metric`]: 'memory', [`${A}class`]: 'hpa.autoscaling.knative.dev' }, want: '' },
      { name: 'metric empty with HPA', anns: { [`${A}metric`]: '', [`${A}class`]: 'hpa.autoscaling.knative.dev' }, want: `invalid value: : ${P}metric` },
      { name: 'metric of a custom class', anns: { [`${A}metric`]: 'queue-depth', [`${A}class`]: 'custom.example.com' }, want: '' },
      { name: 'metric concurrency', anns: { [`${A}metric`]: 'concurrency' }, want: '' },
      { name: 'metric with the default class set to HPA', anns: { [`${A}metric`]: 'cpu' }, opts: { defaultClass: 'hpa.autoscaling.knative.dev' }, want: '' },
      { name: 'class unknown in knative.dev', anns: { [`${A}class`]: 'xpa.autoscaling.knative.dev' }, want: `invalid value: xpa.autoscaling.knative.dev: ${P}class` },
      { name: 'activation-scale 1', anns: { [`${A}activation-scale`]: '1' }, want: `activation-scale=1 must be greater than 1: ${P}activation-scale` },
      { name: 'activation-scale below min-scale', anns: { [`${A}min-scale`]: '3', [`${A}activation-scale`]: '2' }, want: `min-scale=3 is greater than activation-scale=2: ${P}activation-scale` },
      { name: 'activation-scale above max-scale', anns: { [`${A}max-scale`]: '1', [`${A}activation-scale`]: '2' }, want: `max-scale=1 is less than activation-scale=2: ${P}activation-scale` },
      { name: 'activation-scale not a number', anns: { [`${A}activation-scale`]: 'x' }, want: `invalid value: x: ${P}activation-scale` },
      {
        name: 'metric-aggregation-algorithm unknown, class KPA',
        anns: { [`${A}metric-aggregation-algorithm`]: 'mean', [`${A}class`]: 'kpa.autoscaling.knative.dev' },
        want: `invalid value: mean: ${P}metric-aggregation-algorithm`,
      },
      { name: 'metric-aggregation-algorithm unchecked without class', anns: { [`${A}metricAggregationAlgorithm`]: 'mean' }, want: '' },
      { name: 'kzero: unknown key, with a suggestion', anns: { [`${A}minscale`]: '1' }, want: `unknown autoscaling annotation: ${P}minscale\ndid you mean "${A}min-scale"?` },
      { name: 'kzero: unknown key, no suggestion', anns: { [`${A}frobnicate-the-scaler`]: '1' }, want: `unknown autoscaling annotation: ${P}frobnicate-the-scaler` },
      { name: 'kzero: two spellings of one key', anns: { [`${A}min-scale`]: '1', [`${A}minScale`]: '1' }, want: `expected exactly one, got both: ${P}min-scale, ${P}minScale` },
      {
        name: 'several problems, one a line',
        anns: { [`${A}min-scale`]: '-1', [`${A}window`]: '1s', [`${A}target-utilization-percentage`]: '0' },
        want: `expected 0 <= -1 <= 2147483647: ${P}min-scale\nexpected 1 <= 0 <= 100: ${P}target-utilization-percentage\nexpected 6s <= 1s <= 1h0m0s: ${P}window`,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const err = validateAutoscalingAnnotations(c.anns, { ...opts, ...c.opts });
        expect(err?.viaField('metadata.annotations').toString() ?? '').to.equal(c.want);
      });
    }
  });

  it('validateHasNoAutoscalingAnnotation rejects any autoscaling key', () => {
    expect(validateHasNoAutoscalingAnnotation({ 'example.com/a': 'b' })).to.equal(undefined);
    expect(validateHasNoAutoscalingAnnotation({ [`${A}min-scale`]: '1' })?.viaField('annotations').viaField('metadata').toString()).to.equal(
      `invalid key name "${A}min-scale": metadata.annotations\nautoscaling annotations must be put under "spec.template.metadata.annotations" to work`,
    );
  });
});
