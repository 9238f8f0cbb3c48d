import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { PackageError } from '../errors.js';
import { MAX_CACHED_PACKAGES, PackageSource } from './source.js';

const URL = 'https://code.example/fn.tgz';
const body = Buffer.from('a code package');
const sha = createHash('sha256').update(body).digest('hex');

describe('runtime/package PackageSource', () => {
  let fetched: string[];
  const fetchBytes = async (url: string): Promise<Buffer> => {
    fetched.push(url);
    return body;
  };
  beforeEach(() => (fetched = []));

  it('without a cache: fetches and checks the sha256 every time', async () => {
    const source = new PackageSource(fetchBytes, undefined);
    expect(await source.get(URL, sha)).to.deep.equal(body);
    expect(await source.get(URL, sha)).to.deep.equal(body);
    expect(fetched).to.deep.equal([URL, URL]);
  });

  it('a sha256 mismatch is a PackageError naming both digests, and nothing is cached', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kzero-cache-'));
    const source = new PackageSource(fetchBytes, dir);
    const err = await source.get(URL, '0'.repeat(64)).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PackageError);
    expect((err as Error).message).to.equal(`code package sha256 mismatch: want ${'0'.repeat(64)}, got ${sha}`);
    expect(await readdir(dir)).to.deep.equal([]);
  });

  it('with a cache: the second runtime of the node reads it, by sha256, without fetching', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kzero-cache-'));
    expect(await new PackageSource(fetchBytes, dir).get(URL, sha)).to.deep.equal(body);
    expect(await readFile(path.join(dir, `${sha}.tgz`))).to.deep.equal(body);
    expect(await new PackageSource(fetchBytes, dir).get('https://elsewhere.example/same.tgz', sha)).to.deep.equal(body);
    expect(fetched).to.deep.equal([URL]);
  });

  it('a damaged cache entry is not used: fetched again and overwritten', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kzero-cache-'));
    await writeFile(path.join(dir, `${sha}.tgz`), 'not the package');
    expect(await new PackageSource(fetchBytes, dir).get(URL, sha)).to.deep.equal(body);
    expect(fetched).to.deep.equal([URL]);
    expect(await readFile(path.join(dir, `${sha}.tgz`))).to.deep.equal(body);
  });

  it(`keeps at most ${MAX_CACHED_PACKAGES} packages, evicting the least recently used`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kzero-cache-'));
    const old = new Date(Date.now() - 3_600_000);
    for (let i = 0; i < MAX_CACHED_PACKAGES; i++) {
      const name = path.join(dir, `${String(i).padStart(64, '0')}.tgz`);
      await writeFile(name, `p${i}`);
      await utimes(name, old, new Date(old.getTime() + i * 1000));
    }
    await new PackageSource(fetchBytes, dir).get(URL, sha);
    const left = await readdir(dir);
    expect(left).to.have.length(MAX_CACHED_PACKAGES);
    expect(left).to.include(`${sha}.tgz`);
    expect(left, 'the oldest went').to.not.include(`${'0'.repeat(64)}.tgz`);
  });
});
