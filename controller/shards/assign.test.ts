import { expect } from 'chai';
import { fnv1a, parseShardsConfig, shardFor } from './assign.js';

describe('shards/assign', () => {
  // The published FNV-1a 32-bit test vectors (http://www.isthe.com/chongo/tech/comp/fnv/).
  const vectors: Array<{ text: string; want: number }> = [
    { text: '', want: 0x811c9dc5 },
    { text: 'a', want: 0xe40c292c },
    { text: 'b', want: 0xe70c2de5 },
    { text: 'foobar', want: 0xbf9cf968 },
  ];
  for (const v of vectors) it(`fnv1a(${JSON.stringify(v.text)}) = 0x${v.want.toString(16)}`, () => expect(fnv1a(v.text)).to.equal(v.want));

  it('fnv1a is an unsigned 32-bit integer', () => {
    for (const t of ['x', 'default/foo', 'a-long-namespace-name/a-long-service-name-00001']) {
      const h = fnv1a(t);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32, t).to.equal(true);
    }
  });

  const cases: Array<{ name: string; ns: string; obj: string; nsShard: string | undefined; count: number; want: string }> = [
    // Known values: these must never change, or objects move shard on upgrade.
    { name: 'default/foo over 4', ns: 'default', obj: 'foo', nsShard: undefined, count: 4, want: String(3688090093 % 4) },
    { name: 'default/foo over 16', ns: 'default', obj: 'foo', nsShard: undefined, count: 16, want: String(3688090093 % 16) },
    { name: 'one shard: always 0', ns: 'team', obj: 'anything', nsShard: undefined, count: 1, want: '0' },
    { name: 'count 0 is treated as 1', ns: 'team', obj: 'anything', nsShard: undefined, count: 0, want: '0' },
    { name: 'namespace label wins', ns: 'default', obj: 'foo', nsShard: '7', count: 4, want: '7' },
    { name: 'namespace label wins even past the count', ns: 'default', obj: 'foo', nsShard: 'blue', count: 4, want: 'blue' },
    { name: 'an empty namespace label is no label', ns: 'default', obj: 'foo', nsShard: '', count: 4, want: '1' },
  ];
  for (const c of cases) it(`shardFor: ${c.name}`, () => expect(shardFor(c.ns, c.obj, c.nsShard, c.count)).to.equal(c.want));

  it('shardFor hashes namespace/name, so the same name in two namespaces may differ', () => {
    expect(shardFor('default', 'foo', undefined, 1 << 30)).to.equal(String(fnv1a('default/foo') % (1 << 30)));
    expect(shardFor('other', 'foo', undefined, 1 << 30)).to.equal(String(fnv1a('other/foo') % (1 << 30)));
    expect(fnv1a('default/foo')).to.not.equal(fnv1a('other/foo'));
  });

  const spreads: Array<{ name: string; key: (i: number) => [string, string] }> = [
    { name: 'one namespace, numbered names', key: (i) => ['default', `svc-${i}`] },
    { name: 'many namespaces', key: (i) => [`ns-${i % 37}`, `app-${i}`] },
    { name: 'revision-like names', key: (i) => [`tenant-${i % 5}`, `hello-${String(i).padStart(5, '0')}`] },
  ];
  for (const s of spreads) {
    it(`1000 names over 4 shards are within 20% of even: ${s.name}`, () => {
      const counts = new Map<string, number>();
      for (let i = 0; i < 1000; i++) {
        const [ns, name] = s.key(i);
        const shard = shardFor(ns, name, undefined, 4);
        counts.set(shard, (counts.get(shard) ?? 0) + 1);
      }
      expect([...counts.keys()].sort()).to.deep.equal(['0', '1', '2', '3']);
      for (const [shard, n] of counts) expect(n, `shard ${shard}`).to.be.within(200, 300);
    });
  }

  const configs: Array<{ data: Record<string, string> | undefined; want?: number; error?: string }> = [
    { data: undefined, want: 1 },
    { data: { count: '4' }, want: 4 },
    { data: { count: '1024' }, want: 1024 },
    { data: { count: '0' }, error: 'config-shards: count="0": want an integer 1..1024' },
    { data: { count: '1025' }, error: 'config-shards: count="1025": want an integer 1..1024' },
    { data: { count: '2.5' }, error: 'config-shards: count="2.5": want an integer 1..1024' },
    { data: { count: 'four' }, error: 'config-shards: count="four": want an integer 1..1024' },
  ];
  for (const c of configs) {
    it(`parseShardsConfig(${JSON.stringify(c.data)})`, () => {
      if (c.error) expect(() => parseShardsConfig(c.data)).to.throw(c.error);
      else expect(parseShardsConfig(c.data)).to.deep.equal({ count: c.want });
    });
  }
});
