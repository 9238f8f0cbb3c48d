import type { Clock } from '../../lib/clock.js';
import { pickPod, type PodSlot } from './balancer.js';

/**
 * The ready pods of one revision and their in-flight requests. The pod set is replaced whole from the
 * informer; requests that find no pod with room wait, always with a deadline, and are woken when pods
 * appear or a request finishes (KEDA's ready-endpoints cache and Knative's breaker, in one).
 */
export class RevisionBackends {
  private pods: PodSlot[] = [];
  private readonly rr = { next: 0 };
  private waiters: Array<() => void> = [];
  /** Set when the revision cannot become ready: waiting requests fail at once with this. */
  failure: string | undefined;

  constructor(private readonly clock: Clock, public containerConcurrency: number) {}

  get readyCount(): number {
    return this.pods.length;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Replaces the set of ready pod IPs, keeping the in-flight counts of pods that stay. */
  setPods(ips: readonly string[]): void {
    const old = new Map(this.pods.map((p) => [p.ip, p]));
    this.pods = ips.map((ip) => old.get(ip) ?? { ip, inflight: 0 });
    if (this.pods.length) this.wake();
  }

  addPod(ip: string): void {
    if (this.pods.some((p) => p.ip === ip)) return;
    this.pods = [...this.pods, { ip, inflight: 0 }];
    this.wake();
  }

  fail(reason: string | undefined): void {
    this.failure = reason;
    if (reason) this.wake();
  }

  /**
   * A pod with room right now, reserved for one request (the warm path: no waiting, no allocation of timers);
   * none of the pods `except` (a failover after their connects failed).
   */
  tryAcquire(except?: readonly string[]): { ip: string; release: () => void } | undefined {
    if (this.failure) return undefined;
    const pods = except ? this.pods.filter((p) => !except.includes(p.ip)) : this.pods;
    const pod = pickPod(pods, this.containerConcurrency, Math.random, this.rr);
    if (!pod) return undefined;
    pod.inflight++;
    let released = false;
    return {
      ip: pod.ip,
      release: () => {
        if (released) return;
        released = true;
        pod.inflight--;
        this.wakeOne();
      },
    };
  }

  /**
   * A pod with room, reserved for one request (call the returned release when it is done), or
   * undefined once `deadline` passes or the revision has failed.
   */
  async acquire(deadline: number, signal: AbortSignal): Promise<{ ip: string; release: () => void } | undefined> {
    for (;;) {
      if (this.failure || signal.aborted) return undefined;
      const slot = this.tryAcquire();
      if (slot) return slot;
      const left = deadline - this.clock.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          timer.cancel();
          signal.removeEventListener('abort', done);
          this.waiters = this.waiters.filter((w) => w !== done);
          resolve();
        };
        const timer = this.clock.after(left, done);
        signal.addEventListener('abort', done, { once: true });
        this.waiters.push(done);
      });
    }
  }

  /** Requests currently being served, over all pods. */
  get inflight(): number {
    return this.pods.reduce((s, p) => s + p.inflight, 0);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wakeOne(): void {
    const f = this.waiters.shift();
    f?.();
  }
}
