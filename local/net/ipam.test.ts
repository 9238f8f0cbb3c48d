import { expect } from 'chai';
import { allocate, indexOf, ipAt, rangeOf, type Ipv4Range } from './ipam.js';

const R: Ipv4Range = { prefix: '10.244' };

describe('ipam', () => {
  describe('rangeOf', () => {
    const ok: Array<{ cidr: string; prefix: string }> = [
      { cidr: '10.244.0.0/16', prefix: '10.244' },
      { cidr: '172.16.0.0/16', prefix: '172.16' },
      { cidr: '192.168.0.0/16', prefix: '192.168' },
    ];
    for (const c of ok) {
      it(`accepts ${c.cidr}`, () => {
        expect(rangeOf(c.cidr)).to.deep.equal({ prefix: c.prefix });
      });
    }

    for (const cidr of ['10.244.0.0/24', '10.244.0.0/8', '10.244.1.0/16', '10.244.0.0', 'garbage', '', '10.244.0.0/16 ', '1000.1.0.0/16', 'a.b.0.0/16']) {
      it(`rejects ${JSON.stringify(cidr)} with a message`, () => {
        expect(() => rangeOf(cidr)).to.throw(`pod CIDR ${cidr}: only a /16 like 10.244.0.0/16 is supported`);
      });
    }
  });

  describe('ipAt / indexOf', () => {
    const cases: Array<{ index: number; ip: string }> = [
      { index: 0, ip: '10.244.0.0' },
      { index: 1, ip: '10.244.0.1' },
      { index: 2, ip: '10.244.0.2' },
      { index: 255, ip: '10.244.0.255' },
      { index: 256, ip: '10.244.1.0' },
      { index: 257, ip: '10.244.1.1' },
      { index: 65534, ip: '10.244.255.254' },
      { index: 65535, ip: '10.244.255.255' },
    ];
    for (const c of cases) {
      it(`${c.index} <-> ${c.ip}`, () => {
        expect(ipAt(R, c.index)).to.equal(c.ip);
        expect(indexOf(R, c.ip)).to.equal(c.index);
      });
    }

    it('round-trips every usable index', () => {
      for (let i = 2; i <= 65534; i++) {
        const back = indexOf(R, ipAt(R, i));
        if (back !== i) expect.fail(`index ${i} came back as ${back}`);
      }
    });

    for (const ip of ['10.245.0.2', '10.2440.0.2', '110.244.0.2', '10.244.x.2', '10.244.1', '', 'garbage']) {
      it(`indexOf(${JSON.stringify(ip)}) is undefined`, () => {
        expect(indexOf(R, ip)).to.equal(undefined);
      });
    }
  });

  describe('allocate', () => {
    const cases: Array<{ name: string; inUse: string[]; cursor: number; want: { ip: string; cursor: number } }> = [
      { name: 'fresh cursor (1, the gateway, as the pod manager starts): skips network and gateway -> .0.2', inUse: [], cursor: 1, want: { ip: '10.244.0.2', cursor: 2 } },
      { name: 'round-robin: the address after the cursor', inUse: [], cursor: 2, want: { ip: '10.244.0.3', cursor: 3 } },
      { name: 'does not reuse a just-freed lower address', inUse: ['10.244.0.3'], cursor: 10, want: { ip: '10.244.0.11', cursor: 11 } },
      { name: 'skips addresses in use', inUse: ['10.244.0.11', '10.244.0.12'], cursor: 10, want: { ip: '10.244.0.13', cursor: 13 } },
      { name: 'crosses an octet boundary', inUse: [], cursor: 255, want: { ip: '10.244.1.0', cursor: 256 } },
      { name: 'last usable address is .255.254', inUse: [], cursor: 65533, want: { ip: '10.244.255.254', cursor: 65534 } },
      { name: 'wraps around to .0.2 after the last address, skipping broadcast', inUse: [], cursor: 65534, want: { ip: '10.244.0.2', cursor: 2 } },
      { name: 'wraps around and skips in-use addresses after the wrap', inUse: ['10.244.255.254', '10.244.0.2'], cursor: 65533, want: { ip: '10.244.0.3', cursor: 3 } },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(allocate(R, new Set(c.inUse), c.cursor)).to.deep.equal(c.want);
      });
    }

    // A cursor outside the usable range starts from the first usable address.
    const outside: Array<{ cursor: number; want: { ip: string; cursor: number } }> = [
      { cursor: 0, want: { ip: '10.244.0.2', cursor: 2 } },
      { cursor: 65535, want: { ip: '10.244.0.2', cursor: 2 } },
    ];
    for (const c of outside) {
      it(`cursor ${c.cursor} outside the usable range: the next address after it is .0.2`, () => {
        expect(allocate(R, new Set(), c.cursor)).to.deep.equal(c.want);
      });
    }

    const all = new Set<string>();
    for (let i = 2; i <= 65534; i++) all.add(ipAt(R, i));

    it('all 65533 addresses in use: throws naming the range', () => {
      expect(all.size).to.equal(65533);
      expect(() => allocate(R, all, 2)).to.throw('no free pod address left in 10.244.0.0/16');
    });

    it('one address free: found wherever the cursor is, including the cursor itself', () => {
      const oneFree = new Set(all);
      oneFree.delete('10.244.100.100');
      for (const cursor of [0, 1, 2, 25699, 25700, 25701, 25800, 65534, 65535]) {
        expect(allocate(R, oneFree, cursor), `cursor ${cursor}`).to.deep.equal({ ip: '10.244.100.100', cursor: 25700 });
      }
    });

    it('successive allocations hand out consecutive addresses', () => {
      const inUse = new Set<string>();
      let cursor = 1; // as the pod manager starts
      const got: string[] = [];
      for (let i = 0; i < 4; i++) {
        const a = allocate(R, inUse, cursor);
        inUse.add(a.ip);
        cursor = a.cursor;
        got.push(a.ip);
      }
      expect(got).to.deep.equal(['10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5']);
    });
  });
});
