// A window of per-second buckets of samples, keyed by time (ms since the epoch, always passed in), in the
// manner of Knative's aggregation.TimedFloat64Buckets (pkg/autoscaler/aggregation/bucketing.go). Values
// recorded in the same second add up (several activators' reports for one second). One window serves the
// stable and the panic averages: it keeps `lengthMs` worth of buckets and averages over any shorter span.
//
// Coverage, as in Knative: it starts at the first write, and starts again at the next write after a whole
// window without one, so an average right after traffic appears is over the seconds seen so far, not diluted
// by the time before. A second inside the coverage without a write counts as zero (Knative: gaps are zero).
//
// kzero differs in one place: seconds after the last write count as zero too (Knative leaves them out
// until a window has passed, then has no data), because activators may say nothing about a revision without
// traffic. Only the current second, if nothing has been written to it yet, is left out: its reports are
// probably still on their way.

export const BUCKET_MS = 1000;

/** Knative's decimal precision for the linear average. */
const PRECISION = 1e6;
/** Weighted exponential: the weights of a window sum to at least this much... */
const WEIGHT_PRECISION = 0.9999;
/** ...unless that makes the decay slower than this per bucket. */
const MIN_EXPONENT = 0.2;

export class BucketWindow {
  private size: number;
  private secs: number[];
  private values: number[];
  private first: number | undefined;
  private last: number | undefined;

  /** `lengthMs`: the longest span averages can be taken over; at least one bucket. */
  constructor(lengthMs: number) {
    this.size = bucketsFor(lengthMs);
    this.secs = new Array<number>(this.size).fill(Number.NaN);
    this.values = new Array<number>(this.size).fill(0);
  }

  get lengthMs(): number {
    return this.size * BUCKET_MS;
  }

  /** True until the first write. */
  isEmpty(): boolean {
    return this.last === undefined;
  }

  /** Adds `value` to the bucket of `now`. Values older than the window (relative to the newest) are dropped. */
  record(now: number, value: number): void {
    if (!Number.isFinite(now) || !Number.isFinite(value)) return;
    const sec = Math.floor(now / BUCKET_MS);
    if (this.last !== undefined) {
      if (sec <= this.last - this.size) return;
      if (sec - this.last >= this.size) this.first = sec; // a whole window without writes: start over
    }
    if (this.first === undefined || sec < this.first) this.first = sec;
    if (this.last === undefined || sec > this.last) this.last = sec;
    const slot = this.slot(sec);
    if (this.secs[slot] !== sec) {
      this.secs[slot] = sec;
      this.values[slot] = 0;
    }
    this.values[slot] = (this.values[slot] ?? 0) + value;
  }

  /** Plain average per second over the last `spanMs` (at most the window) up to `now`; 0 without data. */
  average(now: number, spanMs: number): number {
    const range = this.range(now, spanMs);
    if (!range) return 0;
    let sum = 0;
    for (let sec = range.start; sec <= range.end; sec++) sum += this.at(sec);
    return Math.round((sum / (range.end - range.start + 1)) * PRECISION) / PRECISION;
  }

  /**
   * Knative's weighted exponential average over the last `spanMs`: the newest second weighs most, each older
   * one (1 - c) times less, c chosen so the span's weights sum to ~1 (at least 0.2). Zeros before the
   * first write count, as in Knative.
   */
  weightedAverage(now: number, spanMs: number): number {
    const range = this.range(now, spanMs);
    if (!range) return 0;
    const n = Math.min(bucketsFor(spanMs), this.size);
    const c = Math.max(1 - Math.pow(1 - WEIGHT_PRECISION, 1 / n), MIN_EXPONENT);
    let weight = c;
    let sum = 0;
    for (let sec = range.end; sec > range.end - n; sec--) {
      sum += this.at(sec) * weight;
      weight *= 1 - c;
    }
    return sum;
  }

  /** Changes the window's length, keeping the newest buckets that still fit. */
  resize(lengthMs: number): void {
    const size = bucketsFor(lengthMs);
    if (size === this.size) return;
    const old = { secs: this.secs, values: this.values };
    this.size = size;
    this.secs = new Array<number>(size).fill(Number.NaN);
    this.values = new Array<number>(size).fill(0);
    old.secs.forEach((sec, i) => {
      if (this.last === undefined || Number.isNaN(sec) || sec <= this.last - size) return;
      const slot = this.slot(sec);
      this.secs[slot] = sec;
      this.values[slot] = old.values[i] ?? 0;
    });
  }

  /** The seconds [start, end] an average over `spanMs` at `now` covers, or undefined for none. */
  private range(now: number, spanMs: number): { start: number; end: number } | undefined {
    if (this.first === undefined || this.last === undefined) return undefined;
    const nowSec = Math.floor(now / BUCKET_MS);
    const end = this.written(nowSec) ? nowSec : nowSec - 1;
    const n = Math.min(bucketsFor(spanMs), this.size);
    // The coverage restarts on the next write after a whole window of silence; until then it is all zeros.
    const first = nowSec - this.last >= this.size ? end - n + 1 : this.first;
    const start = Math.max(end - n + 1, first);
    return end >= start ? { start, end } : undefined;
  }

  private written(sec: number): boolean {
    return this.secs[this.slot(sec)] === sec;
  }

  private at(sec: number): number {
    const slot = this.slot(sec);
    return this.secs[slot] === sec ? (this.values[slot] ?? 0) : 0;
  }

  private slot(sec: number): number {
    return ((sec % this.size) + this.size) % this.size;
  }
}

function bucketsFor(ms: number): number {
  return Number.isFinite(ms) && ms > BUCKET_MS ? Math.ceil(ms / BUCKET_MS) : 1;
}
