// Fetches a code package with a deadline and a size limit enforced while streaming, then checks its sha256
// before anything parses it.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { FetchError, PackageError } from '../errors.js';

export interface FetchOptions {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

const MAX_REDIRECTS = 5;

/**
 * The package's bytes. Throws FetchError (HTTP status, network, timeout, too large). Plain node:http(s)
 * rather than fetch(): no stream adapters to warm up, so a small package costs a few ms.
 */
export async function fetchPackage(url: string, { maxBytes, timeoutMs }: FetchOptions): Promise<Buffer> {
  const where = redact(url);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    let current = new URL(url);
    for (let hops = 0; ; hops++) {
      const got = await get(current, maxBytes, signal, where);
      if (got.kind === 'body') return got.data;
      if (hops >= MAX_REDIRECTS) throw new FetchError(`fetching code package ${where}: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(got.location, current);
      if (current.protocol !== 'http:' && current.protocol !== 'https:') throw new FetchError(`fetching code package ${where}: redirect to a non-http(s) URL`);
    }
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (signal.aborted) throw new FetchError(`fetching code package ${where}: timed out after ${timeoutMs} ms`);
    throw new FetchError(`fetching code package ${where}: ${(err as Error).message}`);
  }
}

type Got = { kind: 'body'; data: Buffer } | { kind: 'redirect'; location: string };

function get(url: URL, maxBytes: number, signal: AbortSignal, where: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', signal }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        res.resume();
        return resolve({ kind: 'redirect', location });
      }
      const fail = (err: FetchError): void => {
        res.destroy();
        reject(err);
      };
      if (status !== 200) return fail(new FetchError(`fetching code package ${where}: HTTP ${status}`));
      if (Number(res.headers['content-length'] ?? 0) > maxBytes) return fail(tooLarge(where, maxBytes));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) fail(tooLarge(where, maxBytes));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve({ kind: 'body', data: Buffer.concat(chunks, size) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Throws PackageError unless `data` hashes to `want` (hex, any case). */
export function verifySha256(data: Buffer, want: string): void {
  const got = createHash('sha256').update(data).digest('hex');
  if (got !== want.toLowerCase()) throw new PackageError(`code package sha256 mismatch: want ${want.toLowerCase()}, got ${got}`);
}

/** The URL without its query and credentials, which may hold secrets (signed URLs). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}

function tooLarge(where: string, maxBytes: number): FetchError {
  return new FetchError(`fetching code package ${where}: larger than the limit of ${maxBytes} bytes`);
}
