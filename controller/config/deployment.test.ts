import { expect } from 'chai';
import { parseDeploymentConfig } from './deployment.js';

describe('config/deployment parseDeploymentConfig', () => {
  const cases: Array<{ data: Record<string, string> | undefined; want: number }> = [
    { data: undefined, want: 600 },
    { data: {}, want: 600 },
    { data: { 'progress-deadline': '600s' }, want: 600 },
    { data: { 'progress-deadline': '90s' }, want: 90 },
    { data: { 'progress-deadline': '10m' }, want: 600 },
    { data: { 'progress-deadline': '1h30m' }, want: 5400 },
    { data: { 'progress-deadline': '1.5s' }, want: 2 },
    { data: { 'progress-deadline': '1500ms' }, want: 2 },
    { data: { 'progress-deadline': '1ns' }, want: 1 },
    { data: { 'other-key': 'x' }, want: 600 },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.data)} -> ${c.want}s`, () => expect(parseDeploymentConfig(c.data)).to.deep.equal({ progressDeadlineSeconds: c.want }));
  }

  const invalid = ['0s', '0', '-5s', '600', 'abc', '', '10 s'];
  for (const raw of invalid) {
    it(`rejects ${JSON.stringify(raw)}`, () => expect(() => parseDeploymentConfig({ 'progress-deadline': raw })).to.throw(`config-deployment: progress-deadline=${JSON.stringify(raw)}: want a positive duration like 600s`));
  }

  it('is frozen', () => expect(Object.isFrozen(parseDeploymentConfig(undefined))).to.equal(true));
});
