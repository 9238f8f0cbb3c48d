// `kzero package DIR`: a directory as a code package for pool-backed Revisions (a .tar.gz the warm runtime
// accepts), with the annotations that name it.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { packTarGz } from '../runtime/package/pack.js';

/** Every regular file under `dir`, by its path relative to `dir` ('/'-separated); links are refused. */
export async function readTree(dir: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(path.join(dir, rel))).sort()) {
      const relPath = rel ? `${rel}/${entry}` : entry;
      const info = await lstat(path.join(dir, relPath));
      if (info.isSymbolicLink()) throw new Error(`${relPath}: a symbolic link; code packages hold regular files only (the runtime refuses links)`);
      if (info.isDirectory()) await walk(relPath);
      else if (info.isFile()) files[relPath] = await readFile(path.join(dir, relPath));
      else throw new Error(`${relPath}: not a regular file or directory`);
    }
  };
  await walk('');
  if (!Object.keys(files).some((f) => ['package.json', 'index.js', 'index.mjs'].includes(f))) {
    throw new Error(`${dir}: no package.json, index.js or index.mjs at its top: the runtime would find no entry point`);
  }
  return files;
}

/** Writes the package and returns its sha256 (hex). */
export async function writePackage(dir: string, out: string): Promise<{ bytes: number; sha256: string }> {
  const body = packTarGz(await readTree(dir));
  await writeFile(out, body);
  return { bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
}
