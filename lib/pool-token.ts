import { createHmac } from 'node:crypto';

/**
 * The bearer token of one PodPool's /specialize endpoint: an HMAC of the pool's identity under kzero's
 * internal key. The controller puts it in the pool's Secret (its pods read it from there); autoscalers
 * derive it, so they need no access to Secrets. A recreated pool (new UID) gets a new token.
 */
export function poolToken(internalKey: string, namespace: string, name: string, uid: string): string {
  return createHmac('sha256', internalKey).update(`kzero.dev/podpool/${namespace}/${name}/${uid}`).digest('hex');
}
