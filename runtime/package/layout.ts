// Where a package's code starts: its root (the archive root, or the single directory wrapping everything,
// as `tar czf x.tgz app/` makes) and its entry point. Pure: works on parsed entries.
import path from 'node:path/posix';
import { PackageError } from '../errors.js';
import { safePath, type TarEntry } from './tar.js';

export interface Layout {
  /** The package root relative to the extraction directory: '' or one directory name. */
  readonly root: string;
  /** The entry point relative to the extraction directory. */
  readonly entry: string;
}

export function packageLayout(entries: readonly TarEntry[]): Layout {
  const root = packageRoot(entries);
  const files = new Map<string, Buffer>();
  for (const e of entries) if (e.type === 'file') files.set(e.path, e.data);
  const at = (rel: string): string => (root === '' ? rel : `${root}/${rel}`);

  const manifest = files.get(at('package.json'));
  if (manifest !== undefined) {
    const main = mainOf(manifest);
    if (main !== undefined) {
      const base = safeMain(main);
      for (const candidate of [base, `${base}.js`, `${base}.mjs`, `${base}.cjs`, `${base}/index.js`, `${base}/index.mjs`]) {
        if (files.has(at(candidate))) return { root, entry: at(candidate) };
      }
      throw new PackageError(`no entry point: package.json main ${JSON.stringify(main)} is not a file in the package`);
    }
  }
  for (const candidate of ['index.js', 'index.mjs']) {
    if (files.has(at(candidate))) return { root, entry: at(candidate) };
  }
  throw new PackageError('no entry point: want package.json "main", index.js or index.mjs at the package root');
}

/** '' when the archive root holds the code; the directory's name when it holds exactly one directory and nothing else. */
function packageRoot(entries: readonly TarEntry[]): string {
  const top = new Set<string>();
  let topFile = false;
  for (const e of entries) {
    const [first, ...rest] = e.path.split('/');
    top.add(first ?? '');
    if (rest.length === 0 && e.type === 'file') topFile = true;
  }
  const [only] = top;
  return top.size === 1 && !topFile && only !== undefined ? only : '';
}

function mainOf(manifest: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(manifest.toString('utf8'));
  } catch (err) {
    throw new PackageError(`package.json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PackageError('package.json must hold a JSON object');
  const main = (json as { main?: unknown }).main;
  if (main === undefined || main === '') return undefined;
  if (typeof main !== 'string') throw new PackageError('package.json "main" must be a string');
  return main;
}

function safeMain(main: string): string {
  let rel: string;
  try {
    rel = safePath(path.normalize(main));
  } catch {
    throw new PackageError(`package.json main ${JSON.stringify(main)} must stay inside the package`);
  }
  if (rel === '') throw new PackageError(`package.json main ${JSON.stringify(main)} names the package root, not a file`);
  return rel;
}
