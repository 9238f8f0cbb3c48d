// Writes parsed entries into a fresh directory. The entries are already safe paths (tar.ts); on top of that,
// files are created exclusively ('wx': never through an existing file or link) with fixed modes.
import { mkdir, mkdtemp, open } from 'node:fs/promises';
import path from 'node:path';
import { PackageError } from '../errors.js';
import type { TarEntry } from './tar.js';

/** Extracts `entries` into a new directory under `parentDir` and returns that directory. */
export async function extractEntries(entries: readonly TarEntry[], parentDir: string): Promise<string> {
  await mkdir(parentDir, { recursive: true });
  const dir = await mkdtemp(path.join(parentDir, 'kzero-code-'));
  const made = new Set<string>(['']);
  const ensureDir = async (rel: string): Promise<void> => {
    if (made.has(rel)) return;
    await ensureDir(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));
    await mkdir(path.join(dir, rel), { mode: 0o755 });
    made.add(rel);
  };
  for (const entry of entries) {
    try {
      if (entry.type === 'dir') {
        await ensureDir(entry.path);
        continue;
      }
      const parent = path.posix.dirname(entry.path);
      await ensureDir(parent === '.' ? '' : parent);
      const mode = entry.executable ? 0o755 : 0o644;
      const file = await open(path.join(dir, entry.path), 'wx', mode);
      try {
        await file.writeFile(entry.data);
        await file.chmod(mode); // the umask must not change what the package gets
      } finally {
        await file.close();
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'EEXIST' || code === 'ENOTDIR') throw new PackageError(`entry "${entry.path}" clashes with another entry of the package`);
      throw err;
    }
  }
  return dir;
}
