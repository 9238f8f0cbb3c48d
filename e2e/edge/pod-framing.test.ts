import type { ScriptName } from '../../local/images/apps/recorder-scripts.js';
import { answered, BAD_GATEWAY, runCases, type EdgeCase } from './support/cases.js';
import type { Reply, Saw } from './support/expect.js';
import { get, head } from './support/requests.js';

// A misbehaving pod: the recorder answers /__respond/<name> with raw scripted bytes (recorder-scripts.ts).
// Pods are not trusted either: the activator frames what the client gets itself, answers 502 for a response
// it cannot frame unambiguously, and never lets bytes past a response reach the next request's client.

const respond = (name: ScriptName): string => `/__respond/${name}`;
const saw = (name: ScriptName): Saw => ({ method: 'GET', target: respond(name) });
/** The pod's answer is what the client gets, framed by the activator; the connection stays. */
const framed = (name: ScriptName, what: string, ...replies: Reply[]): EdgeCase => ({ name: `${name}: ${what}`, send: get(respond(name)), replies, closed: false, pod: [saw(name)] });
/** The activator answers 502 and closes. */
const refused = (name: ScriptName): EdgeCase => ({ name: `${name}: 502`, send: get(respond(name)), replies: [BAD_GATEWAY], closed: true, pod: [saw(name)] });
/** The response, then a second request on the same client connection gets the pod's real answer to it. */
const thenNext = (name: ScriptName, first: Reply): EdgeCase => ({
  name: `${name}: the next request gets its own answer`,
  send: [{ send: get(respond(name)), replies: 1 }, { send: get('/next'), replies: 1 }],
  replies: [first, answered('GET', '/next')],
  closed: false,
  pod: [saw(name), { method: 'GET', target: '/next' }],
});

describe('edge: a misbehaving pod', function () {
  runCases([
    framed('cl-and-te', 'chunked wins, no length', { status: 200, framing: 'chunked', body: 'hello', headers: { 'content-length': [], 'transfer-encoding': ['chunked'] } }),
    framed('conn-cl', 'the length is kept', { status: 200, framing: 'length', body: 'hello', headers: { 'content-length': ['5'] } }),
    framed('conn-te', 'chunked is kept', { status: 200, framing: 'chunked', body: 'hello', headers: { 'transfer-encoding': ['chunked'] } }),
    // 1xx are passed on (RFC 9110 15.2) before the final response.
    framed('early-hints', '103 passed on, then 200', { status: 103, headers: { link: ['</style.css>; rel=preload'] } }, { status: 200, body: 'ok' }),
    framed('continue-twice', 'two 100s passed on, then 200', { status: 100 }, { status: 100 }, { status: 200, body: 'ok' }),
    {
      name: 'close-delimited: passed on close-delimited, then closed',
      send: get(respond('close-delimited')),
      replies: [{ status: 200, framing: 'close', body: 'until the pod closes', headers: { 'content-length': [], 'transfer-encoding': [], connection: ['close'] } }],
      closed: true,
      pod: [saw('close-delimited')],
    },
    {
      name: 'bad-chunk: the response is cut where its framing breaks',
      send: get(respond('bad-chunk')),
      replies: [{ status: 200, framing: 'chunked', complete: false }],
      closed: true,
      pod: [saw('bad-chunk')],
    },
    thenNext('trailing-bytes', { status: 200, framing: 'length', body: 'hello' }),
    thenNext('no-content-with-body', { status: 204, framing: 'none', headers: { 'content-length': [] } }),
    refused('cl-differ'),
    refused('cl-list'),
    refused('cl-plus'),
    refused('unasked-101'),
    refused('big-head'),
    refused('nul-in-header'),
    refused('obs-fold'),
    refused('bare-lf'),
    refused('space-before-colon'),
    refused('many-fields'),
    refused('bad-status'),
    {
      // Nothing came back, but a POST may have done its work: it is not sent again (RFC 9110 9.2.2).
      name: 'a bodiless POST the pod hangs up on is not sent again',
      send: [{ send: get('/prime'), replies: 1 }, { send: head(`POST ${respond('hangup')} HTTP/1.1`, 'Host: {A}'), replies: 1 }],
      replies: [answered('GET', '/prime'), BAD_GATEWAY],
      closed: true,
      pod: [{ method: 'GET', target: '/prime' }, { method: 'POST', target: respond('hangup') }],
    },
    {
      // /prime leaves a kept-alive pod connection that the next request reuses: a GET that dies on a reused
      // connection before any answer is retried once on a fresh one (which the pod hangs up on too).
      name: 'a GET the pod hangs up on is retried once on a fresh connection',
      send: [{ send: get('/prime'), replies: 1 }, { send: get(respond('hangup')), replies: 1 }],
      replies: [answered('GET', '/prime'), BAD_GATEWAY],
      closed: true,
      pod: [{ method: 'GET', target: '/prime' }, saw('hangup'), saw('hangup')],
    },
  ]);
});
