import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { gunzipPackage, parseTar } from '../runtime/package/tar.js';
import { readTree, writePackage } from './package.js';

describe('cli/package (kzero package DIR)', () => {
  const tree = async (files: Record<string, string>): Promise<string> => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kzero-pkg-'));
    for (const [name, body] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), body);
    }
    return dir;
  };

  it('packs every file, nested ones too, into a package the runtime parses back, and gives its sha256', async () => {
    const dir = await tree({ 'index.js': 'module.exports = (req, res) => res.end("hi")', 'lib/util.js': 'exports.x = 1' });
    const out = `${dir}.tgz`;
    const { sha256, bytes } = await writePackage(dir, out);
    const body = await readFile(out);
    expect([bytes, sha256]).to.deep.equal([body.length, createHash('sha256').update(body).digest('hex')]);
    const entries = parseTar(await gunzipPackage(body, 1 << 20)).filter((e) => e.type === 'file');
    expect(entries.map((e) => e.path).sort()).to.deep.equal(['index.js', 'lib/util.js']);
  });

  it('refuses a symbolic link, naming it (the runtime would refuse the package)', async () => {
    const dir = await tree({ 'index.js': 'x' });
    await symlink('/etc/passwd', path.join(dir, 'secret'));
    const err = await readTree(dir).catch((e: unknown) => e as Error);
    expect((err as Error).message).to.equal('secret: a symbolic link; code packages hold regular files only (the runtime refuses links)');
  });

  it('refuses a directory with no entry point at its top', async () => {
    const dir = await tree({ 'src/index.js': 'x' });
    const err = await readTree(dir).catch((e: unknown) => e as Error);
    expect((err as Error).message).to.match(/no package.json, index.js or index.mjs at its top/);
  });
});
