import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PackageError } from '../errors.js';
import { extractEntries } from './extract.js';
import { packageLayout } from './layout.js';
import { gunzipPackage, parseTar, DEFAULT_LIMITS, type TarEntry } from './tar.js';

describe('extractEntries', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(path.join(tmpdir(), 'kzero-extract-test-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('writes files and directories into a fresh directory with fixed modes', async () => {
    const entries: TarEntry[] = [
      { type: 'dir', path: 'lib' },
      { type: 'file', path: 'lib/deep/a.js', executable: false, data: Buffer.from('a') },
      { type: 'file', path: 'run.sh', executable: true, data: Buffer.from('#!/bin/sh') },
    ];
    const dir = await extractEntries(entries, parent);
    expect(path.dirname(dir)).to.equal(parent);
    expect(readFileSync(path.join(dir, 'lib/deep/a.js'), 'utf8')).to.equal('a');
    expect(statSync(path.join(dir, 'lib/deep/a.js')).mode & 0o777).to.equal(0o644);
    expect(statSync(path.join(dir, 'run.sh')).mode & 0o777).to.equal(0o755);
    // a second extraction gets its own directory
    expect(await extractEntries(entries, parent)).to.not.equal(dir);
  });

  it('rejects a file clashing with a directory', async () => {
    const entries: TarEntry[] = [
      { type: 'file', path: 'a/b', executable: false, data: Buffer.alloc(0) },
      { type: 'file', path: 'a', executable: false, data: Buffer.alloc(0) },
    ];
    const err = await extractEntries(entries, parent).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PackageError).with.property('message', 'entry "a" clashes with another entry of the package');
  });

  it('reads what GNU tar writes for `tar czf x.tgz app/`', async () => {
    const src = path.join(parent, 'src');
    mkdirSync(path.join(src, 'app', 'lib'), { recursive: true });
    writeFileSync(path.join(src, 'app', 'package.json'), '{"main":"lib/main.js"}');
    writeFileSync(path.join(src, 'app', 'lib', 'main.js'), 'module.exports = () => {}');
    writeFileSync(path.join(src, 'app', 'tool'), '#!/bin/sh');
    chmodSync(path.join(src, 'app', 'tool'), 0o700);
    const tgz = path.join(parent, 'x.tgz');
    execFileSync('tar', ['czf', tgz, '--format=gnu', 'app/'], { cwd: src });
    const entries = parseTar(await gunzipPackage(readFileSync(tgz), DEFAULT_LIMITS.maxUnpackedBytes));
    expect(packageLayout(entries)).to.deep.equal({ root: 'app', entry: 'app/lib/main.js' });
    const dir = await extractEntries(entries, path.join(parent, 'out'));
    expect(statSync(path.join(dir, 'app', 'tool')).mode & 0o777).to.equal(0o755);
    expect(readFileSync(path.join(dir, 'app', 'lib', 'main.js'), 'utf8')).to.equal('module.exports = () => {}');
  });
});
