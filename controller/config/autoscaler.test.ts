import { expect } from 'chai';
import { parseScaleConfig, type ScaleConfig } from './autoscaler.js';

describe('config/autoscaler parseScaleConfig', () => {
  const cases: Array<{ data: Record<string, string> | undefined; want: ScaleConfig }> = [
    { data: undefined, want: { initialScale: 1, allowZeroInitialScale: false, maxScaleLimit: 0 } },
    { data: {}, want: { initialScale: 1, allowZeroInitialScale: false, maxScaleLimit: 0 } },
    { data: { 'initial-scale': '3' }, want: { initialScale: 3, allowZeroInitialScale: false, maxScaleLimit: 0 } },
    { data: { 'initial-scale': '0', 'allow-zero-initial-scale': 'true' }, want: { initialScale: 0, allowZeroInitialScale: true, maxScaleLimit: 0 } },
    { data: { 'allow-zero-initial-scale': 'true' }, want: { initialScale: 1, allowZeroInitialScale: true, maxScaleLimit: 0 } },
    { data: { 'max-scale-limit': '100' }, want: { initialScale: 1, allowZeroInitialScale: false, maxScaleLimit: 100 } },
    { data: { 'initial-scale': '007' }, want: { initialScale: 7, allowZeroInitialScale: false, maxScaleLimit: 0 } },
  ];
  for (const c of cases) it(`${JSON.stringify(c.data)}`, () => expect(parseScaleConfig(c.data)).to.deep.equal(c.want));

  const invalid: Array<{ data: Record<string, string>; want: string }> = [
    { data: { 'initial-scale': '0' }, want: 'config-autoscaler: initial-scale=0 needs allow-zero-initial-scale=true' },
    { data: { 'initial-scale': '0', 'allow-zero-initial-scale': 'false' }, want: 'config-autoscaler: initial-scale=0 needs allow-zero-initial-scale=true' },
    { data: { 'initial-scale': '-1' }, want: 'config-autoscaler: initial-scale="-1": want an integer >= 0' },
    { data: { 'initial-scale': '1.5' }, want: 'config-autoscaler: initial-scale="1.5": want an integer >= 0' },
    { data: { 'initial-scale': '' }, want: 'config-autoscaler: initial-scale="": want an integer >= 0' },
    { data: { 'allow-zero-initial-scale': 'yes' }, want: 'config-autoscaler: allow-zero-initial-scale="yes": want true or false' },
    { data: { 'allow-zero-initial-scale': 'True' }, want: 'config-autoscaler: allow-zero-initial-scale="True": want true or false' },
    { data: { 'max-scale-limit': '-3' }, want: 'config-autoscaler: max-scale-limit="-3": want an integer >= 0' },
    { data: { 'max-scale-limit': 'ten' }, want: 'config-autoscaler: max-scale-limit="ten": want an integer >= 0' },
  ];
  for (const c of invalid) it(`rejects ${JSON.stringify(c.data)}`, () => expect(() => parseScaleConfig(c.data)).to.throw(c.want));

  it('is frozen', () => expect(Object.isFrozen(parseScaleConfig(undefined))).to.equal(true));
});
