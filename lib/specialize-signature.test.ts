import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import { CLOCK_SKEW_MS, SIGNATURE_LIFETIME_MS, SignatureHeaders, SigningKey, VerifyingKeys, type SignedClaim } from './specialize-signature.js';

const NOW = Date.UTC(2025, 0, 1);
const CLAIM: SignedClaim = {
  pool: { namespace: 'team', name: 'node', uid: 'pool-uid-1' },
  pod: 'node-podpool-abc12',
  claim: '3b1c0b6e-0000-4000-8000-000000000001',
  body: '{"revision":"team/hello-00001","code":{"url":"https://code.example/x.tgz","sha256":"' + 'a'.repeat(64) + '"},"env":{}}',
};

describe('lib/specialize-signature', () => {
  const signer = SigningKey.generate();
  const keys = VerifyingKeys.parse(signer.publicKey, 'KZERO_POOL_PUBLIC_KEYS');
  const signed = signer.sign(CLAIM, NOW);

  it('a request signed for this pod, pool, claim and body verifies until it expires (with the clock skew tolerated)', () => {
    expect(Object.keys(signed).sort()).to.deep.equal(Object.values(SignatureHeaders).sort());
    expect(signed[SignatureHeaders.expires]).to.equal(String(NOW + SIGNATURE_LIFETIME_MS));
    expect(keys.check(signed, CLAIM, NOW)).to.equal(undefined);
    expect(keys.check(signed, { ...CLAIM, body: Buffer.from(CLAIM.body as string) }, NOW), 'the same bytes as a Buffer').to.equal(undefined);
    expect(keys.check(signed, CLAIM, NOW + SIGNATURE_LIFETIME_MS + CLOCK_SKEW_MS)).to.equal(undefined);
    // A pod whose clock runs behind the signer's by up to the skew.
    expect(keys.check(signer.sign(CLAIM, NOW + CLOCK_SKEW_MS), CLAIM, NOW)).to.equal(undefined);
  });

  const mismatch = /^signature does not match this request \(pod node-podpool-abc12 of pool team\/node, uid pool-uid-1, its claim and body\)$/;
  const refused: Array<[string, Partial<SignedClaim>]> = [
    ['another pod', { pod: 'node-podpool-xyz99' }],
    ['another pool name', { pool: { ...CLAIM.pool, name: 'other' } }],
    ['another namespace', { pool: { ...CLAIM.pool, namespace: 'other-team' } }],
    ['a recreated pool (new uid)', { pool: { ...CLAIM.pool, uid: 'pool-uid-2' } }],
    ['another claim id', { claim: '3b1c0b6e-0000-4000-8000-000000000002' }],
    ['a tampered body', { body: (CLAIM.body as string).replace('hello-00001', 'evil-00001') }],
    ['a body with one more byte', { body: `${CLAIM.body as string} ` }],
  ];
  for (const [what, change] of refused) {
    it(`refuses a signature checked against ${what}`, () => {
      const c = { ...CLAIM, ...change };
      expect(keys.check(signed, c, NOW)).to.match(/^signature does not match this request/);
      // The message names what this runtime checked against.
      if (!change.pod && !change.pool) expect(keys.check(signed, c, NOW)).to.match(mismatch);
    });
  }

  it('refuses an expired signature and one that lives longer than a signature may', () => {
    expect(keys.check(signed, CLAIM, NOW + SIGNATURE_LIFETIME_MS + CLOCK_SKEW_MS + 1)).to.equal('signature expired 5.0 s ago');
    expect(keys.check(signer.sign(CLAIM, NOW + CLOCK_SKEW_MS + 1), CLAIM, NOW)).to.equal('signature expires 35.0 s ahead, more than a signature lives (30 s)');
    // Moving the expiry by hand breaks the signature.
    const later = { ...signed, [SignatureHeaders.expires]: String(NOW + SIGNATURE_LIFETIME_MS + 1) };
    expect(keys.check(later, CLAIM, NOW)).to.match(/^signature does not match/);
  });

  it('refuses a key it does not hold, naming both', () => {
    const stranger = SigningKey.generate();
    expect(keys.check(stranger.sign(CLAIM, NOW), CLAIM, NOW)).to.equal(`signed by key "${stranger.keyId}", not one of this runtime's (${signer.keyId})`);
    // Claiming to be our key id does not help a stranger.
    const forged = { ...stranger.sign(CLAIM, NOW), [SignatureHeaders.key]: signer.keyId };
    expect(keys.check(forged, CLAIM, NOW)).to.match(/^signature does not match/);
  });

  it('rotation: a runtime with old and new keys takes both; once the old is dropped, only the new', () => {
    const next = SigningKey.generate();
    const both = VerifyingKeys.parse(`${signer.publicKey}, ${next.publicKey}`, 'KZERO_POOL_PUBLIC_KEYS');
    expect(both.ids).to.deep.equal([signer.keyId, next.keyId]);
    expect([both.check(signed, CLAIM, NOW), both.check(next.sign(CLAIM, NOW), CLAIM, NOW)]).to.deep.equal([undefined, undefined]);
    const newOnly = VerifyingKeys.parse(next.publicKey, 'KZERO_POOL_PUBLIC_KEYS');
    expect(newOnly.check(signed, CLAIM, NOW)).to.match(/^signed by key .*, not one of this runtime's/);
    expect(newOnly.check(next.sign(CLAIM, NOW), CLAIM, NOW)).to.equal(undefined);
  });

  it('refuses missing, repeated and malformed headers', () => {
    const notSigned = `not signed: want one each of the headers ${Object.values(SignatureHeaders).join(', ')}`;
    expect(keys.check({}, CLAIM, NOW)).to.equal(notSigned);
    for (const name of Object.values(SignatureHeaders)) {
      const { [name]: _dropped, ...rest } = signed;
      expect(keys.check(rest, CLAIM, NOW), `without ${name}`).to.equal(notSigned);
      expect(keys.check({ ...signed, [name]: [signed[name]!, signed[name]!] }, CLAIM, NOW), `${name} twice`).to.equal(notSigned);
    }
    expect(keys.check({ ...signed, [SignatureHeaders.expires]: '1e15' }, CLAIM, NOW)).to.equal('kzero-expires: want milliseconds since the epoch, got "1e15"');
    expect(keys.check({ ...signed, [SignatureHeaders.signature]: 'AAAA' }, CLAIM, NOW)).to.equal('kzero-signature: want a base64 Ed25519 signature');
    expect(keys.check({ ...signed, [SignatureHeaders.signature]: `${signed[SignatureHeaders.signature]!.slice(0, -2)}!=` }, CLAIM, NOW)).to.equal('kzero-signature: want a base64 Ed25519 signature');
  });

  it('public key lists: parse errors name the source and the key; toString gives back what parse takes', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const cases: Array<[string, RegExp]> = [
      ['', /^KZERO_POOL_PUBLIC_KEYS: no public keys$/],
      [' , ', /^KZERO_POOL_PUBLIC_KEYS: no public keys$/],
      [`${signer.publicKey},not base64!`, /^KZERO_POOL_PUBLIC_KEYS: key 2 is not base64$/],
      ['AAAA', /^KZERO_POOL_PUBLIC_KEYS: key 1 is not a public key/],
      [rsa, /^KZERO_POOL_PUBLIC_KEYS: key 1: want an Ed25519 key, got rsa$/],
    ];
    for (const [list, want] of cases) expect(() => VerifyingKeys.parse(list, 'KZERO_POOL_PUBLIC_KEYS'), JSON.stringify(list)).to.throw(want);
    const next = SigningKey.generate();
    const both = VerifyingKeys.parse(`${signer.publicKey},${next.publicKey},${signer.publicKey}`, 'x');
    expect(both.toString()).to.equal(`${signer.publicKey},${next.publicKey}`);
  });

  it('PEM files: public keys only, one or more; a private key or anything else is refused', () => {
    const pair = (): { publicKey: string; privateKey: string } => generateKeyPairSync('ed25519', { publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const a = pair();
    const b = pair();
    const file = VerifyingKeys.fromPem(`${a.publicKey}\n${b.publicKey}`, '/keys.pem');
    const aSigner = SigningKey.fromPem(a.privateKey, '/a.key');
    expect(file.ids).to.have.length(2).and.include(aSigner.keyId);
    expect(file.check(aSigner.sign(CLAIM, NOW), CLAIM, NOW)).to.equal(undefined);
    expect(VerifyingKeys.parse(file.toString(), 'env').ids).to.deep.equal(file.ids);
    expect(() => VerifyingKeys.fromPem(a.privateKey, '/keys.pem')).to.throw(/^\/keys.pem: want only PEM public keys, found "-----BEGIN PRIVATE KEY-----/);
    expect(() => VerifyingKeys.fromPem('\n', '/keys.pem')).to.throw(/^\/keys.pem: no public keys$/);
    expect(() => SigningKey.fromPem(a.publicKey, '/a.key')).to.throw(/^\/a.key: not a PEM private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    expect(() => SigningKey.fromPem(rsa.privateKey, '/a.key')).to.throw(/^\/a.key: want an Ed25519 key, got rsa$/);
    expect(() => VerifyingKeys.fromPem(rsa.publicKey, '/keys.pem')).to.throw(/^\/keys.pem: key 1: want an Ed25519 key, got rsa$/);
  });
});
