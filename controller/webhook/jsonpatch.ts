import { isDeepStrictEqual } from 'node:util';

// RFC 6902 patches from a before/after pair (pure): what a mutating webhook returns. Objects are diffed key
// by key; arrays that differ are replaced whole (simple, and always correct).

export type PatchOp = { op: 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

const escape = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function diff(before: unknown, after: unknown, path = ''): PatchOp[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (!isObject(before) || !isObject(after)) return [{ op: 'replace', path, value: after }];
  const ops: PatchOp[] = [];
  for (const key of Object.keys(before)) {
    if (!(key in after) || after[key] === undefined) ops.push({ op: 'remove', path: `${path}/${escape(key)}` });
  }
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) continue;
    const p = `${path}/${escape(key)}`;
    if (!(key in before) || before[key] === undefined) ops.push({ op: 'add', path: p, value });
    else ops.push(...diff(before[key], value, p));
  }
  return ops;
}
