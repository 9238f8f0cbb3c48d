import { HeadError } from './head-error.js';

// The request target (RFC 9112 section 3.2) and the Host it names (pure). The pod always gets
// origin-form: an absolute-form target is routed by its authority and rewritten, so that the host the
// activator routes by is the host the pod sees.

/** reg-name (RFC 3986 3.2.2) or an IP literal, then an optional port: what Host and an authority hold. */
const AUTHORITY = /^(?:\[[0-9A-Za-z:._~!$&'()*+,;=-]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::[0-9]*)?$/;
/** Visible ASCII: no SP, no CTL, no obs-text. */
const TARGET = /^[\x21-\x7e]+$/;
const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/;

export interface Target {
  /** What the pod gets: origin-form, or `*`. */
  path: string;
  /** The authority of an absolute-form target, which replaces Host. */
  authority: string | undefined;
}

const bad = (m: string): HeadError => new HeadError(400, m);

/** Parses `target` of a `method` request (CONNECT refused before). Throws HeadError 400. */
export function parseTarget(method: string, target: string): Target {
  if (!TARGET.test(target)) throw bad('invalid request target');
  if (target[0] === '/') return { path: target, authority: undefined };
  if (target === '*') {
    if (method !== 'OPTIONS') throw bad(`request target "*" with ${method}`);
    return { path: target, authority: undefined };
  }
  const m = ABSOLUTE.exec(target);
  if (!m) throw bad(`invalid request target "${target.slice(0, 60)}"`);
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  const rest = m[3]!;
  if (scheme !== 'http') throw bad(`unsupported scheme "${scheme.slice(0, 20)}" in the request target`);
  if (authority.includes('@')) throw bad('userinfo in the request target');
  if (!AUTHORITY.test(authority)) throw bad(`invalid authority "${authority.slice(0, 60)}" in the request target`);
  // RFC 9112 3.2.4: an empty path is "/", and "*" for OPTIONS.
  if (!rest) return { path: method === 'OPTIONS' ? '*' : '/', authority };
  return { path: rest[0] === '/' ? rest : `/${rest}`, authority };
}

/** Whether a Host value is an authority (or empty, which RFC 9110 7.2 allows). */
export function validHost(value: string): boolean {
  return value === '' || AUTHORITY.test(value);
}
