import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1PodStatus } from '@kubernetes/client-node';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import { isNotFound } from '../../../lib/kube/client.js';
import { podStatus } from './status.js';
import type { PodWorker } from './worker.js';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Writes pod status to the API: coalesced (many changes in one tick make one PATCH), one request in flight
 * per pod, and only when the status differs from what was last written.
 */
export class StatusWriter {
  private readonly pending = new Set<PodWorker>();
  private readonly written = new Map<string, { json: string; status: V1PodStatus }>();
  private readonly inflight = new Set<string>();
  private scheduled = false;

  constructor(private readonly deps: { core: CoreV1Api; clock: Clock; log: Logger }) {}

  mark(worker: PodWorker): void {
    this.pending.add(worker);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = [...this.pending];
      this.pending.clear();
      for (const w of batch) void this.flush(w);
    });
  }

  /** The status last written for a pod (to keep condition transition times stable). */
  last(uid: string): V1PodStatus | undefined {
    return this.written.get(uid)?.status;
  }

  forget(uid: string): void {
    this.written.delete(uid);
  }

  /** Writes the worker's current status now; resolves when it is written (or found unnecessary). */
  async flush(worker: PodWorker): Promise<void> {
    const { name, namespace, uid } = worker.pod.metadata ?? {};
    if (!name || !namespace || !uid) return;
    if (this.inflight.has(uid)) {
      this.pending.add(worker); // written again once the current request returns
      return;
    }
    const previous = this.written.get(uid)?.status ?? worker.pod.status;
    const status = podStatus({ ...worker.pod, status: previous }, worker.runtime, this.deps.clock.now());
    const json = JSON.stringify(status);
    if (this.written.get(uid)?.json === json) return;
    this.inflight.add(uid);
    try {
      // The uid in the patch makes the API server refuse it if the pod was recreated under the same name.
      await this.deps.core.patchNamespacedPodStatus({ name, namespace, body: { metadata: { uid }, status } }, mergePatch);
      this.written.set(uid, { json, status });
    } catch (err) {
      if (!isNotFound(err)) {
        this.deps.log.warn('pod: status update failed, retrying', { pod: `${namespace}/${name}`, error: err });
        this.deps.clock.after(1000, () => this.mark(worker));
      }
    } finally {
      this.inflight.delete(uid);
      if (this.pending.has(worker)) {
        this.pending.delete(worker);
        void this.flush(worker);
      }
    }
  }
}
