import type { V1Pod } from '@kubernetes/client-node';
import { findCondition } from '../api/conditions.js';
import { KzeroLabels, PoolStates, ServingLabels } from '../api/serving/labels.js';
import type { Revision } from '../api/serving/v1/types.js';
import type { Clock } from '../lib/clock.js';
import { RevisionBackends } from './net/backends.js';
import { isPodReady } from '../lib/kube/pods.js';

/** What the activator knows of one revision: its limits, its shard, its failure, its pods. */
export interface RevisionState {
  key: string;
  namespace: string;
  name: string;
  shard: string | undefined;
  containerConcurrency: number;
  timeoutMs: number;
  responseStartTimeoutMs: number;
  /** No bytes either way for this long cuts the connection; 0 for no limit. */
  idleTimeoutMs: number;
  backends: RevisionBackends;
  /** Pods with an IP that the kubelet does not call Ready yet: candidates for a direct probe. */
  starting: string[];
  /** Starting pods a direct probe found serving before the kubelet did. */
  probed: Set<string>;
  /** Pods the autoscaler said it claimed for us (IP -> when), until the informer shows them. */
  announced: Map<string, number>;
  /** IPs of pods claimed from a warm pool (cold starts they serve are the pool path). */
  pooled: Set<string>;
  port: number;
}

/** How long an announced pod serves without the informer confirming it. */
const ANNOUNCED_MS = 30_000;

/** The revisions and their pods, updated from the informers; the data plane reads it on every request. */
export class RevisionRegistry {
  private readonly revisions = new Map<string, RevisionState>();
  private readonly pods = new Map<string, Map<string, V1Pod>>();

  constructor(private readonly clock: Clock) {}

  get(namespace: string, name: string): RevisionState | undefined {
    return this.revisions.get(`${namespace}/${name}`);
  }

  all(): IterableIterator<RevisionState> {
    return this.revisions.values();
  }

  upsertRevision(rev: Revision): void {
    const namespace = rev.metadata.namespace ?? '';
    const name = rev.metadata.name ?? '';
    const key = `${namespace}/${name}`;
    const cc = rev.spec.containerConcurrency ?? 0;
    const state = this.revisions.get(key) ?? this.create(key, namespace, name, cc);
    state.shard = rev.metadata.labels?.[KzeroLabels.shard];
    state.containerConcurrency = cc;
    state.backends.containerConcurrency = cc;
    state.timeoutMs = (rev.spec.timeoutSeconds ?? 300) * 1000;
    state.responseStartTimeoutMs = (rev.spec.responseStartTimeoutSeconds ?? rev.spec.timeoutSeconds ?? 300) * 1000;
    state.idleTimeoutMs = (rev.spec.idleTimeoutSeconds ?? 0) * 1000;
    state.port = rev.spec.containers.find((c) => c.ports?.length)?.ports?.[0]?.containerPort ?? 8080;
    // A revision that cannot become ready fails its waiting requests now, not at their timeout.
    const ready = findCondition(rev.status, 'Ready');
    const failed = ready?.status === 'False' && rev.status?.observedGeneration === rev.metadata.generation;
    state.backends.fail(failed ? `revision "${name}" cannot become ready: ${ready?.reason}: ${ready?.message ?? ''}` : undefined);
    this.refreshPods(state);
  }

  deleteRevision(rev: Revision): void {
    const key = `${rev.metadata.namespace}/${rev.metadata.name}`;
    this.revisions.get(key)?.backends.fail(`revision "${rev.metadata.name}" was deleted`);
    this.revisions.delete(key);
  }

  upsertPod(pod: V1Pod): void {
    const key = this.podKey(pod);
    if (!key) return;
    let pods = this.pods.get(key);
    if (!pods) this.pods.set(key, (pods = new Map()));
    pods.set(pod.metadata?.name ?? '', pod);
    const state = this.revisions.get(key);
    if (state) this.refreshPods(state);
  }

  deletePod(pod: V1Pod): void {
    const key = this.podKey(pod);
    if (!key) return;
    this.pods.get(key)?.delete(pod.metadata?.name ?? '');
    const state = this.revisions.get(key);
    if (state) this.refreshPods(state);
  }

  private podKey(pod: V1Pod): string | undefined {
    const rev = pod.metadata?.labels?.[ServingLabels.revision];
    return rev ? `${pod.metadata?.namespace}/${rev}` : undefined;
  }

  private create(key: string, namespace: string, name: string, cc: number): RevisionState {
    const state: RevisionState = {
      key, namespace, name, shard: undefined, containerConcurrency: cc, timeoutMs: 300_000, responseStartTimeoutMs: 300_000, idleTimeoutMs: 0,
      backends: new RevisionBackends(this.clock, cc), starting: [], probed: new Set(), announced: new Map(), pooled: new Set(), port: 8080,
    };
    this.revisions.set(key, state);
    return state;
  }

  /**
   * Pods claimed from a warm pool and specialized for the revision, as the autoscaler answered a poke: they
   * serve now. The informer confirms them a few ms later (or, if it never does, they lapse).
   */
  announce(state: RevisionState, ips: readonly string[]): void {
    const now = this.clock.now();
    for (const ip of ips) {
      state.announced.set(ip, now);
      state.pooled.add(ip);
    }
    this.refreshPods(state);
  }

  /** Drops announced pods the informer never confirmed (claimed, then gone before it saw them). */
  expireAnnounced(): void {
    const horizon = this.clock.now() - ANNOUNCED_MS;
    for (const state of this.revisions.values()) {
      if ([...state.announced.values()].some((at) => at < horizon)) this.refreshPods(state);
    }
  }

  private refreshPods(state: RevisionState): void {
    const all = [...(this.pods.get(state.key)?.values() ?? [])];
    const pods = all.filter((p) => !p.metadata?.deletionTimestamp && p.status?.podIP);
    const ready = pods.filter(isPodReady).map((p) => p.status!.podIP!);
    state.starting = pods.filter((p) => !isPodReady(p) && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded').map((p) => p.status!.podIP!);
    state.probed = new Set(state.starting.filter((ip) => state.probed.has(ip)));
    const known = new Set(all.map((p) => p.status?.podIP));
    const horizon = this.clock.now() - ANNOUNCED_MS;
    for (const [ip, at] of state.announced) if (known.has(ip) || at < horizon) state.announced.delete(ip);
    state.pooled = new Set([...pods.filter((p) => p.metadata?.labels?.[KzeroLabels.poolState] === PoolStates.claimed).map((p) => p.status!.podIP!), ...state.announced.keys()]);
    state.backends.setPods([...new Set([...ready, ...state.probed, ...state.announced.keys()])]);
  }
}
