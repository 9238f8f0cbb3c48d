import { expect } from 'chai';
import { diff } from './jsonpatch.js';

// Applies ops to a copy, to check that a patch turns `before` into `after`.
function apply(doc: unknown, ops: ReturnType<typeof diff>): unknown {
  let root = structuredClone(doc) as Record<string, unknown>;
  for (const op of ops) {
    if (op.path === '') {
      root = structuredClone(op.op === 'remove' ? undefined : op.value) as Record<string, unknown>;
      continue;
    }
    const keys = op.path.slice(1).split('/').map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let parent: Record<string, unknown> = root;
    for (const k of keys) parent = parent[k] as Record<string, unknown>;
    if (op.op === 'remove') delete parent[last];
    else parent[last] = structuredClone(op.value);
  }
  return root;
}

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
