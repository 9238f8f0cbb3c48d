// Fetches a code package with a deadline and a size limit enforced while streaming, then checks its sha256
// before anything parses it.
import { createHash } from 'node:crypto';
import { FetchError, PackageError } from '../errors.js';

export interface FetchOptions {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

/** The package's bytes. Throws FetchError (HTTP status, network, timeout, too large). */
export async function fetchPackage(url: string, { maxBytes, timeoutMs }: FetchOptions): Promise<Buffer> {
  const where = redact(url);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, { signal, redirect: 'follow' });
    if (!res.ok || res.body === null) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(`fetching code package ${where}: HTTP ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > maxBytes) {
      await res.body.cancel().catch(() => undefined);
      throw tooLarge(where, maxBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(where, maxBytes); // leaving the loop cancels the body
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
    return Buffer.concat(chunks, size);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (signal.aborted) throw new FetchError(`fetching code package ${where}: timed out after ${timeoutMs} ms`);
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    throw new FetchError(`fetching code package ${where}: ${(err as Error).message}${cause ? `: ${cause}` : ''}`);
  }
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
