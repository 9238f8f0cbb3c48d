import { expect } from 'chai';
import { parseRuntimeConfig } from './config.js';

const sha = 'c'.repeat(64);

describe('parseRuntimeConfig', () => {
  it('warm mode with defaults', () => {
    const c = parseRuntimeConfig({ KZERO_POOL: 'default', KZERO_SPECIALIZE_TOKEN: 't' }, '/tmp');
    expect(c).to.deep.include({ port: 8080, adminPort: 8079, holdMs: 30_000, codeDir: '/tmp', fetchTimeoutMs: 10_000, logLevel: 'info' });
    expect(c.mode).to.deep.equal({ kind: 'warm', pool: 'default', token: 't' });
    expect(c.limits).to.deep.equal({ maxBytes: 50 * 1024 * 1024, maxUnpackedBytes: 200 * 1024 * 1024, maxEntries: 10_000 });
    expect(Object.isFrozen(c)).to.equal(true);
  });
  it('fallback mode with overrides', () => {
    const c = parseRuntimeConfig(
      { KZERO_CODE_URL: 'http://h/p.tgz', KZERO_CODE_SHA256: sha, PORT: '0', KZERO_ADMIN_PORT: '9000', KZERO_HOLD_SECONDS: '0.5', KZERO_CODE_DIR: '/code', KZERO_CODE_MAX_BYTES: '10', KZERO_CODE_MAX_UNPACKED_BYTES: '20' },
      '/tmp',
    );
    expect(c.mode).to.deep.equal({ kind: 'fallback', code: { url: 'http://h/p.tgz', sha256: sha } });
    expect(c).to.deep.include({ port: 0, adminPort: 9000, holdMs: 500, codeDir: '/code' });
    expect(c.limits).to.deep.include({ maxBytes: 10, maxUnpackedBytes: 20 });
  });
  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ['warm mode without a token', { KZERO_POOL: 'p' }, /KZERO_SPECIALIZE_TOKEN must be set \(non-empty\) in warm mode/],
    ['warm mode with an empty token', { KZERO_POOL: 'p', KZERO_SPECIALIZE_TOKEN: '' }, /KZERO_SPECIALIZE_TOKEN must be set/],
    ['fallback mode without a URL', { KZERO_CODE_SHA256: sha }, /KZERO_CODE_URL must be set in fallback mode/],
    ['fallback mode without a hash', { KZERO_CODE_URL: 'http://h/p' }, /KZERO_CODE_SHA256 must be set in fallback mode/],
    ['a bad hash', { KZERO_CODE_URL: 'http://h/p', KZERO_CODE_SHA256: 'xyz' }, /KZERO_CODE_SHA256: must be 64 hex digits/],
    ['a bad URL', { KZERO_CODE_URL: 'ftp://h/p', KZERO_CODE_SHA256: sha }, /KZERO_CODE_URL: must be an http\(s\) URL/],
    ['a bad port', { KZERO_POOL: 'p', KZERO_SPECIALIZE_TOKEN: 't', PORT: '70000' }, /PORT must be an integer 0-65535, got "70000"/],
    ['a bad hold', { KZERO_POOL: 'p', KZERO_SPECIALIZE_TOKEN: 't', KZERO_HOLD_SECONDS: '0' }, /KZERO_HOLD_SECONDS must be a positive number/],
  ];
  for (const [what, env, why] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => parseRuntimeConfig(env, '/tmp')).to.throw(why);
    });
  }
});
