// The one-shot life of a runtime: waiting -> specializing -> serving | failed. Waiters (held requests)
// block on a "changed" signal with a deadline, never on a bare sleep.
import { messageOf } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import type { Handler } from './app.js';
import { asRuntimeError } from './errors.js';
import type { Loader, Timings } from './loader.js';
import type { SpecializeRequest } from '../api/kzero/v1alpha1/specialize.js';

export type State =
  | { readonly phase: 'waiting' }
  | { readonly phase: 'specializing'; readonly revision: string; readonly claim?: string; readonly since: number; readonly done: Promise<void> }
  | { readonly phase: 'serving'; readonly revision: string; readonly claim?: string; readonly since: number; readonly handler: Handler; readonly timings: Timings }
  | { readonly phase: 'failed'; readonly revision: string; readonly claim?: string; readonly since: number; readonly status: number; readonly reason: string };

export type Settled = Extract<State, { phase: 'serving' | 'failed' }>;

export interface Outcome {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class Specializer {
  private current: State = { phase: 'waiting' };
  private readonly waiters = new Set<() => void>();

  constructor(private readonly load: Loader, private readonly log: Logger, private readonly now: () => number = Date.now) {}

  get state(): State {
    return this.current;
  }

  /** Runs the one specialization this process gets; see the HTTP contract in server.ts. */
  async specialize(req: SpecializeRequest): Promise<Outcome> {
    const s = this.current;
    if (s.phase === 'specializing' && s.revision === req.revision) {
      await s.done; // a retry of the running one: answer as it ends
      return this.specialize(req);
    }
    if (s.phase === 'serving' && s.revision === req.revision) return ok(s.revision, s.timings);
    // Asked again after its reservation, the revision gets its own outcome: the failure, not a conflict.
    if (s.phase === 'failed' && s.revision === req.revision) return { status: s.status, body: { error: s.reason } };
    if (s.phase !== 'waiting') return this.conflict(s, conflictMessage(s, req.revision));

    let finish!: () => void;
    const claim = { ...(req.claim === undefined ? {} : { claim: req.claim }), since: this.now() };
    this.set({ phase: 'specializing', revision: req.revision, ...claim, done: new Promise<void>((r) => (finish = r)) });
    this.log.info('specializing', { revision: req.revision });
    try {
      // Let a reservation's 202 go out first: the load's synchronous start (opening the fetch) is not its business.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const { handler, timings } = await this.load(req);
      this.set({ phase: 'serving', revision: req.revision, ...claim, handler, timings });
      return ok(req.revision, timings);
    } catch (err) {
      const e = asRuntimeError(err);
      this.log.error('specialization failed', { revision: req.revision, code: e.code, error: messageOf(e) });
      this.set({ phase: 'failed', revision: req.revision, ...claim, status: e.status, reason: e.message });
      return { status: e.status, body: { error: e.message } };
    } finally {
      finish();
    }
  }

  /**
   * Takes `req`'s revision and starts loading it without waiting (the claimer's reservation): 202 once this
   * process is the revision's (now, or already, for the same claim), 409 when it is another revision's or
   * another claim's (two autoscaler replicas claiming for one revision must not both count this pod), the
   * failure when it failed.
   */
  start(req: SpecializeRequest): Outcome {
    const s = this.current;
    if (s.phase === 'waiting') {
      void this.specialize(req); // sets 'specializing' before its first await; its outcome is kept in the state
      return { status: 202, body: { revision: req.revision } };
    }
    if (s.revision !== req.revision) return this.conflict(s, conflictMessage(s, req.revision));
    if (s.claim !== req.claim) return this.conflict(s, `already claimed for ${s.revision} by another claimer`);
    if (s.phase === 'failed') return { status: s.status, body: { error: s.reason } };
    return { status: 202, body: { revision: s.revision } };
  }

  /**
   * 409, with how long ago this process was taken: a claimer that finds a pod taken long ago and still
   * labelled warm knows its claimer died before the claim patch, and deletes it (autoscaler/pool/claimer.ts).
   */
  private conflict(s: Exclude<State, { phase: 'waiting' }>, error: string): Outcome {
    return { status: 409, body: { error, takenMs: Math.max(0, this.now() - s.since) } };
  }

  /** The settled state, waiting for it up to `timeoutMs`; undefined when the time runs out or `abort` fires. */
  whenSettled(timeoutMs: number, abort?: AbortSignal): Promise<Settled | undefined> {
    return new Promise((resolve) => {
      const check = (): void => {
        const s = this.current;
        if (s.phase === 'serving' || s.phase === 'failed') done(s);
      };
      const done = (value: Settled | undefined): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        abort?.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => done(undefined);
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.waiters.add(check);
      abort?.addEventListener('abort', onAbort);
      check();
    });
  }

  private set(next: State): void {
    this.current = next;
    for (const wake of [...this.waiters]) wake();
  }
}

function ok(revision: string, timings: Timings): Outcome {
  return { status: 200, body: { revision, ...timings } };
}

function conflictMessage(s: Exclude<State, { phase: 'waiting' }>, wanted: string): string {
  if (s.phase === 'failed') return `already specialized for ${s.revision}, which failed: ${s.reason}`;
  return `already ${s.phase === 'serving' ? 'specialized' : 'specializing'} for ${s.revision}, cannot specialize for ${wanted}`;
}
