// Which shard reconciles an object (pure): the namespace's `kzero.dev/shard` label if it has one (a
// platform team pins a tenant), else a stable hash of namespace/name over the shard count.

/** FNV-1a, 32 bit: stable across processes and versions, unlike anything seeded. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function shardFor(namespace: string, name: string, namespaceShard: string | undefined, shardCount: number): string {
  if (namespaceShard) return namespaceShard;
  return String(fnv1a(`${namespace}/${name}`) % Math.max(1, shardCount));
}

export interface ShardsConfig {
  count: number;
}

export function parseShardsConfig(data: Record<string, string> | undefined): ShardsConfig {
  const raw = data?.count ?? '1';
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 1024) throw new Error(`config-shards: count=${JSON.stringify(raw)}: want an integer 1..1024`);
  return Object.freeze({ count });
}
