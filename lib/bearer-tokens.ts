// The bearer tokens of the autoscaler's internal endpoints (/stats, /poke), kept one per line in a file
// (Secret kzero-autoscaler-token): the autoscaler accepts any of them and an activator sends the first, so a
// token is rotated without downtime (add the new one as a second line, restart the autoscalers; move it first,
// restart the activators; drop the old one).
import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 9110's token68, the form a bearer token takes in an Authorization header. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** The file's tokens, in order; `source` names the file in errors. */
export function parseBearerTokens(text: string, source: string): readonly [string, ...string[]] {
  const tokens = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  tokens.forEach((t, i) => {
    if (!TOKEN68.test(t)) throw new Error(`${source}: line ${i + 1} is not a bearer token (letters, digits and -._~+/ only)`);
  });
  const [first, ...rest] = tokens;
  if (first === undefined) throw new Error(`${source}: no bearer token`);
  return [first, ...rest];
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether `header` is `Bearer <one of tokens>`; every token is compared, in constant time whatever the lengths. */
export function bearerMatches(header: string | undefined, tokens: readonly string[]): boolean {
  // No scheme: the digest of '', which no token (never empty) has.
  const got = digest(header?.startsWith('Bearer ') ? header.slice(7) : '');
  let ok = false;
  for (const t of tokens) ok = timingSafeEqual(got, digest(t)) || ok;
  return ok;
}
