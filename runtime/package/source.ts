// Where a code package's bytes come from: the node's content-addressed cache, or the URL. Both paths end
// in the same sha256 check, so a cache entry can never stand in for other code.
import { randomBytes } from 'node:crypto';
import { readFileSync, utimesSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { verifySha256 } from './fetch.js';

export type FetchBytes = (url: string) => Promise<Buffer>;

/** The cache keeps the newest packages (by last write or use) up to this many; older ones are removed. */
export const MAX_CACHED_PACKAGES = 64;

export class PackageSource {
  /**
   * @param cacheDir a directory shared by the runtimes of one node and namespace (files `<sha256>.tgz`),
   *   or undefined for no cache
   */
  constructor(private readonly fetchBytes: FetchBytes, private readonly cacheDir: string | undefined) {}

  /** The package's verified bytes. Throws FetchError or PackageError (sha256 mismatch). */
  async get(url: string, sha256: string): Promise<Buffer> {
    const cached = this.readCache(sha256);
    if (cached) return cached;
    const data = await this.fetchBytes(url);
    verifySha256(data, sha256);
    await this.writeCache(sha256, data);
    return data;
  }

  /**
   * Synchronous on purpose, like extraction: a claimed runtime has nothing else to do while it loads, and on
   * a busy node each thread-pool round trip (readFile alone makes four) costs more than the read (the pool
   * bench saw the cached read take 0.7 ms on a quiet node and up to 72 ms on a busy one).
   */
  private readCache(sha256: string): Buffer | undefined {
    if (!this.cacheDir) return undefined;
    try {
      const file = path.join(this.cacheDir, `${sha256}.tgz`);
      const data = readFileSync(file);
      verifySha256(data, sha256);
      const now = new Date();
      try {
        utimesSync(file, now, now); // in use: last to be evicted
      } catch {
        // evicted meanwhile: we have the bytes
      }
      return data;
    } catch {
      return undefined; // not cached, or damaged (sha256 mismatch): fetch again, and overwrite it
    }
  }

  /** Best effort: written to a temporary name and renamed, so a reader never sees half a file. */
  private async writeCache(sha256: string, data: Buffer): Promise<void> {
    if (!this.cacheDir) return;
    try {
      await mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
      const tmp = path.join(this.cacheDir, `.${sha256}.${randomBytes(4).toString('hex')}`);
      await writeFile(tmp, data, { mode: 0o600, flag: 'wx' });
      await rename(tmp, path.join(this.cacheDir, `${sha256}.tgz`));
      await this.evict();
    } catch {
      // no cache today: the next runtime fetches again
    }
  }

  /** Keeps the newest MAX_CACHED_PACKAGES entries. Runtimes racing here may both remove a file: harmless. */
  private async evict(): Promise<void> {
    const dir = this.cacheDir!;
    const names = (await readdir(dir)).filter((n) => n.endsWith('.tgz'));
    if (names.length <= MAX_CACHED_PACKAGES) return;
    const aged = await Promise.all(names.map(async (n) => ({ n, t: (await stat(path.join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })));
    aged.sort((a, b) => b.t - a.t);
    await Promise.all(aged.slice(MAX_CACHED_PACKAGES).map(({ n }) => rm(path.join(dir, n), { force: true })));
  }
}
