import { expect } from 'chai';
import type { RecordedRequest } from '../../../local/images/apps/recorder-log.js';
import { fill, podView, replyView, wantedPod, wantedReply } from './expect.js';
import { readResponses } from './wire.js';

const hosts = { A: 'rec.a.localhost', B: 'rec.b.localhost' };
const recorded = (over: Partial<RecordedRequest> = {}): RecordedRequest => ({
  kind: 'request', seq: 1, conn: 1, method: 'POST', url: '/x', version: '1.1',
  headers: ['Host', hosts.A, 'Content-Length', '5', 'X-Forwarded-Proto', 'http'], trailers: [],
  body: Buffer.from('hello').toString('base64'), bodyBytes: 5, complete: true, upgrade: false, ...over,
});

describe('edge expectations', () => {
  it('fills in both hosts everywhere', () => {
    expect(fill('GET http://{B}/ HTTP/1.1\r\nHost: {A}\r\nX: {A}', hosts)).to.equal('GET http://rec.b.localhost/ HTTP/1.1\r\nHost: rec.a.localhost\r\nX: rec.a.localhost');
  });

  it("a pod's own answer matches a reply without a code; the activator's needs its code and Connection: close", () => {
    const [pod, own] = readResponses(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 7\r\n\r\nGET /x\nHTTP/1.1 400 Bad Request\r\nx-kzero-error: KZERO_BAD_REQUEST\r\nconnection: close\r\ncontent-length: 0\r\n\r\n'), [], false).responses;
    expect(replyView(pod, { status: 200, body: 'GET /x\n' })).to.deep.equal(wantedReply({ status: 200, body: 'GET /x\n' }, hosts));
    expect(replyView(own, { status: 400, code: 'KZERO_BAD_REQUEST' })).to.deep.equal(wantedReply({ status: 400, code: 'KZERO_BAD_REQUEST' }, hosts));
    expect(replyView(own, { status: 400 })).to.not.deep.equal(wantedReply({ status: 400 }, hosts));
    expect(replyView(pod, { status: 200, headers: { 'content-length': [] } })).to.not.deep.equal(wantedReply({ status: 200, headers: { 'content-length': [] } }, hosts));
    expect(replyView(undefined, { status: 200 })).to.deep.equal({ missing: true });
  });

  it('a recorded request matches its expectation with every default filled in', () => {
    expect(podView(recorded(), { method: 'POST', target: '/x', cl: ['5'], body: 'hello' })).to.deep.equal(wantedPod({ method: 'POST', target: '/x', cl: ['5'], body: 'hello' }, hosts, hosts.A));
  });

  it('a default left out is still compared: an unexpected length, body or host does not match', () => {
    expect(podView(recorded(), { method: 'POST', target: '/x' })).to.not.deep.equal(wantedPod({ method: 'POST', target: '/x' }, hosts, hosts.A));
    expect(podView(recorded(), { method: 'POST', target: '/x', cl: ['5'], body: 'hello' })).to.not.deep.equal(wantedPod({ method: 'POST', target: '/x', cl: ['5'], body: 'hello' }, hosts, hosts.B));
  });

  it('compares more fields only where asked, absent ones as []', () => {
    const want = { method: 'POST', target: '/x', cl: ['5'], body: 'hello', also: { 'x-forwarded-proto': ['http'], 'x-secret': [] } };
    expect(podView(recorded(), want)).to.deep.equal(wantedPod(want, hosts, hosts.A));
    expect(podView(recorded({ headers: [...recorded().headers, 'X-Secret', '1'] }), want)).to.not.deep.equal(wantedPod(want, hosts, hosts.A));
  });

  it("a pod's parse error matches only that error", () => {
    expect(podView({ kind: 'error', seq: 2, conn: 1, code: 'HPE_INVALID_CHUNK_SIZE' }, undefined)).to.deep.equal(wantedPod({ error: 'HPE_INVALID_CHUNK_SIZE' }, hosts, hosts.A));
  });
});
