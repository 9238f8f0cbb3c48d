import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../lib/log.js';
import { messageOf } from '../../lib/errors.js';
import { BodyTooLarge, readBody } from '../../lib/http-server.js';
import { defaultObject, validateObject, type AdmissionDeps, type AdmissionRequest, type AdmissionResponse } from './admission.js';
import { reviewPodWrite } from './pod-writes.js';

export const MAX_BODY = 3 * 1024 * 1024; // the API server's own request limit

/**
 * The admission webhook over HTTPS, AdmissionReview v1: POST /default (mutating) and /validate (validating) for
 * the Knative kinds and PodPools, POST /validate-pods for pod updates and deletes (pod-writes.ts).
 */
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
  const review = path === '/default' ? defaultObject : path === '/validate' ? validateObject : path === '/validate-pods' ? reviewPodWrite : undefined;
  if (req.method !== 'POST' || review === undefined) return void res.writeHead(404).end('not found\n');
  let body: Buffer;
  try {
    body = await readBody(req, MAX_BODY);
  } catch (err) {
    if (err instanceof BodyTooLarge) return void res.writeHead(413, { Connection: 'close' }).end('request too large\n');
    throw err;
  }
  let sent: { apiVersion?: string; kind?: string; request?: AdmissionRequest };
  try {
    sent = JSON.parse(body.toString('utf8')) as typeof sent;
  } catch (err) {
    return void res.writeHead(400).end(`invalid AdmissionReview: ${messageOf(err)}\n`);
  }
  const request = sent.request;
  if (!request?.uid) return void res.writeHead(400).end('AdmissionReview has no request\n');
  let response: AdmissionResponse;
  try {
    response = review(request, opts.deps);
  } catch (err) {
    // A bug must not let a bad object in, nor hide which object hit it.
    opts.log.error('webhook: admission failed', { path, kind: request.kind?.kind, object: objectKey(request), error: err });
    response = { uid: request.uid, allowed: false, status: { code: 500, message: `kzero webhook: ${messageOf(err)}` } };
  }
  if (!response.allowed) {
    opts.log.info('webhook: denied', { kind: request.kind.kind, object: objectKey(request), reason: response.status?.message });
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
}

/** namespace/name of the object a request is about (on DELETE there is no request.object). */
function objectKey(request: AdmissionRequest): string {
  return `${request.namespace}/${request.name ?? (request.object as { metadata?: { name?: string } } | undefined)?.metadata?.name}`;
}
