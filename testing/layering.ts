import path from 'node:path';

// Which relative imports cross from one component folder into another (pure: sources in, crossings out).
// Components meet only in the shared folders; e2e/ and bench/ drive the whole system and may import anything.

export const COMPONENTS: readonly string[] = Object.freeze(['activator', 'autoscaler', 'controller', 'runtime', 'local', 'cli']);

export interface Crossing {
  /** Repository-relative, '/'-separated. */
  readonly file: string;
  readonly specifier: string;
  /** The imported file, repository-relative. */
  readonly target: string;
}

// Static imports and re-exports (`from '...'`), side-effect imports and dynamic import('...').
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"\n]*)\1/g;

/** The relative module specifiers of one TypeScript source, in order. */
export function relativeSpecifiers(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[2] ?? '');
}

const componentOf = (file: string): string | undefined => {
  const top = file.split('/')[0] ?? '';
  return COMPONENTS.includes(top) ? top : undefined;
};

/** Every import in `sources` (repository-relative path -> text) from one component into another. */
export function crossings(sources: ReadonlyMap<string, string>): Crossing[] {
  const out: Crossing[] = [];
  for (const [file, text] of sources) {
    const from = componentOf(file);
    if (from === undefined) continue;
    for (const specifier of relativeSpecifiers(text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const to = componentOf(target);
      if (to !== undefined && to !== from) out.push({ file, specifier, target });
    }
  }
  return out;
}
