import { readFileSync } from 'node:fs';

/**
 * A bearer token kept in a file that its issuer rotates: a pod's projected service account token is replaced
 * by the kubelet well before it expires (an hour by default), so a long-running component must read it again,
 * not once at start. Read at most once a minute, as client-go does.
 */
export class TokenFile {
  private token = '';
  private readAt = -Infinity;

  constructor(readonly path: string, private readonly now: () => number = Date.now, private readonly maxAgeMs = 60_000) {}

  /** The Authorization header's value. */
  header(): string {
    const now = this.now();
    if (now - this.readAt >= this.maxAgeMs) {
      this.token = readFileSync(this.path, 'utf8').trim();
      this.readAt = now;
    }
    return `Bearer ${this.token}`;
  }
}
