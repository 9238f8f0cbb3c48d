// Signed /specialize requests. The autoscaler holds an Ed25519 private key and signs each request it sends a
// warm runtime; runtimes hold public keys only. A signature covers one pod of one pool (by UID), one claim id
// and one body, and expires soon: nothing a runtime's process holds (nor the tenant code that runs in it once
// specialized) lets anyone specialize another pod, and the internet-facing activator holds no key at all.
// Rotation: a runtime accepts any key of its list (add the new public key, let the pools roll, switch the
// autoscalers' private key, drop the old public key).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { messageOf } from './errors.js';

/** How long a signature is good for: each request is signed just before it is sent. */
export const SIGNATURE_LIFETIME_MS = 30_000;
/** The clock difference tolerated between the autoscaler's host and the pod's. */
export const CLOCK_SKEW_MS = 5_000;

/** The request headers that carry a signature. */
export const SignatureHeaders = Object.freeze({ key: 'kzero-key-id', expires: 'kzero-expires', signature: 'kzero-signature' });

export interface PoolIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** What one signature covers. */
export interface SignedClaim {
  readonly pool: PoolIdentity;
  /** The target pod's name. */
  readonly pod: string;
  /** The body's claim id ('' if it has none). */
  readonly claim: string;
  /** The body's exact bytes. */
  readonly body: string | Uint8Array;
}

/** One JSON array: no field can run into the next, whatever it holds. */
function signedBytes(c: SignedClaim, expires: number): Buffer {
  const digest = createHash('sha256').update(c.body).digest('hex');
  return Buffer.from(JSON.stringify(['kzero.dev/specialize/v1', c.pool.namespace, c.pool.name, c.pool.uid, c.pod, c.claim, digest, expires]));
}

const spki = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' });

/** A public key's short id, sent with each signature: a runtime picks the key by it, and names one it lacks. */
const keyIdOf = (publicKey: KeyObject): string => createHash('sha256').update(spki(publicKey)).digest('hex').slice(0, 16);

/** Strict base64 (Buffer.from skips what it cannot decode): undefined if `s` is not exactly that. */
function base64(s: string): Buffer | undefined {
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  return bytes.toString('base64') === s ? bytes : undefined;
}

function ed25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what}: want an Ed25519 key, got ${key.asymmetricKeyType}`);
  return key;
}

function publicKey(decode: () => KeyObject, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = decode();
  } catch (err) {
    throw new Error(`${what} is not a public key: ${messageOf(err)}`);
  }
  return ed25519(key, what);
}

/** The autoscaler's half: signs. */
export class SigningKey {
  readonly keyId: string;
  /** The public half as runtimes take it: base64 of its SPKI DER. */
  readonly publicKey: string;

  private constructor(private readonly key: KeyObject) {
    const pub = createPublicKey(key);
    this.keyId = keyIdOf(pub);
    this.publicKey = spki(pub).toString('base64');
  }

  /** A PEM private key (`openssl genpkey -algorithm ed25519`); `source` names it in errors. */
  static fromPem(pem: string, source: string): SigningKey {
    let key: KeyObject;
    try {
      key = createPrivateKey(pem);
    } catch (err) {
      throw new Error(`${source}: not a PEM private key: ${messageOf(err)}`);
    }
    return new SigningKey(ed25519(key, source));
  }

  /** A throwaway key pair (the runtime's prewarm rehearsal). */
  static generate(): SigningKey {
    return new SigningKey(generateKeyPairSync('ed25519').privateKey);
  }

  /** The headers that authorize `claim` from `now` for SIGNATURE_LIFETIME_MS. */
  sign(claim: SignedClaim, now: number): Record<string, string> {
    const expires = Math.floor(now) + SIGNATURE_LIFETIME_MS;
    return {
      [SignatureHeaders.key]: this.keyId,
      [SignatureHeaders.expires]: String(expires),
      [SignatureHeaders.signature]: sign(null, signedBytes(claim, expires), this.key).toString('base64'),
    };
  }
}

const PEM_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/** The runtime's half: the public keys it accepts, by id. */
export class VerifyingKeys {
  private constructor(private readonly byId: ReadonlyMap<string, KeyObject>) {}

  /** A comma list of base64 SPKI DER Ed25519 keys (what a pool template carries); `source` names it in errors. */
  static parse(list: string, source: string): VerifyingKeys {
    const entries = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
    return VerifyingKeys.of(entries.map((entry, i) => {
      const der = base64(entry);
      if (!der) throw new Error(`${source}: key ${i + 1} is not base64`);
      return publicKey(() => createPublicKey({ key: der, format: 'der', type: 'spki' }), `${source}: key ${i + 1}`);
    }), source);
  }

  /** PEM public keys, one block each (`openssl pkey -pubout`), and nothing else; `source` names the file in errors. */
  static fromPem(text: string, source: string): VerifyingKeys {
    const rest = text.replace(PEM_BLOCK, '').trim();
    if (rest !== '') throw new Error(`${source}: want only PEM public keys, found ${JSON.stringify(rest.slice(0, 40))}`);
    return VerifyingKeys.of((text.match(PEM_BLOCK) ?? []).map((pem, i) => publicKey(() => createPublicKey(pem), `${source}: key ${i + 1}`)), source);
  }

  private static of(keys: KeyObject[], source: string): VerifyingKeys {
    if (keys.length === 0) throw new Error(`${source}: no public keys`);
    return new VerifyingKeys(new Map(keys.map((k) => [keyIdOf(k), k])));
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /** The comma list `parse` takes. */
  toString(): string {
    return [...this.byId.values()].map((k) => spki(k).toString('base64')).join(',');
  }

  /** Undefined when `headers` hold a signature of `claim` by one of these keys, good at `now`; else why not. */
  check(headers: Readonly<Record<string, string | string[] | undefined>>, claim: SignedClaim, now: number): string | undefined {
    const one = (name: string): string | undefined => {
      const value = headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const keyId = one(SignatureHeaders.key);
    const expiresRaw = one(SignatureHeaders.expires);
    const sig = one(SignatureHeaders.signature);
    if (keyId === undefined || expiresRaw === undefined || sig === undefined) {
      return `not signed: want one each of the headers ${Object.values(SignatureHeaders).join(', ')}`;
    }
    if (!/^[0-9]{1,16}$/.test(expiresRaw)) return `${SignatureHeaders.expires}: want milliseconds since the epoch, got ${JSON.stringify(expiresRaw.slice(0, 32))}`;
    const expires = Number(expiresRaw);
    if (expires < now - CLOCK_SKEW_MS) return `signature expired ${((now - expires) / 1000).toFixed(1)} s ago`;
    if (expires > now + SIGNATURE_LIFETIME_MS + CLOCK_SKEW_MS) {
      return `signature expires ${((expires - now) / 1000).toFixed(1)} s ahead, more than a signature lives (${SIGNATURE_LIFETIME_MS / 1000} s)`;
    }
    const key = this.byId.get(keyId);
    if (!key) return `signed by key ${JSON.stringify(keyId.slice(0, 32))}, not one of this runtime's (${this.ids.join(', ')})`;
    const bytes = base64(sig);
    if (!bytes || bytes.length !== 64) return `${SignatureHeaders.signature}: want a base64 Ed25519 signature`;
    if (!verify(null, signedBytes(claim, expires), key, bytes)) {
      return `signature does not match this request (pod ${claim.pod} of pool ${claim.pool.namespace}/${claim.pool.name}, uid ${claim.pool.uid}, its claim and body)`;
    }
    return undefined;
  }
}
