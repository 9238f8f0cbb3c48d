// Warm mode runs the whole specialization pipeline once at start on a tiny package (HTTP client, sha256,
// gunzip, tar parsing, extraction, the module loader), so that /specialize does not pay for first-use
// compilation: on a busy node that first use costs 50-100 ms, against a few ms when warm.
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadHandler } from './app.js';
import { extractEntries } from './package/extract.js';
import { fetchPackage } from './package/fetch.js';
import { packageLayout } from './package/layout.js';
import { packTarGz } from './package/pack.js';
import { gunzipPackage, parseTar } from './package/tar.js';

/** `selfUrl` is any small local URL (the admin /healthz); `codeDir` where packages are extracted. Never throws. */
export async function prewarm(selfUrl: string, codeDir: string): Promise<void> {
  let dir: string | undefined;
  try {
    await fetchPackage(selfUrl, { maxBytes: 1024, timeoutMs: 1000 });
    const gz = packTarGz({ 'index.js': 'module.exports = () => {};' });
    createHash('sha256').update(gz).digest('hex');
    const entries = parseTar(await gunzipPackage(gz, 1024 * 1024));
    const layout = packageLayout(entries);
    dir = await extractEntries(entries, codeDir);
    await loadHandler(path.join(dir, layout.entry), layout.entry);
  } catch {
    // only an optimisation
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
