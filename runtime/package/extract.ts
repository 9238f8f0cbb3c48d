// Writes parsed entries into a fresh directory. The entries are already safe paths (tar.ts); on top of that,
// files are created exclusively ('wx': never through an existing file or link) with fixed modes.
// Synchronous on purpose: while it specializes the runtime serves nothing (requests are held), and four
// thread-pool round trips per file cost more than the writes on a busy node.
import { closeSync, fchmodSync, mkdirSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PackageError } from '../errors.js';
import type { TarEntry } from './tar.js';

/** Extracts `entries` into a new directory under `parentDir` and returns that directory. */
export async function extractEntries(entries: readonly TarEntry[], parentDir: string): Promise<string> {
  mkdirSync(parentDir, { recursive: true });
  const dir = mkdtempSync(path.join(parentDir, 'kzero-code-'));
  const made = new Set<string>(['']);
  const ensureDir = (rel: string): void => {
    if (made.has(rel)) return;
    ensureDir(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));
    mkdirSync(path.join(dir, rel), { mode: 0o755 });
    made.add(rel);
  };
  for (const entry of entries) {
    try {
      if (entry.type === 'dir') {
        ensureDir(entry.path);
        continue;
      }
      const parent = path.posix.dirname(entry.path);
      ensureDir(parent === '.' ? '' : parent);
      const mode = entry.executable ? 0o755 : 0o644;
      const fd = openSync(path.join(dir, entry.path), 'wx', mode);
      try {
        for (let off = 0; off < entry.data.length;) off += writeSync(fd, entry.data, off);
        fchmodSync(fd, mode); // the umask must not change what the package gets
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new PackageError(`entry "${entry.path}" clashes with another entry of the package`);
      throw err;
    }
  }
  return dir;
}
