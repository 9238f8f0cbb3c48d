import { expect } from 'chai';
import { ByteBudget, DEFAULT_PENDING_BYTES, budgetFromFlag } from './budget.js';

describe('activator/net/budget', () => {
  it('counts bytes held and released, exceeded only past the limit', () => {
    const b = new ByteBudget(100);
    b.add(100);
    expect([b.used, b.exceeded]).to.deep.equal([100, false]);
    b.add(1);
    expect(b.exceeded).to.equal(true);
    b.add(-101);
    expect([b.used, b.exceeded]).to.deep.equal([0, false]);
  });

  describe('budgetFromFlag (--max-pending-body-bytes)', () => {
    const ok: Array<[string | undefined, number]> = [[undefined, DEFAULT_PENDING_BYTES], ['1048576', 1048576], ['64Mi', 64 * 1024 * 1024], ['512Ki', 512 * 1024], ['1Gi', 1024 ** 3]];
    for (const [flag, limit] of ok) it(`${flag ?? '(absent)'} -> ${limit}`, () => expect(budgetFromFlag(flag).limit).to.equal(limit));
    for (const bad of ['', 'true', '0', '-5', '64MB', '1.5Mi', 'lots', '99999999999999Gi']) {
      it(`"${bad}" is refused, naming the flag`, () => expect(() => budgetFromFlag(bad)).to.throw(`--max-pending-body-bytes: "${bad}" is not a positive number of bytes`));
    }
  });
});
