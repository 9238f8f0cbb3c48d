import { connect } from 'node:net';
import type { Clock, Timer } from '../../lib/clock.js';
import type { RevisionRegistry } from '../revisions.js';

/**
 * While requests wait for a cold revision, probe its starting pods directly (a TCP connect every 25 ms)
 * instead of waiting for the kubelet's next readiness probe: the first request goes out the moment the
 * app listens. Knative's activator does the same with HTTP probes.
 */
export class DirectProber {
  private timer: Timer | undefined;
  private readonly inflight = new Set<string>();

  constructor(private readonly registry: RevisionRegistry, private readonly clock: Clock, private readonly everyMs = 25) {}

  /** Called when a request starts waiting: makes sure the probe loop runs. */
  kick(): void {
    this.timer ??= this.clock.after(0, () => this.tick());
  }

  private tick(): void {
    this.timer = undefined;
    let waiting = false;
    for (const state of this.registry.all()) {
      if (state.backends.waiting === 0) continue;
      waiting = true;
      for (const ip of state.starting) {
        const key = `${ip}:${state.port}`;
        if (state.probed.has(ip) || this.inflight.has(key)) continue;
        this.inflight.add(key);
        const socket = connect({ host: ip, port: state.port, timeout: 200 });
        const done = (ok: boolean): void => {
          socket.destroy();
          this.inflight.delete(key);
          if (ok && state.starting.includes(ip)) {
            state.probed.add(ip);
            state.backends.addPod(ip);
          }
        };
        socket.once('connect', () => done(true));
        socket.once('timeout', () => done(false));
        socket.once('error', () => done(false));
      }
    }
    if (waiting) this.timer = this.clock.after(this.everyMs, () => this.tick());
  }

  stop(): void {
    this.timer?.cancel();
  }
}
