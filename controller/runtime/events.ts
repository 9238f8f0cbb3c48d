import type { KubernetesObject } from '@kubernetes/client-node';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';
import { isNamespaceTerminating } from '../../lib/kube/client.js';
import type { ResourceClient } from '../../lib/kube/rest.js';
import type { CoreV1Event } from '@kubernetes/client-node';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void;
}

/**
 * Writes Kubernetes Events about an object, fire-and-forget. The same event for the same object within a
 * minute is written once, so a failing reconcile in a retry loop does not flood the API server.
 */
export class ApiEventRecorder implements EventRecorder {
  private readonly recent = new Map<string, number>();

  constructor(private readonly deps: { events: ResourceClient<CoreV1Event>; clock: Clock; log: Logger; component: string }) {}

  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void {
    const m = obj.metadata ?? {};
    const key = `${m.uid}/${type}/${reason}/${message}`;
    const now = this.deps.clock.now();
    if ((this.recent.get(key) ?? -Infinity) > now - 60_000) return;
    this.recent.set(key, now);
    if (this.recent.size > 10_000) this.recent.clear();
    const time = new Date(now).toISOString();
    const ev = {
      metadata: { generateName: `${m.name}.`, namespace: m.namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion },
      type, reason, message,
      source: { component: this.deps.component },
      firstTimestamp: time, lastTimestamp: time, count: 1,
      reportingComponent: this.deps.component,
    } as unknown as CoreV1Event;
    this.deps.events.create(ev).catch((err: unknown) => {
      // An event about an object in a namespace being deleted goes with it.
      if (!isNamespaceTerminating(err)) this.deps.log.warn('event: write failed', { object: `${m.namespace}/${m.name}`, reason, error: err });
    });
  }
}
