// The POST /specialize body (api/kzero/v1alpha1/specialize.ts): parsed and validated in one pure function,
// naming the bad field.
import type { CodeRef, SpecializeRequest } from '../api/kzero/v1alpha1/specialize.js';
import { RuntimeError } from './errors.js';

export const MAX_BODY_BYTES = 64 * 1024;

const REVISION = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\/[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const SHA256 = /^[0-9a-fA-F]{64}$/;
const CLAIM = /^[A-Za-z0-9-]{1,64}$/;

/** Unknown top-level fields are ignored, so that newer callers can add some. */
export function parseSpecializeRequest(body: unknown): SpecializeRequest {
  if (!isObject(body)) throw bad('body must be a JSON object');
  const { revision } = body;
  if (typeof revision !== 'string' || !REVISION.test(revision)) {
    throw bad(`field "revision": must be "<namespace>/<name>", got ${JSON.stringify(revision ?? null)}`);
  }
  const { claim } = body;
  if (claim !== undefined && (typeof claim !== 'string' || !CLAIM.test(claim))) {
    throw bad(`field "claim": must be 1-64 letters, digits or dashes, got ${JSON.stringify(claim)}`);
  }
  return Object.freeze({ revision, code: parseCode(body.code, 'code.'), env: parseEnv(body.env), ...(claim === undefined ? {} : { claim }) });
}

/** `prefix` names the fields in messages: "code." for the body, "KZERO_CODE_" for the fallback env. */
export function parseCode(code: unknown, prefix: string): CodeRef {
  const upper = prefix.endsWith('_');
  const field = (name: string): string => (upper ? `${prefix}${name.toUpperCase()}` : `field "${prefix}${name}"`);
  if (!isObject(code)) throw bad(`field "code": must be an object with url and sha256`);
  const { url, sha256 } = code;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw bad(`${field('url')}: must be an http(s) URL, got ${JSON.stringify(url ?? null)}`);
  }
  if (typeof sha256 !== 'string' || !SHA256.test(sha256)) throw bad(`${field('sha256')}: must be 64 hex digits, got ${JSON.stringify(sha256 ?? null)}`);
  return Object.freeze({ url: url as string, sha256: sha256.toLowerCase() });
}

function parseEnv(env: unknown): Readonly<Record<string, string>> {
  if (env === undefined || env === null) return Object.freeze({});
  if (!isObject(env)) throw bad('field "env": must be an object of name -> string value');
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name === '' || name.includes('=') || name.includes('\0')) throw bad(`field "env": bad variable name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || value.includes('\0')) throw bad(`field "env": value of ${name} must be a string without NUL`);
    out[name] = value;
  }
  return Object.freeze(out);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(message: string): RuntimeError {
  return new RuntimeError('BAD_REQUEST', message);
}
