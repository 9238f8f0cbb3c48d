import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_LIMITS } from './package/tar.js';
import { prewarm } from './prewarm.js';

describe('runtime/prewarm', () => {
  it('runs a whole signed claim through (reservation, signature check, load, held request) and leaves nothing behind', async () => {
    const codeDir = await mkdtemp(path.join(tmpdir(), 'kzero-prewarm-'));
    try {
      expect(await prewarm({ codeDir, limits: DEFAULT_LIMITS })).to.equal(true);
      expect(await readdir(codeDir)).to.deep.equal([]);
    } finally {
      await rm(codeDir, { recursive: true, force: true });
    }
  });
});
