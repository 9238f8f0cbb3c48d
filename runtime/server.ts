// The runtime's two HTTP faces.
//
// Admin port (both modes):
//   GET  /livez       200 "ok" while the process runs.
//   GET  /healthz     200 "ok" while waiting (once warmed up), specializing or serving; 503 "warming up" before,
//                     and 503 "<reason>" once specialization failed.
//   POST /specialize  warm mode only (404 in fallback mode). Signed by an autoscaler for this pod of this pool,
//                     this claim and this body, not expired (headers of lib/specialize-signature.ts), else 401
//                     saying why. Body (JSON, max 64 KiB, else 413) validated by request.ts (400 naming the field).
//                     200 {revision, fetchMs, extractMs, loadMs, totalMs} once the app is ready to serve;
//                     409 when this process already specialized (or is specializing, or failed) for another
//                     revision; 422 bad package; 502 fetch failure (asked again, the revision gets its failure
//                     again). Errors are JSON {error}; a 409 adds takenMs, how long ago this process was
//                     taken (a claimer that died before its claim patch leaves a pod others can recognise).
//                     With `Prefer: respond-async` (the claimer's reservation): 202 {revision} at once when
//                     this process takes (or already has) the revision and loads it in the background; 409 as
//                     above. The process takes one revision in its life: this is what makes a claim exclusive.
// Serving port: the app's handler once specialized; before that requests are held up to KZERO_HOLD_SECONDS
//   (then 503 "not specialized"); after a failure 503 with the reason.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { messageOf } from '../lib/errors.js';
import { BodyTooLarge, readBody } from '../lib/http-server.js';
import type { Logger } from '../lib/log.js';
import type { PoolIdentity, VerifyingKeys } from '../lib/specialize-signature.js';
import { invoke } from './app.js';
import { RuntimeError } from './errors.js';
import { MAX_BODY_BYTES, parseSpecializeRequest } from './request.js';
import type { Settled, Specializer, State } from './specialize.js';

/** What a /specialize signature is checked against: this runtime's pool and pod, and its public keys. */
export interface SpecializeAuth {
  readonly pool: PoolIdentity;
  readonly pod: string;
  readonly keys: VerifyingKeys;
  readonly now: () => number;
}

export interface AdminDeps {
  readonly specializer: Specializer;
  /** Warm mode's signature check; undefined in fallback mode, where /specialize does not exist. */
  readonly auth: SpecializeAuth | undefined;
  readonly log: Logger;
  /** False while a warm runtime is still warming up (prewarm.ts): it is not Ready to be claimed yet. */
  readonly warmedUp?: () => boolean;
}

export function adminHandler({ specializer, auth, log, warmedUp = () => true }: AdminDeps): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/livez') return void text(res, 200, 'ok\n');
    if (path === '/healthz') {
      const s = specializer.state;
      if (s.phase === 'failed') return void text(res, 503, `${s.reason}\n`);
      return void (s.phase === 'waiting' && !warmedUp() ? text(res, 503, 'warming up\n') : text(res, 200, 'ok\n'));
    }
    if (path !== '/specialize' || auth === undefined) return void json(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return void json(res, 405, { error: 'method not allowed: use POST' }, { allow: 'POST' });
    readBody(req, MAX_BODY_BYTES)
      .then((raw) => {
        let body: unknown;
        let notJson: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch (err) {
          notJson = err;
        }
        // The signature first: an unsigned caller learns nothing about the body it sent.
        const claim = (body as { claim?: unknown } | null)?.claim;
        const refused = auth.keys.check(req.headers, { pool: auth.pool, pod: auth.pod, claim: typeof claim === 'string' ? claim : '', body: raw }, auth.now());
        if (refused !== undefined) {
          log.warn('specialize refused', { reason: refused });
          throw new RuntimeError('UNAUTHORIZED', refused);
        }
        if (notJson !== undefined) throw new RuntimeError('BAD_REQUEST', `body is not valid JSON: ${messageOf(notJson)}`);
        const parsed = parseSpecializeRequest(body);
        return /\brespond-async\b/i.test(String(req.headers.prefer ?? '')) ? specializer.start(parsed) : specializer.specialize(parsed);
      })
      .then(
        (outcome) => json(res, outcome.status, outcome.body),
        (err: unknown) => {
          const status = err instanceof RuntimeError ? err.status : err instanceof BodyTooLarge ? 413 : 500;
          if (status === 500) log.error('specialize request failed', { error: messageOf(err) });
          const headers: Record<string, string> = status === 413 ? { connection: 'close' } : status === 401 ? { 'www-authenticate': 'KzeroSignature' } : {};
          json(res, status, { error: messageOf(err) }, headers);
        },
      );
  };
}

export interface ServingDeps {
  readonly specializer: Specializer;
  readonly holdMs: number;
  readonly log: Logger;
}

export function servingHandler({ specializer, holdMs, log }: ServingDeps): RequestListener {
  const serve = (s: Settled, req: IncomingMessage, res: ServerResponse): void => {
    if (s.phase === 'serving') invoke(s.handler, req, res, log);
    else text(res, 503, `${s.reason}\n`);
  };
  return (req, res) => {
    const s: State = specializer.state;
    if (s.phase === 'serving' || s.phase === 'failed') return serve(s, req, res);
    // Held: the activator may see this pod a few ms before /specialize returns.
    log.debug('holding request until specialized', { method: req.method, url: req.url });
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    void specializer.whenSettled(holdMs, gone.signal).then((settled) => {
      if (gone.signal.aborted) return;
      if (settled === undefined) return void text(res, 503, 'not specialized\n');
      serve(settled, req, res);
    });
  };
}

function text(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body) + '\n');
}
