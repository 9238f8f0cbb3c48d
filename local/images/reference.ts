/**
 * Container image references, parsed and normalised the way Docker does it
 * (github.com/distribution/reference), so that `busybox`,
 * `docker.io/library/busybox:1.36` and `index.docker.io/library/busybox@sha256:…`
 * all name the same image in the image table.
 */

export interface ImageReference {
  /** registry host, with port if any, e.g. `docker.io`, `localhost:5000` */
  registry: string;
  /** path inside the registry, e.g. `library/busybox` */
  repository: string;
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:…` */
  digest?: string;
  /** `registry/repository`: what identifies the image regardless of version */
  name: string;
}

export const DEFAULT_REGISTRY = 'docker.io';

// Grammar from distribution/reference (regexp.go).
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const PORT = /^[0-9]+$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
// Docker's limit on the total length of a name.
const MAX_NAME_LENGTH = 255;

function invalid(ref: string, why: string): Error {
  return new Error(`invalid image reference ${JSON.stringify(ref)}: ${why}`);
}

/** A first path segment is a registry only if it looks like a host (Docker's rule). */
function looksLikeRegistry(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

function validRegistry(registry: string): boolean {
  // host[:port]; the port separator is the last ':' outside IPv6 brackets
  const portAt = registry.lastIndexOf(':');
  const hasPort = portAt > registry.lastIndexOf(']');
  const host = hasPort ? registry.slice(0, portAt) : registry;
  if (hasPort && !PORT.test(registry.slice(portAt + 1))) return false;
  if (IPV6_HOST.test(host)) return true;
  return host.split('.').every((c) => HOST_COMPONENT.test(c));
}

/** Parses and normalises an image reference; throws an Error naming `ref` if it is invalid. */
export function parseImageReference(ref: string): ImageReference {
  if (typeof ref !== 'string' || ref.length === 0) throw invalid(String(ref), 'empty');
  if (/\s/.test(ref)) throw invalid(ref, 'contains whitespace');

  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(ref, `bad digest ${JSON.stringify(digest)}`);
  }

  // The tag follows the last ':' only if it is in the last path segment;
  // an earlier ':' is a registry port (localhost:5000/app).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(ref, `bad tag ${JSON.stringify(tag)}`);
  }
  if (rest.length === 0) throw invalid(ref, 'no repository name');
  if (rest.length > MAX_NAME_LENGTH) throw invalid(ref, `name longer than ${MAX_NAME_LENGTH} characters`);

  const segments = rest.split('/');
  let registry = DEFAULT_REGISTRY;
  const first = segments[0];
  if (segments.length > 1 && first !== undefined && looksLikeRegistry(first)) {
    segments.shift();
    if (!validRegistry(first)) throw invalid(ref, `bad registry ${JSON.stringify(first)}`);
    // Docker Hub's legacy host is the same registry.
    registry = first === 'index.docker.io' ? DEFAULT_REGISTRY : first;
  }
  for (const segment of segments) {
    if (!PATH_COMPONENT.test(segment)) {
      const why = /[A-Z]/.test(segment) ? 'repository must be lowercase' : 'bad path component';
      throw invalid(ref, `${why} ${JSON.stringify(segment)}`);
    }
  }
  // Official Docker Hub images live under library/.
  if (registry === DEFAULT_REGISTRY && segments.length === 1) segments.unshift('library');

  const repository = segments.join('/');
  const name = `${registry}/${repository}`;

  const parsed: ImageReference = { registry, repository, name };
  if (tag !== undefined) parsed.tag = tag;
  if (digest !== undefined) parsed.digest = digest;
  return parsed;
}
