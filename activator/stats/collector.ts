import type { RevisionStat } from '../../api/kzero/v1alpha1/autoscaler-wire.js';
import type { RevisionState } from '../revisions.js';

/**
 * Per-revision load, sampled every 100 ms (in flight + waiting) and counted per request, reported and
 * reset each second. Waiting requests count as load, so a cold revision under a burst scales for the burst.
 */
export class StatsCollector {
  private readonly samples = new Map<string, { sum: number; n: number; requests: number; state: RevisionState }>();
  /** Sampling rounds this period: a revision idle in some of them averages over all of them. */
  private rounds = 0;

  request(state: RevisionState): void {
    this.entry(state).requests++;
  }

  sample(states: Iterable<RevisionState>): void {
    this.rounds++;
    for (const s of states) {
      const load = s.backends.inflight + s.backends.waiting;
      const e = this.samples.get(s.key);
      if (!e && load === 0) continue;
      const entry = e ?? this.entry(s);
      entry.sum += load;
      entry.n++;
    }
  }

  /** The second's stats grouped by shard; resets. Revisions idle all second are left out. */
  drain(): Map<string, RevisionStat[]> {
    const byShard = new Map<string, RevisionStat[]>();
    for (const e of this.samples.values()) {
      if (e.sum === 0 && e.requests === 0) continue;
      const shard = e.state.shard ?? '';
      const list = byShard.get(shard) ?? [];
      list.push({ namespace: e.state.namespace, revision: e.state.name, concurrency: this.rounds ? e.sum / this.rounds : 0, requests: e.requests });
      byShard.set(shard, list);
    }
    this.samples.clear();
    this.rounds = 0;
    return byShard;
  }

  private entry(state: RevisionState): { sum: number; n: number; requests: number; state: RevisionState } {
    let e = this.samples.get(state.key);
    if (!e) this.samples.set(state.key, (e = { sum: 0, n: 0, requests: 0, state }));
    return e;
  }
}
