import { expect } from 'chai';
import { fill, podView, replyView, wantedPod, wantedReply, type PodEvent, type Reply } from './expect.js';
import { RawConnection, WAIT_MS } from './raw.js';
import { clearRecord, edge, settledRecord, type Edge } from './suite.js';

// The table runner of the edge suite: each case writes raw bytes to the activator on a fresh connection and
// is checked whole, in one comparison: the replies the client got, whether the connection was closed, and
// exactly what each recorder pod saw.

export interface Step {
  /** Latin1 text; `{A}` and `{B}` name the hosts. */
  send: string;
  /** Final responses to wait for after this step, before the next one is written. */
  replies: number;
}

export interface EdgeCase {
  name: string;
  /** One write (latin1; `{A}` and `{B}` name the hosts), or steps: a request, its answer, the next on the same connection. */
  send: string | Step[];
  /** The methods of the requests in order, where a HEAD makes a difference to the framing. */
  methods?: string[];
  replies: Reply[];
  /** The server ended the connection. */
  closed: boolean;
  /** What namespace A's recorder saw, in order. */
  pod: PodEvent[];
  /** What namespace B's recorder saw (default: nothing). */
  podB?: PodEvent[];
}

/** A close comes right after the response it follows: this long without one means the connection stays. */
const STAYS_OPEN_MS = 150;

const finals = (replies: Reply[]): number => replies.filter((r) => r.status >= 200).length;

/** Clears both records before a case. */
export async function freshRecords(e: Edge): Promise<void> {
  await Promise.all([clearRecord(e.a), clearRecord(e.b)]);
}

/** Checks what `conn` got and what the pods saw against the case's expectations, in one comparison. */
export async function expectOutcome(e: Edge, conn: RawConnection, want: Omit<EdgeCase, 'name' | 'send'>): Promise<void> {
  await conn.closed(want.closed ? WAIT_MS : STAYS_OPEN_MS);
  const read = conn.read(want.methods);
  const [podA, podB] = await Promise.all([settledRecord(e.a), settledRecord(e.b)]);
  const wantB = want.podB ?? [];
  const lastComplete = read.responses[read.responses.length - 1]?.complete ?? true;
  const got = {
    replies: read.responses.map((r, i) => replyView(r, want.replies[i] ?? { status: 0 })),
    closed: conn.ended,
    // Bytes past the last response would be a response nobody asked for (or a desync).
    rest: lastComplete && !read.upgraded ? read.rest.toString('latin1') : '',
    readError: read.error,
    podA: podA.map((ev, i) => podView(ev, want.pod[i])),
    podB: podB.map((ev, i) => podView(ev, wantB[i])),
  };
  expect(got).to.deep.equal({
    replies: want.replies.map((r) => wantedReply(r, e.hosts)),
    closed: want.closed,
    rest: '',
    readError: undefined,
    podA: want.pod.map((p) => wantedPod(p, e.hosts, e.hosts.A)),
    podB: wantB.map((p) => wantedPod(p, e.hosts, e.hosts.B)),
  });
}

/** One mocha test per case (the suite's recorders deployed first, outside any case's time). */
export function runCases(cases: EdgeCase[]): void {
  before(async () => void (await edge()));
  for (const c of cases) {
    it(c.name, async () => {
      const e = await edge();
      await freshRecords(e);
      const conn = await RawConnection.open();
      try {
        const steps: Step[] = typeof c.send === 'string' ? [{ send: c.send, replies: finals(c.replies) }] : c.send;
        let n = 0;
        for (const step of steps) {
          await conn.write(fill(step.send, e.hosts));
          n += step.replies;
          await conn.responses(n, c.methods);
        }
        await expectOutcome(e, conn, c);
      } finally {
        conn.destroy();
      }
    });
  }
}

export const BAD_REQUEST: Reply = { status: 400, code: 'KZERO_BAD_REQUEST' };
export const TOO_LARGE: Reply = { status: 431, code: 'KZERO_HEAD_TOO_LARGE' };
export const NOT_IMPLEMENTED: Reply = { status: 501, code: 'KZERO_NOT_IMPLEMENTED' };
export const BAD_GATEWAY: Reply = { status: 502, code: 'KZERO_UPSTREAM_ERROR' };

/** The recorder's own answer to a request. */
export const answered = (method: string, target: string): Reply => ({ status: 200, body: `${method} ${target}\n` });

/** The activator answers `reply` itself, closes, and the pods see nothing. */
export const refused = (name: string, send: string, reply: Reply = BAD_REQUEST): EdgeCase => ({ name, send, replies: [reply], closed: true, pod: [] });
