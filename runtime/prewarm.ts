// Warm mode runs the specialization code paths once at start (HTTP client, sha256, gunzip, tar parsing),
// so that /specialize does not pay for their first-use compilation.
import { createHash } from 'node:crypto';
import { fetchPackage } from './package/fetch.js';
import { packTarGz } from './package/pack.js';
import { gunzipPackage, parseTar } from './package/tar.js';

/** `selfUrl` is any small local URL (the admin /healthz). Never throws. */
export async function prewarm(selfUrl: string): Promise<void> {
  try {
    await fetchPackage(selfUrl, { maxBytes: 1024, timeoutMs: 1000 });
    const gz = packTarGz({ 'index.js': 'module.exports = () => {};' });
    createHash('sha256').update(gz).digest('hex');
    parseTar(await gunzipPackage(gz, 1024 * 1024));
  } catch {
    // only an optimisation
  }
}
