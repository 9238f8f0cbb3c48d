// The runtime's configuration, parsed once from the process env at start, validated and frozen.
//
// PORT                           serving port (default 8080; 0 picks a free one)
// KZERO_ADMIN_PORT               admin port: /healthz, /specialize (default 8079)
// KZERO_POOL                     set: warm (pool) mode, waiting for POST /specialize; unset: fallback mode
// KZERO_SPECIALIZE_TOKEN         warm mode: the bearer token /specialize requires (required, non-empty)
// KZERO_CODE_URL                 fallback mode: the code package (http or https URL; required)
// KZERO_CODE_SHA256              fallback mode: its sha256, 64 hex digits (required)
// KZERO_HOLD_SECONDS             warm mode: how long requests wait for specialization (default 30)
// KZERO_CODE_DIR                 where packages are extracted (default the OS temp directory)
// KZERO_CODE_MAX_BYTES           compressed package size limit (default 50 MiB)
// KZERO_CODE_MAX_UNPACKED_BYTES  uncompressed size limit (default 200 MiB)
// KZERO_CODE_MAX_ENTRIES         archive entry limit (default 10000)
// KZERO_LOG_LEVEL                debug, info, warn, error (default info)
import { parseLevel, type Level } from '../lib/log.js';
import { DEFAULT_LIMITS, type PackageLimits } from './package/tar.js';
import { parseCode, type CodeRef } from './request.js';

export type Mode = { readonly kind: 'warm'; readonly pool: string; readonly token: string } | { readonly kind: 'fallback'; readonly code: CodeRef };

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
    const token = env.KZERO_SPECIALIZE_TOKEN;
    if (token === undefined || token === '') throw new Error('KZERO_SPECIALIZE_TOKEN must be set (non-empty) in warm mode (KZERO_POOL is set)');
    mode = { kind: 'warm', pool, token };
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
