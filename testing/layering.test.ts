import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { crossings, relativeSpecifiers } from './layering.js';

// This file runs as dist/testing/layering.test.js: the sources are two folders up.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SKIP = new Set(['node_modules', 'dist', '.git']);

function readSources(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${e.name}` : e.name;
    if (e.isDirectory() && !SKIP.has(e.name)) readSources(rel, out);
    else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.set(rel, readFileSync(path.join(ROOT, rel), 'utf8'));
  }
  return out;
}

/**
 * Crossings not yet removed, each `file -> imported file`: the cli is the local cluster's command line, and its
 * packer shares the code-package format with the runtime. The test fails on any other crossing, and on an
 * entry here that no longer happens, so this list only shrinks.
 */
const KNOWN: readonly string[] = Object.freeze([
  'cli/main.ts -> local/config.js',
  'cli/main.ts -> local/controlplane/cluster.js',
  'cli/sample.ts -> local/config.js',
  'cli/sample.ts -> local/controlplane/kzero.js',
  'cli/sample.ts -> local/kubectl.js',
  'cli/package.ts -> runtime/package/pack.js',
  'cli/package.test.ts -> runtime/package/tar.js',
]);

describe('layering: components meet only in api/, lib/ and testing/', () => {
  it('no component folder imports another one', () => {
    const sources = readSources('');
    expect(sources.size, `TypeScript sources under ${ROOT}`).to.be.greaterThan(100);
    const found = crossings(sources).map((c) => `${c.file} -> ${c.target}`);
    expect(found.filter((c) => !KNOWN.includes(c)), 'imports from one component into another').to.deep.equal([]);
    expect(KNOWN.filter((k) => !found.includes(k)), 'known crossings that are gone (drop them from KNOWN)').to.deep.equal([]);
  });

  describe('crossings', () => {
    const cases: Array<{ name: string; file: string; text: string; want: string[] }> = [
      { name: 'a component into another', file: 'autoscaler/pool/fit.ts', text: "import { x } from '../../controller/reconciler/names.js';", want: ['controller/reconciler/names.js'] },
      { name: 'a type-only import', file: 'activator/main.ts', text: "import type { X } from '../runtime/config.js';", want: ['runtime/config.js'] },
      { name: 'a re-export', file: 'cli/x.ts', text: "export { y } from '../activator/y.js';", want: ['activator/y.js'] },
      { name: 'a dynamic import', file: 'local/a/b.ts', text: "const m = await import('../../runtime/m.js');", want: ['runtime/m.js'] },
      { name: 'a side-effect import', file: 'runtime/a.ts', text: "import '../local/polyfill.js';", want: ['local/polyfill.js'] },
      { name: 'inside its own component', file: 'controller/reconciler/a.ts', text: "import { b } from '../runtime/driver.js';", want: [] },
      { name: 'into api, lib and testing', file: 'activator/a.test.ts', text: "import '../api/x.js';\nimport '../lib/y.js';\nimport '../testing/z.js';", want: [] },
      { name: 'from e2e and bench', file: 'e2e/a.ts', text: "import '../controller/x.js';", want: [] },
      { name: 'from a shared folder', file: 'testing/cluster.ts', text: "import '../controller/runtime/driver.js';", want: [] },
      { name: 'a package, not a file', file: 'activator/a.ts', text: "import { request } from 'undici';", want: [] },
    ];
    for (const c of cases) {
      it(c.name, () => expect(crossings(new Map([[c.file, c.text]])).map((x) => x.target)).to.deep.equal(c.want));
    }

    it('names the file and the specifier as written', () =>
      expect(crossings(new Map([['cli/a.ts', "import { b } from '../local/b.js';"]]))).to.deep.equal([{ file: 'cli/a.ts', specifier: '../local/b.js', target: 'local/b.js' }]));
  });

  it('relativeSpecifiers reads multi-line imports', () =>
    expect(relativeSpecifiers("import {\n  a,\n  b,\n} from '../x.js';\nimport c from \"./c.js\";")).to.deep.equal(['../x.js', './c.js']));
});
