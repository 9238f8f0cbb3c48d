import type { Revision } from '../../serving/v1/types.js';
import { KzeroAnnotations } from '../../serving/labels.js';
import type { PodPool } from './types.js';

// What a PodPool and a pool-backed Revision mean to both the controller (which builds the pool's Deployment
// and the Revision's own) and the autoscaler (which fits a Revision to a pool and specializes its pods).

/** The warm runtime's admin port (/healthz, /specialize); the serving port is the container's port. */
export const RUNTIME_ADMIN_PORT = 8079;
export const DEFAULT_POOL_PORT = 8080;

/** The port a pool's runtimes serve on, which a Revision must use to fit the pool. */
export function poolServingPort(pool: PodPool): number {
  return pool.spec.template.spec?.containers[0]?.ports?.[0]?.containerPort || DEFAULT_POOL_PORT;
}

/** A pool-backed Revision's code package (kzero.dev/pool, code, code-sha256), or undefined. */
export function poolCode(rev: Revision): { pool: string; url: string; sha256: string } | undefined {
  const a = rev.metadata.annotations ?? {};
  const pool = a[KzeroAnnotations.pool];
  const url = a[KzeroAnnotations.code];
  const sha256 = a[KzeroAnnotations.codeSha256];
  return pool && url && sha256 ? { pool, url, sha256 } : undefined;
}
