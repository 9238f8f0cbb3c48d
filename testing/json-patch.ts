import type { PatchOp } from '../controller/webhook/jsonpatch.js';

/** Applies an RFC 6902 patch of add/replace/remove ops to a copy of `doc` (what the API server does). */
export function applyPatch<T>(doc: T, ops: readonly PatchOp[]): T {
  let root = structuredClone(doc) as unknown as Record<string, unknown>;
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
  return root as unknown as T;
}
