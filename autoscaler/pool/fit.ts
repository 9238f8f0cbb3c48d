import type { V1ResourceRequirements } from '@kubernetes/client-node';
import { poolCode, poolServingPort } from '../../api/kzero/v1alpha1/pool.js';
import type { SpecializeRequest } from '../../api/kzero/v1alpha1/specialize.js';
import type { PodPool } from '../../api/kzero/v1alpha1/types.js';
import { servingEnv, userPort } from '../../api/serving/v1/serving-container.js';
import type { Revision } from '../../api/serving/v1/types.js';
import { parseQuantity } from '../../lib/quantity.js';
import { validatePodPool } from '../../api/kzero/v1alpha1/podpool-validation.js';

// Whether a Revision can be served by a warm pod of a pool, and what that pod must be told (pure).

export type PoolFit = { ok: true; pool: string; request: SpecializeRequest } | { ok: false; pool: string | undefined; reason: string };

/** Every request and limit of `want` is at most the pool's: the Revision fits in the pod the pool made. */
function resourcesFit(want: V1ResourceRequirements | undefined, have: V1ResourceRequirements | undefined): string | undefined {
  for (const kind of ['requests', 'limits'] as const) {
    for (const [name, q] of Object.entries(want?.[kind] ?? {})) {
      const pool = have?.[kind]?.[name];
      if (pool === undefined || parseQuantity(String(q)) > parseQuantity(String(pool))) {
        return `resources.${kind}.${name} ${q} exceeds the pool's ${pool ?? '(unset)'}`;
      }
    }
  }
  return undefined;
}

/**
 * The Revision fits the pool when its one container is the pool's runtime image, asks for no more than the
 * pool's resources, serves on the pool's port, and needs nothing a running pod cannot be given later: no
 * command or args, volumes, or env from ConfigMaps and Secrets (only literal env travels with /specialize).
 */
export function poolFit(rev: Revision, pool: PodPool | undefined): PoolFit {
  const code = poolCode(rev);
  if (!code) return { ok: false, pool: undefined, reason: 'not pool-backed' };
  const miss = (reason: string): PoolFit => ({ ok: false, pool: code.pool, reason });
  if (!pool) return miss(`PodPool "${code.pool}" not found in namespace "${rev.metadata.namespace}"`);
  const invalid = validatePodPool(pool);
  if (invalid) return miss(`PodPool "${code.pool}" is invalid: ${invalid}`);
  if (rev.spec.containers.length !== 1) return miss('more than one container');
  const c = rev.spec.containers[0]!;
  const runtime = pool.spec.template.spec!.containers[0]!;
  if (c.image !== runtime.image) return miss(`image ${c.image} is not the pool's ${runtime.image}`);
  if (c.command?.length || c.args?.length) return miss('the container sets command or args');
  if (c.volumeMounts?.length || rev.spec.volumes?.length) return miss('the Revision mounts volumes');
  if (c.envFrom?.length || c.env?.some((e) => e.valueFrom)) return miss('env from ConfigMaps, Secrets or fields');
  if (userPort(rev) !== poolServingPort(pool)) return miss(`port ${userPort(rev)} is not the pool's ${poolServingPort(pool)}`);
  const resources = resourcesFit(c.resources, runtime.resources);
  if (resources) return miss(resources);
  const env: Record<string, string> = {};
  for (const e of [...(c.env ?? []), ...servingEnv(rev)]) env[e.name] = e.value ?? '';
  return {
    ok: true,
    pool: code.pool,
    request: { revision: `${rev.metadata.namespace}/${rev.metadata.name}`, code: { url: code.url, sha256: code.sha256 }, env },
  };
}
