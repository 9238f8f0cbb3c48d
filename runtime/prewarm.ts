// Warm mode rehearses a whole claim once at start, on throwaway servers, a throwaway key pair and a tiny
// package: a signed reservation (POST /specialize, Prefer: respond-async) and its signature check, the fetch, sha256, gunzip, tar parsing, extraction, the module
// loader, and a request held until the code is loaded, then served. A claim then does not pay for the
// first-use compilation of any of it: medians of 16 fresh processes on this project's machine, the
// reservation 7.1 -> 3.4 ms and the first request 16.5 -> 6.1 ms.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, request, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createLogger } from '../lib/log.js';
import { SigningKey, VerifyingKeys } from '../lib/specialize-signature.js';
import type { RuntimeConfig } from './config.js';
import { makeLoader } from './loader.js';
import { fetchPackage } from './package/fetch.js';
import { packTarGz } from './package/pack.js';
import { PackageSource } from './package/source.js';
import { adminHandler, servingHandler } from './server.js';
import { Specializer } from './specialize.js';

const REHEARSAL = { pool: { namespace: 'kzero-rehearsal', name: 'rehearsal', uid: 'rehearsal' }, pod: 'rehearsal' };

/**
 * Whether the whole rehearsal ran (false: the first claim pays for what it skipped). Never throws: it is only
 * an optimisation. The rehearsal's code is extracted under `codeDir` and removed.
 */
export async function prewarm(config: Pick<RuntimeConfig, 'codeDir' | 'limits'>): Promise<boolean> {
  const quiet = createLogger('runtime-prewarm', { write: () => undefined });
  const gz = packTarGz({ 'index.js': 'module.exports = (req, res) => res.end("ok");' });
  const sha256 = createHash('sha256').update(gz).digest('hex');
  const codeDir = path.join(config.codeDir, '.rehearsal');
  // Its own env: the rehearsal must not touch the process's (the real revision's env is set on /specialize).
  const specializer = new Specializer(makeLoader({ config: { ...config, codeDir }, env: {}, log: quiet, source: new PackageSource((url) => fetchPackage(url, { maxBytes: 1024 * 1024, timeoutMs: 1000 }), undefined) }), quiet);
  const servers: Server[] = [];
  try {
    // Its own key pair: the rehearsal goes through the same signature check as a claim, and nothing it signs
    // is good for any pod (the pair is dropped with this function's scope).
    const key = SigningKey.generate();
    const auth = { ...REHEARSAL, keys: VerifyingKeys.parse(key.publicKey, 'the rehearsal key'), now: Date.now };
    const code = await listen(servers, (_req, res) => void res.end(gz));
    const admin = await listen(servers, adminHandler({ specializer, auth, log: quiet }));
    const serving = await listen(servers, servingHandler({ specializer, holdMs: 5_000, log: quiet }));
    const held = call(`${serving}/`).catch(() => 0); // cut short below if the reservation fails
    const body = JSON.stringify({ revision: 'kzero/rehearsal', claim: 'rehearsal', code: { url: `${code}/code.tgz`, sha256 }, env: {} });
    const reserved = await call(`${admin}/specialize`, {
      ...key.sign({ ...REHEARSAL, claim: 'rehearsal', body }, Date.now()), prefer: 'respond-async', 'content-type': 'application/json',
    }, body);
    return reserved === 202 && (await held) === 200;
  } catch {
    return false; // only an optimisation
  } finally {
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    await rm(codeDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function listen(servers: Server[], handler: RequestListener): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One request with node:http (the runtime loads no other HTTP client into the app's process): its status; the body is drained. */
function call(url: string, headers: Record<string, string> = {}, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: body === undefined ? 'GET' : 'POST', headers, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer`)));
    req.on('error', reject);
    req.end(body);
  });
}
