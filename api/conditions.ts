import type { Condition, ConditionStatus, Status } from './serving/v1/types.js';

// Conditions as Knative keeps them (knative.dev/pkg/apis/condition_set.go): a happy condition (Ready or
// Succeeded) that is True only when every dependent is True, False as soon as one is False (taking its
// reason and message), and Unknown otherwise. lastTransitionTime moves only when a status changes.

export interface ConditionSet {
  readonly happy: string;
  readonly dependents: readonly string[];
}

export function conditionSet(happy: string, ...dependents: string[]): ConditionSet {
  return Object.freeze({ happy, dependents: Object.freeze([...dependents]) });
}

export type ConditionTypeOf<S extends ConditionSet> = S['happy'] | S['dependents'][number];

/** Reads and marks the conditions of `status` (mutated in place), with `now` as the transition time. */
export class ConditionManager {
  constructor(private readonly set: ConditionSet, private readonly status: Status, private readonly now: string) {}

  get(type: string): Condition | undefined {
    return this.status.conditions?.find((c) => c.type === type);
  }

  isHappy(): boolean {
    return this.get(this.set.happy)?.status === 'True';
  }

  /** Sets every missing condition of the set to Unknown. */
  initialize(): this {
    for (const type of [this.set.happy, ...this.set.dependents]) {
      if (!this.get(type)) this.put({ type, status: 'Unknown' });
    }
    return this;
  }

  markTrue(type: string): this {
    this.put({ type, status: 'True' });
    return this.recompute(type);
  }

  markFalse(type: string, reason: string, message: string): this {
    this.put({ type, status: 'False', reason, message });
    return this.recompute(type);
  }

  markUnknown(type: string, reason: string, message: string): this {
    this.put({ type, status: 'Unknown', reason, message });
    return this.recompute(type);
  }

  /** Copies a child's condition (status, reason, message) onto `type`. */
  propagate(type: string, from: Condition | undefined, fallbackReason: string, fallbackMessage: string): this {
    if (!from || from.status === 'Unknown') return this.markUnknown(type, from?.reason ?? fallbackReason, from?.message ?? fallbackMessage);
    if (from.status === 'True') return this.markTrue(type);
    return this.markFalse(type, from.reason ?? fallbackReason, from.message ?? fallbackMessage);
  }

  private put(next: Condition): void {
    const conditions = this.status.conditions ?? [];
    const prev = conditions.find((c) => c.type === next.type);
    const severity = this.set.dependents.includes(next.type) || next.type === this.set.happy ? undefined : 'Info';
    const cond: Condition = {
      type: next.type,
      status: next.status,
      ...(severity ? { severity } : {}),
      lastTransitionTime: prev && prev.status === next.status && prev.lastTransitionTime ? prev.lastTransitionTime : this.now,
      ...(next.reason ? { reason: next.reason } : {}),
      ...(next.message ? { message: next.message } : {}),
    };
    // Keep the list sorted by type, as Knative does, so that status is stable and diffs are small.
    this.status.conditions = [...conditions.filter((c) => c.type !== next.type), cond].sort((a, b) => a.type.localeCompare(b.type));
  }

  private recompute(changed: string): this {
    if (changed === this.set.happy || !this.set.dependents.includes(changed)) return this;
    const deps = this.set.dependents.map((t) => this.get(t));
    const failed = deps.find((c) => c?.status === 'False');
    if (failed) {
      this.put({ type: this.set.happy, status: 'False', reason: failed.reason ?? '', message: failed.message ?? '' });
    } else if (deps.every((c) => c?.status === 'True')) {
      this.put({ type: this.set.happy, status: 'True' });
    } else {
      const unknown = deps.find((c) => !c || c.status === 'Unknown');
      this.put({ type: this.set.happy, status: 'Unknown', reason: unknown?.reason ?? '', message: unknown?.message ?? '' });
    }
    return this;
  }
}

export function findCondition(status: Status | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function conditionStatus(status: Status | undefined, type: string): ConditionStatus | undefined {
  return findCondition(status, type)?.status;
}
