import { expect } from 'chai';
import { PackageError } from '../errors.js';
import { packageLayout } from './layout.js';
import type { TarEntry } from './tar.js';

const file = (path: string, data = ''): TarEntry => ({ type: 'file', path, executable: false, data: Buffer.from(data) });
const dir = (path: string): TarEntry => ({ type: 'dir', path });

describe('packageLayout', () => {
  const cases: Array<[string, TarEntry[], { root: string; entry: string }]> = [
    ['index.js at the root', [file('index.js'), file('index.mjs')], { root: '', entry: 'index.js' }],
    ['index.mjs when there is no index.js', [file('index.mjs')], { root: '', entry: 'index.mjs' }],
    ['package.json main first', [file('index.js'), file('package.json', '{"main":"./src/server.js"}'), file('src/server.js')], { root: '', entry: 'src/server.js' }],
    ['main without extension', [file('package.json', '{"main":"lib/app"}'), file('lib/app.js')], { root: '', entry: 'lib/app.js' }],
    ['main naming a directory', [file('package.json', '{"main":"lib"}'), dir('lib'), file('lib/index.js')], { root: '', entry: 'lib/index.js' }],
    ['package.json without main', [file('package.json', '{"type":"module"}'), file('index.js')], { root: '', entry: 'index.js' }],
    ['a single wrapping directory', [dir('app'), file('app/package.json', '{"main":"s.js"}'), file('app/s.js')], { root: 'app', entry: 'app/s.js' }],
    ['a wrapping directory without its own entry', [file('app/index.js')], { root: 'app', entry: 'app/index.js' }],
  ];
  for (const [what, entries, want] of cases) {
    it(`finds ${what}`, () => {
      expect(packageLayout(entries)).to.deep.equal(want);
    });
  }

  const bad: Array<[string, TarEntry[], RegExp]> = [
    ['no entry point', [file('README.md')], /no entry point: want package.json "main", index.js or index.mjs/],
    ['two top-level directories', [file('a/index.js'), file('b/x')], /no entry point/],
    ['a missing main', [file('package.json', '{"main":"gone.js"}'), file('index.js')], /package.json main "gone.js" is not a file/],
    ['a main outside the package', [file('package.json', '{"main":"../x.js"}')], /must stay inside the package/],
    ['invalid package.json', [file('package.json', '{')], /package.json is not valid JSON/],
  ];
  for (const [what, entries, why] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => packageLayout(entries)).to.throw(PackageError, why);
    });
  }
});
