import { expect } from 'chai';
import { isDerivative } from './derivative.js';

describe('isDerivative', () => {
  const cases: Array<{ name: string; desired: unknown; actual: unknown; want: boolean }> = [
    { name: 'equal primitives', desired: 3, actual: 3, want: true },
    { name: 'different primitives', desired: 3, actual: 4, want: false },
    { name: 'unset desired field, defaulted actual', desired: { a: 1 }, actual: { a: 1, b: 2 }, want: true },
    { name: 'field missing in actual', desired: { a: 1, b: 2 }, actual: { a: 1 }, want: false },
    { name: 'undefined in desired is ignored', desired: { a: undefined }, actual: { a: 5 }, want: true },
    { name: 'nested defaults', desired: { s: { c: [{ name: 'x' }] } }, actual: { s: { c: [{ name: 'x', imagePullPolicy: 'Always' }], dnsPolicy: 'ClusterFirst' } }, want: true },
    { name: 'arrays of different length', desired: [1, 2], actual: [1, 2, 3], want: false },
    { name: 'array element changed', desired: [{ image: 'a' }], actual: [{ image: 'b' }], want: false },
    { name: 'object vs array', desired: { a: 1 }, actual: [1], want: false },
    { name: 'object vs null', desired: { a: 1 }, actual: null, want: false },
    { name: 'empty desired object matches anything object-like', desired: {}, actual: { x: 1 }, want: true },
  ];
  for (const c of cases) it(c.name, () => expect(isDerivative(c.desired, c.actual)).to.equal(c.want));
});
