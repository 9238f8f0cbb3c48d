import { expect } from 'chai';
import { applyPatch as apply } from '../../testing/json-patch.js';
import { diff } from './jsonpatch.js';

describe('webhook json patch', () => {
  const cases: Array<{ name: string; before: unknown; after: unknown; ops: number }> = [
    { name: 'no change', before: { a: 1 }, after: { a: 1 }, ops: 0 },
    { name: 'added nested field', before: { spec: { a: 1 } }, after: { spec: { a: 1, b: 2 } }, ops: 1 },
    { name: 'removed field', before: { a: 1, b: 2 }, after: { a: 1 }, ops: 1 },
    { name: 'changed value', before: { m: { x: 'a' } }, after: { m: { x: 'b' } }, ops: 1 },
    { name: 'array replaced whole', before: { c: [{ n: 1 }] }, after: { c: [{ n: 1, d: 0 }] }, ops: 1 },
    { name: 'keys with / and ~ are escaped', before: { ann: {} }, after: { ann: { 'serving.knative.dev/creator': 'u', 'a~b': 'x' } }, ops: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const ops = diff(c.before, c.after);
      expect(ops).to.have.length(c.ops);
      expect(apply(c.before, ops)).to.deep.equal(c.after);
    });
  }
  it('escapes / in keys as ~1', () => {
    expect(diff({ a: {} }, { a: { 'x/y': 1 } })).to.deep.equal([{ op: 'add', path: '/a/x~1y', value: 1 }]);
  });
});
