import { expect } from 'chai';
import { AutoscalerConfigError, parseAutoscalerConfig, type AutoscalerConfig } from './config-autoscaler.js';

const DEFAULTS: AutoscalerConfig = {
  podAutoscalerClass: 'kpa.autoscaling.knative.dev',
  enableScaleToZero: true,
  allowZeroInitialScale: false,
  containerConcurrencyTargetFraction: 0.7,
  containerConcurrencyTargetDefault: 100,
  targetUtilization: 0.7,
  rpsTargetDefault: 200,
  targetBurstCapacity: 211,
  activatorCapacity: 100,
  maxScaleUpRate: 1000,
  maxScaleDownRate: 2,
  stableWindowMs: 60_000,
  panicWindowPercentage: 10,
  panicThresholdPercentage: 200,
  scaleToZeroGracePeriodMs: 30_000,
  scaleToZeroPodRetentionPeriodMs: 0,
  scaleDownDelayMs: 0,
  initialScale: 1,
  minScale: 0,
  maxScale: 0,
  maxScaleLimit: 0,
};

describe('api/autoscaling parseAutoscalerConfig', () => {
  it("has Knative's defaults, frozen", () => {
    const datas: Array<Record<string, string> | undefined> = [undefined, {}, { _example: 'anything', 'unknown-key': 'x' }];
    for (const data of datas) {
      const c = parseAutoscalerConfig(data);
      expect(c).to.deep.equal(DEFAULTS);
      expect(Object.isFrozen(c)).to.equal(true);
    }
  });

  const valid: Array<{ data: Record<string, string>; want: Partial<AutoscalerConfig> }> = [
    { data: { 'container-concurrency-target-percentage': '80' }, want: { containerConcurrencyTargetFraction: 0.8 } },
    { data: { 'container-concurrency-target-percentage': '0.5' }, want: { containerConcurrencyTargetFraction: 0.5 } },
    { data: { 'container-concurrency-target-percentage': '1' }, want: { containerConcurrencyTargetFraction: 1 } },
    { data: { 'container-concurrency-target-default': '10' }, want: { containerConcurrencyTargetDefault: 10 } },
    { data: { 'requests-per-second-target-default': '50.5' }, want: { rpsTargetDefault: 50.5 } },
    { data: { 'target-burst-capacity': '-1' }, want: { targetBurstCapacity: -1 } },
    { data: { 'stable-window': '1m30s' }, want: { stableWindowMs: 90_000 } },
    { data: { 'stable-window': '6s' }, want: { stableWindowMs: 6_000 } },
    { data: { 'stable-window': '1h' }, want: { stableWindowMs: 3_600_000 } },
    { data: { 'panic-window-percentage': '20', 'panic-threshold-percentage': '300' }, want: { panicWindowPercentage: 20, panicThresholdPercentage: 300 } },
    { data: { 'max-scale-up-rate': '2.5', 'max-scale-down-rate': '1.5' }, want: { maxScaleUpRate: 2.5, maxScaleDownRate: 1.5 } },
    { data: { 'enable-scale-to-zero': 'false' }, want: { enableScaleToZero: false } },
    { data: { 'enable-scale-to-zero': 'F' }, want: { enableScaleToZero: false } },
    { data: { 'enable-scale-to-zero': 'True' }, want: { enableScaleToZero: true } },
    { data: { 'scale-to-zero-grace-period': '10s', 'scale-to-zero-pod-retention-period': '1m' }, want: { scaleToZeroGracePeriodMs: 10_000, scaleToZeroPodRetentionPeriodMs: 60_000 } },
    { data: { 'scale-to-zero-grace-period': '1500ms' }, want: { scaleToZeroGracePeriodMs: 1_500 } },
    { data: { 'pod-autoscaler-class': 'hpa.autoscaling.knative.dev' }, want: { podAutoscalerClass: 'hpa.autoscaling.knative.dev' } },
    { data: { 'activator-capacity': '1' }, want: { activatorCapacity: 1 } },
    { data: { 'initial-scale': '0', 'allow-zero-initial-scale': 'true' }, want: { initialScale: 0, allowZeroInitialScale: true } },
    { data: { 'initial-scale': '3' }, want: { initialScale: 3 } },
    { data: { 'min-scale': '2', 'max-scale': '5', 'max-scale-limit': '10' }, want: { minScale: 2, maxScale: 5, maxScaleLimit: 10 } },
    { data: { 'scale-down-delay': '15m' }, want: { scaleDownDelayMs: 900_000 } },
  ];
  for (const c of valid) {
    it(`reads ${JSON.stringify(c.data)}`, () => expect(parseAutoscalerConfig(c.data)).to.deep.equal({ ...DEFAULTS, ...c.want }));
  }

  const invalid: Array<{ data: Record<string, string>; want: string }> = [
    { data: { 'stable-window': '3s' }, want: 'config-autoscaler: stable-window=3s: must be between 6s and 1h' },
    { data: { 'stable-window': '2h' }, want: 'config-autoscaler: stable-window=2h: must be between 6s and 1h' },
    { data: { 'stable-window': '6500ms' }, want: 'config-autoscaler: stable-window=6500ms: must be a whole number of seconds' },
    { data: { 'stable-window': 'soon' }, want: 'config-autoscaler: stable-window=soon: must be a duration' },
    { data: { 'scale-to-zero-grace-period': '0s' }, want: 'config-autoscaler: scale-to-zero-grace-period=0s: must be positive' },
    { data: { 'scale-to-zero-pod-retention-period': '-1s' }, want: 'config-autoscaler: scale-to-zero-pod-retention-period=-1s: must not be negative' },
    { data: { 'scale-down-delay': '-5s' }, want: 'config-autoscaler: scale-down-delay=-5s: must not be negative' },
    { data: { 'scale-down-delay': '1.5s' }, want: 'config-autoscaler: scale-down-delay=1.5s: must be a whole number of seconds' },
    { data: { 'target-burst-capacity': '-2' }, want: 'config-autoscaler: target-burst-capacity=-2: must be at least 0, or -1 for unlimited' },
    { data: { 'container-concurrency-target-percentage': '0' }, want: 'config-autoscaler: container-concurrency-target-percentage=0: must be in (0, 100]' },
    { data: { 'container-concurrency-target-percentage': '101' }, want: 'config-autoscaler: container-concurrency-target-percentage=101: must be in (0, 100]' },
    { data: { 'container-concurrency-target-default': '0.01' }, want: 'config-autoscaler: container-concurrency-target-default=0.01: times container-concurrency-target-percentage' },
    { data: { 'requests-per-second-target-default': '0' }, want: 'config-autoscaler: requests-per-second-target-default=0: must be at least 0.01' },
    { data: { 'activator-capacity': '0.5' }, want: 'config-autoscaler: activator-capacity=0.5: must be at least 1' },
    { data: { 'max-scale-up-rate': '1' }, want: 'config-autoscaler: max-scale-up-rate=1: must be greater than 1' },
    { data: { 'max-scale-down-rate': '0.5' }, want: 'config-autoscaler: max-scale-down-rate=0.5: must be greater than 1' },
    { data: { 'panic-window-percentage': '0.5' }, want: 'config-autoscaler: panic-window-percentage=0.5: must be between 1 and 100' },
    { data: { 'panic-window-percentage': '101' }, want: 'config-autoscaler: panic-window-percentage=101: must be between 1 and 100' },
    { data: { 'initial-scale': '0' }, want: 'config-autoscaler: initial-scale=0: may only be 0 when allow-zero-initial-scale is true' },
    { data: { 'initial-scale': '-1', 'allow-zero-initial-scale': 'true' }, want: 'config-autoscaler: initial-scale=-1: must be at least 0' },
    { data: { 'initial-scale': '1.5' }, want: 'config-autoscaler: initial-scale=1.5: must be a whole number' },
    { data: { 'initial-scale': '3000000000' }, want: 'config-autoscaler: initial-scale=3000000000: must be a whole number' },
    { data: { 'min-scale': '-1' }, want: 'config-autoscaler: min-scale=-1: must be at least 0' },
    { data: { 'max-scale': '-1' }, want: 'config-autoscaler: max-scale=-1: must be at least 0' },
    { data: { 'max-scale-limit': '-1' }, want: 'config-autoscaler: max-scale-limit=-1: must be at least 0' },
    { data: { 'max-scale-limit': '10' }, want: 'config-autoscaler: max-scale=0: must be between 1 and max-scale-limit (10)' },
    { data: { 'max-scale-limit': '10', 'max-scale': '11' }, want: 'config-autoscaler: max-scale=11: must be between 1 and max-scale-limit (10)' },
    { data: { 'min-scale': '5', 'max-scale': '3' }, want: 'config-autoscaler: min-scale=5: must not be greater than max-scale (3)' },
    { data: { 'enable-scale-to-zero': 'yes' }, want: 'config-autoscaler: enable-scale-to-zero=yes: must be true or false' },
    { data: { 'max-scale-up-rate': ' 2' }, want: 'config-autoscaler: max-scale-up-rate=" 2": must be a number' },
    { data: { 'max-scale-up-rate': 'NaN' }, want: 'config-autoscaler: max-scale-up-rate=NaN: must be a number' },
    { data: { 'panic-threshold-percentage': '' }, want: 'config-autoscaler: panic-threshold-percentage="": must be a number' },
  ];
  for (const c of invalid) {
    it(`rejects ${JSON.stringify(c.data)}`, () => {
      expect(() => parseAutoscalerConfig(c.data))
        .to.throw(AutoscalerConfigError)
        .with.property('message')
        .that.contains(c.want);
    });
  }

  it('names every bad key at once', () => {
    try {
      parseAutoscalerConfig({ 'stable-window': '3s', 'max-scale-up-rate': '1', 'enable-scale-to-zero': 'maybe' });
      expect.fail('should throw');
    } catch (err) {
      expect(err).to.be.instanceOf(AutoscalerConfigError);
      const keys = (err as AutoscalerConfigError).problems.map((p) => p.key).sort();
      expect(keys).to.deep.equal(['enable-scale-to-zero', 'max-scale-up-rate', 'stable-window']);
    }
  });
});
