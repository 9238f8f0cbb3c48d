import { expect } from 'chai';
import { SigningKey } from '../lib/specialize-signature.js';
import { parseRuntimeConfig } from './config.js';

const sha = 'c'.repeat(64);
const signer = SigningKey.generate();
const next = SigningKey.generate();
/** What a pool template gives a warm runtime (controller/reconciler/podpool/resources.ts). */
const WARM = { KZERO_POOL: 'default', KZERO_POOL_UID: 'pool-uid', KZERO_POD_NAME: 'default-podpool-abcde', KZERO_POD_NAMESPACE: 'team', KZERO_POOL_PUBLIC_KEYS: signer.publicKey };

describe('parseRuntimeConfig', () => {
  it('warm mode with defaults', () => {
    const c = parseRuntimeConfig(WARM, '/tmp');
    expect(c).to.deep.include({ port: 8080, adminPort: 8079, holdMs: 30_000, codeDir: '/tmp', fetchTimeoutMs: 10_000, logLevel: 'info' });
    if (c.mode.kind !== 'warm') throw new Error('want warm mode');
    expect([c.mode.pool, c.mode.pod, c.mode.keys.ids]).to.deep.equal([{ namespace: 'team', name: 'default', uid: 'pool-uid' }, 'default-podpool-abcde', [signer.keyId]]);
    expect(c.limits).to.deep.equal({ maxBytes: 50 * 1024 * 1024, maxUnpackedBytes: 200 * 1024 * 1024, maxEntries: 10_000 });
    expect(Object.isFrozen(c)).to.equal(true);
  });
  it('warm mode takes every public key of the list (rotation), and holds nothing that signs', () => {
    const c = parseRuntimeConfig({ ...WARM, KZERO_POOL_PUBLIC_KEYS: `${signer.publicKey},${next.publicKey}` }, '/tmp');
    if (c.mode.kind !== 'warm') throw new Error('want warm mode');
    expect(c.mode.keys.ids).to.deep.equal([signer.keyId, next.keyId]);
    expect(Object.keys(c.mode).sort()).to.deep.equal(['keys', 'kind', 'pod', 'pool']);
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
    ...(['KZERO_POOL_UID', 'KZERO_POD_NAME', 'KZERO_POD_NAMESPACE', 'KZERO_POOL_PUBLIC_KEYS'] as const).flatMap((key): Array<[string, Record<string, string>, RegExp]> => {
      const { [key]: _unset, ...without } = WARM;
      const message = new RegExp(`^${key} must be set \\(non-empty\\) in warm mode \\(KZERO_POOL is set\\)$`);
      return [[`warm mode without ${key}`, without, message], [`warm mode with an empty ${key}`, { ...WARM, [key]: '' }, message]];
    }),
    ['warm mode with a public key that is not one', { ...WARM, KZERO_POOL_PUBLIC_KEYS: `${signer.publicKey},c2VjcmV0` }, /^KZERO_POOL_PUBLIC_KEYS: key 2 is not a public key/],
    ['fallback mode without a URL', { KZERO_CODE_SHA256: sha }, /KZERO_CODE_URL must be set in fallback mode/],
    ['fallback mode without a hash', { KZERO_CODE_URL: 'http://h/p' }, /KZERO_CODE_SHA256 must be set in fallback mode/],
    ['a bad hash', { KZERO_CODE_URL: 'http://h/p', KZERO_CODE_SHA256: 'xyz' }, /KZERO_CODE_SHA256: must be 64 hex digits/],
    ['a bad URL', { KZERO_CODE_URL: 'ftp://h/p', KZERO_CODE_SHA256: sha }, /KZERO_CODE_URL: must be an http\(s\) URL/],
    ['a bad port', { ...WARM, PORT: '70000' }, /PORT must be an integer 0-65535, got "70000"/],
    ['a bad hold', { ...WARM, KZERO_HOLD_SECONDS: '0' }, /KZERO_HOLD_SECONDS must be a positive number/],
  ];
  for (const [what, env, why] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => parseRuntimeConfig(env, '/tmp')).to.throw(why);
    });
  }
});
