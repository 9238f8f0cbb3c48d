import { expect } from 'chai';
import { LINGER_MS, SEND_STALL_MS, lingerOver, startLinger } from './linger.js';

describe('activator/http1/linger', () => {
  it('everything sent: the socket goes LINGER_MS after our FIN', () => {
    const l = startLinger(0, 1000);
    expect(lingerOver(l, 0, 1000 + LINGER_MS - 1)).to.equal(false);
    expect(lingerOver(l, 0, 1000 + LINGER_MS)).to.equal(true);
  });

  it('bytes still queued: they must move; once they are out, the linger counts from then', () => {
    const l = startLinger(5000, 0);
    expect(lingerOver(l, 5000, SEND_STALL_MS - 1)).to.equal(false);
    expect(lingerOver(l, 3000, SEND_STALL_MS)).to.equal(false); // moved: the count starts again
    expect(lingerOver(l, 3000, 2 * SEND_STALL_MS - 1)).to.equal(false);
    expect(lingerOver(l, 0, 2 * SEND_STALL_MS)).to.equal(false); // all out
    expect(lingerOver(l, 0, 2 * SEND_STALL_MS + LINGER_MS)).to.equal(true);
  });

  it('queued bytes that never move: destroyed after SEND_STALL_MS, written or not', () => {
    const l = startLinger(5000, 0);
    expect(lingerOver(l, 5000, SEND_STALL_MS)).to.equal(true);
  });
});
