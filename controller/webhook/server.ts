import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log.js';
import { messageOf } from '../../lib/errors.js';
import { BodyTooLarge, readBody } from '../../lib/http-server.js';
import { defaultObject, validateObject, type AdmissionDeps, type AdmissionRequest, type AdmissionResponse } from './admission.js';

export const MAX_BODY = 3 * 1024 * 1024; // the API server's own request limit

/** The admission webhook over HTTPS: POST /default (mutating) and /validate (validating), AdmissionReview v1. */
export function webhookServer(opts: { cert: Buffer; key: Buffer; log: Logger; deps: AdmissionDeps }): Server {
  return createServer({ cert: opts.cert, key: opts.key }, admissionHandler(opts));
}

/** The request handler, apart from TLS. */
export function admissionHandler(opts: { log: Logger; deps: AdmissionDeps }): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, opts).catch((err: unknown) => {
      opts.log.error('webhook: request failed', { path: req.url, error: err });
      if (!res.headersSent) res.writeHead(500).end(messageOf(err));
    });
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: { log: Logger; deps: AdmissionDeps }): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/healthz') return void res.writeHead(200).end('ok\n');
  if (req.method !== 'POST' || (path !== '/default' && path !== '/validate')) return void res.writeHead(404).end('not found\n');
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLarge) return void res.writeHead(413, { Connection: 'close' }).end('request too large\n');
    throw err;
  }
  let review: { apiVersion?: string; kind?: string; request?: AdmissionRequest };
  try {
    review = JSON.parse(body.toString('utf8')) as typeof review;
  } catch (err) {
    return void res.writeHead(400).end(`invalid AdmissionReview: ${messageOf(err)}\n`);
  }
  const request = review.request;
  if (!request?.uid) return void res.writeHead(400).end('AdmissionReview has no request\n');
  let response: AdmissionResponse;
  try {
    response = path === '/default' ? defaultObject(request, opts.deps) : validateObject(request, opts.deps);
  } catch (err) {
    // A bug must not let a bad object in, nor hide which object hit it.
    opts.log.error('webhook: admission failed', { path, kind: request.kind?.kind, object: `${request.namespace}/${(request.object as { metadata?: { name?: string } })?.metadata?.name}`, error: err });
    response = { uid: request.uid, allowed: false, status: { code: 500, message: `kzero webhook: ${messageOf(err)}` } };
  }
  if (!response.allowed) {
    opts.log.info('webhook: denied', { kind: request.kind.kind, object: `${request.namespace}/${(request.object as { metadata?: { name?: string } })?.metadata?.name}`, reason: response.status?.message });
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
}
