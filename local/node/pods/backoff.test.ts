import { expect } from 'chai';
import { KUBELET_BACKOFF, nextFailureCount, restartDelayMs, shouldRestart, type BackoffPolicy, type RestartPolicy } from './backoff.js';

describe('backoff', () => {
  describe('KUBELET_BACKOFF', () => {
    it('is the kubelet policy (10 s initial, 5 min cap, 10 min reset) and frozen', () => {
      expect(KUBELET_BACKOFF).to.deep.equal({ initialMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 });
      expect(Object.isFrozen(KUBELET_BACKOFF)).to.equal(true);
    });
  });

  describe('restartDelayMs', () => {
    const cases: Array<{ failures: number; delay: number }> = [
      { failures: 0, delay: 0 },
      { failures: 1, delay: 0 },
      { failures: 2, delay: 10_000 },
      { failures: 3, delay: 20_000 },
      { failures: 4, delay: 40_000 },
      { failures: 5, delay: 80_000 },
      { failures: 6, delay: 160_000 },
      { failures: 7, delay: 300_000 }, // 320 s capped
      { failures: 8, delay: 300_000 },
      { failures: 50, delay: 300_000 },
      { failures: 5000, delay: 300_000 }, // 2 ** n overflows to Infinity: still the cap
    ];
    for (const c of cases) {
      it(`${c.failures} consecutive failures -> ${c.delay} ms`, () => {
        expect(restartDelayMs(KUBELET_BACKOFF, c.failures)).to.equal(c.delay);
      });
    }

    it('follows a custom policy', () => {
      const policy: BackoffPolicy = { initialMs: 100, maxMs: 350, resetAfterMs: 1000 };
      expect([1, 2, 3, 4, 5].map((n) => restartDelayMs(policy, n))).to.deep.equal([0, 100, 200, 350, 350]);
    });
  });

  describe('nextFailureCount', () => {
    const cases: Array<{ name: string; previous: number; ranMs: number; want: number }> = [
      { name: 'first failure after a short run', previous: 0, ranMs: 1_000, want: 1 },
      { name: 'short run adds one', previous: 4, ranMs: 1_000, want: 5 },
      { name: 'just under resetAfter still adds one', previous: 4, ranMs: 599_999, want: 5 },
      { name: 'exactly resetAfter starts over', previous: 4, ranMs: 600_000, want: 1 },
      { name: 'a long healthy run starts over', previous: 9, ranMs: 3_600_000, want: 1 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(nextFailureCount(KUBELET_BACKOFF, c.previous, c.ranMs)).to.equal(c.want);
      });
    }

    it('after a reset the next restart is immediate again', () => {
      const n = nextFailureCount(KUBELET_BACKOFF, 6, 700_000);
      expect(restartDelayMs(KUBELET_BACKOFF, n)).to.equal(0);
    });
  });

  describe('shouldRestart', () => {
    const cases: Array<{ policy: RestartPolicy; exitCode: number; want: boolean }> = [
      { policy: 'Always', exitCode: 0, want: true },
      { policy: 'Always', exitCode: 1, want: true },
      { policy: 'OnFailure', exitCode: 0, want: false },
      { policy: 'OnFailure', exitCode: 1, want: true },
      { policy: 'OnFailure', exitCode: 137, want: true },
      { policy: 'Never', exitCode: 0, want: false },
      { policy: 'Never', exitCode: 1, want: false },
    ];
    for (const c of cases) {
      it(`${c.policy}, exit ${c.exitCode} -> ${c.want}`, () => {
        expect(shouldRestart(c.policy, c.exitCode)).to.equal(c.want);
      });
    }
  });
});
