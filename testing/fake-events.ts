import type { KubernetesObject } from '@kubernetes/client-node';
import type { EventRecorder, EventType } from '../controller/runtime/events.js';

/** An EventRecorder that keeps the events as `"<type> <reason> <message>"`, as Knative's tests compare them. */
export class FakeEventRecorder implements EventRecorder {
  readonly events: string[] = [];
  /** The objects the events were about, `namespace/name`, in the same order. */
  readonly subjects: string[] = [];

  event(obj: KubernetesObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
    this.subjects.push(`${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`);
  }
}

/** Builds the string FakeEventRecorder keeps, for expectations: `eventf('Normal', 'Created', 'Created Route "%s"', 'foo')`. */
export function eventf(type: EventType, reason: string, format: string, ...args: string[]): string {
  let i = 0;
  return `${type} ${reason} ${format.replace(/%s/g, () => args[i++] ?? '')}`;
}
