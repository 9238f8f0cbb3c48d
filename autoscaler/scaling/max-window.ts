// The largest value recorded over the last `lengthMs`, in per-second buckets: what scale-down-delay holds a
// revision at (Knative's aggregation/max.TimeWindow, a descending-maxima window; Knative buckets by its 2s
// tick, kzero by the second). Time is passed in; records are expected in time order.

import { BUCKET_MS } from './window.js';

interface Entry {
  sec: number;
  value: number;
}

export class MaxWindow {
  private readonly size: number;
  /** Descending values, ascending seconds: the front is the current maximum. */
  private entries: Entry[] = [];

  constructor(readonly lengthMs: number) {
    this.size = Math.max(1, Math.ceil(lengthMs / BUCKET_MS));
  }

  /** Records `value` at `now` and returns the maximum over the window ending at `now`. */
  record(now: number, value: number): number {
    const sec = Math.floor(now / BUCKET_MS);
    let keep = value;
    // Two records in one second: the larger stands for it.
    const same = this.entries[this.entries.length - 1];
    if (same?.sec === sec) {
      keep = Math.max(keep, same.value);
      this.entries.pop();
    }
    // Values not above the new one can never be the maximum again.
    while ((this.entries[this.entries.length - 1]?.value ?? Infinity) <= keep) this.entries.pop();
    this.entries.push({ sec, value: keep });
    while (this.entries.length > 0 && sec - (this.entries[0] as Entry).sec >= this.size) this.entries.shift();
    return this.current();
  }

  /** The maximum as of the last record; 0 before any. */
  current(): number {
    return this.entries[0]?.value ?? 0;
  }
}
