import { request } from 'node:https';
import { request as httpRequest } from 'node:http';

/** GETs `url` and resolves with the status code and body; rejects on connection errors or after `timeoutMs`. */
export function get(url: string, opts: { ca?: string | Buffer; insecure?: boolean; timeoutMs?: number } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? request : httpRequest;
    const req = send(u, { ca: opts.ca, rejectUnauthorized: !opts.insecure, timeout: opts.timeoutMs ?? 2000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves `true` once GET `url` answers 200. */
export async function healthy(url: string, opts: { ca?: string | Buffer; insecure?: boolean } = {}): Promise<true | undefined> {
  const r = await get(url, opts);
  return r.status === 200 ? true : undefined;
}
