// The runtime's configuration, parsed once from the process env at start, validated and frozen.
//
// PORT                           serving port (default 8080; 0 picks a free one)
// KZERO_ADMIN_PORT               admin port: /healthz, /specialize (default 8079)
// KZERO_POOL                     set: warm (pool) mode, waiting for POST /specialize, the PodPool's name; unset: fallback mode
// KZERO_POOL_UID                 warm mode: the PodPool's UID (required): /specialize signatures name it
// KZERO_POD_NAME                 warm mode: this pod's name (downward API metadata.name; required): signatures name it
// KZERO_POD_NAMESPACE            warm mode: its namespace, the pool's (downward API metadata.namespace; required)
// KZERO_POOL_PUBLIC_KEYS         warm mode: the Ed25519 public keys /specialize signatures are checked with, a comma
//                                list of base64 SPKI DER (required; lib/specialize-signature.ts). Nothing here is
//                                secret: the app that later runs in this process may read it all.
// KZERO_CODE_URL                 fallback mode: the code package (http or https URL; required)
// KZERO_CODE_SHA256              fallback mode: its sha256, 64 hex digits (required)
// KZERO_HOLD_SECONDS             warm mode: how long requests wait for specialization (default 30)
// KZERO_CODE_DIR                 where packages are extracted (default the OS temp directory)
// KZERO_CODE_MAX_BYTES           compressed package size limit (default 50 MiB)
// KZERO_CODE_MAX_UNPACKED_BYTES  uncompressed size limit (default 200 MiB)
// KZERO_CODE_MAX_ENTRIES         archive entry limit (default 10000)
// KZERO_LOG_LEVEL                debug, info, warn, error (default info)
import type { CodeRef } from '../api/kzero/v1alpha1/specialize.js';
import { parseLevel, type Level } from '../lib/log.js';
import { VerifyingKeys, type PoolIdentity } from '../lib/specialize-signature.js';
import { DEFAULT_LIMITS, type PackageLimits } from './package/tar.js';
import { parseCode } from './request.js';

/** Warm mode: who this runtime is (what a /specialize signature must name) and the keys it checks signatures with. */
export interface WarmMode {
  readonly kind: 'warm';
  readonly pool: PoolIdentity;
  readonly pod: string;
  readonly keys: VerifyingKeys;
}

export type Mode = WarmMode | { readonly kind: 'fallback'; readonly code: CodeRef };

export interface RuntimeConfig {
  readonly port: number;
  readonly adminPort: number;
  readonly mode: Mode;
  readonly holdMs: number;
  readonly codeDir: string;
  /** Packages by sha256, shared by the runtimes of a node (KZERO_CODE_CACHE); undefined: no cache. */
  readonly codeCacheDir: string | undefined;
  readonly limits: PackageLimits;
  readonly fetchTimeoutMs: number;
  readonly logLevel: Level;
}

export const FETCH_TIMEOUT_MS = 10_000;

/** Throws an Error with a one-line message naming the bad variable. */
export function parseRuntimeConfig(env: Record<string, string | undefined>, tmpDir: string): RuntimeConfig {
  const pool = env.KZERO_POOL;
  let mode: Mode;
  if (pool !== undefined && pool !== '') {
    const required = (key: string): string => {
      const value = env[key];
      if (value === undefined || value === '') throw new Error(`${key} must be set (non-empty) in warm mode (KZERO_POOL is set)`);
      return value;
    };
    const identity = { namespace: required('KZERO_POD_NAMESPACE'), name: pool, uid: required('KZERO_POOL_UID') };
    const pod = required('KZERO_POD_NAME');
    mode = { kind: 'warm', pool: Object.freeze(identity), pod, keys: VerifyingKeys.parse(required('KZERO_POOL_PUBLIC_KEYS'), 'KZERO_POOL_PUBLIC_KEYS') };
  } else {
    for (const key of ['KZERO_CODE_URL', 'KZERO_CODE_SHA256']) {
      if (!env[key]) throw new Error(`${key} must be set in fallback mode (KZERO_POOL is not set)`);
    }
    mode = { kind: 'fallback', code: parseCode({ url: env.KZERO_CODE_URL, sha256: env.KZERO_CODE_SHA256 }, 'KZERO_CODE_') };
  }
  return Object.freeze({
    port: integer(env, 'PORT', 8080, 0, 65535),
    adminPort: integer(env, 'KZERO_ADMIN_PORT', 8079, 0, 65535),
    mode: Object.freeze(mode),
    holdMs: seconds(env, 'KZERO_HOLD_SECONDS', 30) * 1000,
    codeDir: env.KZERO_CODE_DIR || tmpDir,
    codeCacheDir: env.KZERO_CODE_CACHE || undefined,
    limits: Object.freeze({
      maxBytes: integer(env, 'KZERO_CODE_MAX_BYTES', DEFAULT_LIMITS.maxBytes, 1, Number.MAX_SAFE_INTEGER),
      maxUnpackedBytes: integer(env, 'KZERO_CODE_MAX_UNPACKED_BYTES', DEFAULT_LIMITS.maxUnpackedBytes, 1, 2 ** 32),
      maxEntries: integer(env, 'KZERO_CODE_MAX_ENTRIES', DEFAULT_LIMITS.maxEntries, 1, 1_000_000),
    }),
    fetchTimeoutMs: FETCH_TIMEOUT_MS,
    logLevel: parseLevel(env.KZERO_LOG_LEVEL),
  });
}

function integer(env: Record<string, string | undefined>, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw) || n < min || n > max) throw new Error(`${key} must be an integer ${min}-${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function seconds(env: Record<string, string | undefined>, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(raw) || n <= 0) throw new Error(`${key} must be a positive number of seconds, got ${JSON.stringify(raw)}`);
  return n;
}
