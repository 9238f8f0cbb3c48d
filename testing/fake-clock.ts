import type { Clock, Timer } from '../lib/clock.js';

/** The time every test starts at unless it says otherwise: 2024-05-01T12:00:00.000Z. */
export const T0 = Date.parse('2024-05-01T12:00:00.000Z');

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A Clock that moves only when the test calls `advance(ms)`. Timers fire in order of their due time
 * (ties in the order they were set), each with `now()` equal to its due time; a timer set by a firing
 * timer fires in the same `advance` if it falls due within it.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Pending[] = [];

  constructor(start: number = T0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): Timer {
    const t: Pending = { at: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(t);
    return { cancel: () => void (this.timers = this.timers.filter((x) => x !== t)) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = this.after(ms, done);
      function done(): void {
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.timers.length;
  }

  /** Due times (ms after now) of the pending timers, soonest first. */
  pendingDelays(): number[] {
    return [...this.timers].sort((a, b) => a.at - b.at || a.seq - b.seq).map((t) => t.at - this.current);
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const t of this.timers) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}

/** Lets pending promise callbacks (and I/O callbacks queued before it) run. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
