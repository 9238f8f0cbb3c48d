import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Container } from '@kubernetes/client-node';
import type { Clock, Timer } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import { messageOf } from '../../../lib/errors.js';
import { logTerminationMessage } from '../logs.js';
import { nextFailureCount, restartDelayMs, shouldRestart, type BackoffPolicy, type RestartPolicy } from './backoff.js';
import { initialTally, nextProbeAt, probeSpec, recordProbe, resolvePort, type ProbeKind, type ProbeSpec, type ProbeTally } from './probes.js';
import { runProbe } from './probe-runner.js';
import { signalGroup, type Sandbox } from './sandbox.js';
import { exitCodeOf, exitReason, type ContainerRuntime, type Terminated } from './state.js';

/** What a container needs to start: its argv and env, or the reason it cannot (image, config). */
export type LaunchSpec = { argv: string[]; env: Record<string, string> } | { reason: string; message: string };

export interface ContainerDeps {
  clock: Clock;
  log: Logger;
  /** The pod's sandbox; it exists before any container starts. */
  sandbox: () => Sandbox;
  backoff: BackoffPolicy;
  /** Resolves image and env afresh on every start (a ConfigMap may appear later, as with the kubelet). */
  prepare(container: V1Container): Promise<LaunchSpec>;
  /** `<dir>/<restartCount>.log` receives the container's stdout and stderr. */
  logDir: string;
  workDir: string;
  /** The pod's terminationGracePeriodSeconds, for a restart after a failed liveness probe. */
  terminationGraceMs: number;
  onChange(): void;
}

/**
 * One container of a pod: starts it, restarts it under the restartPolicy with crash-loop back-off, runs its
 * startup, liveness and readiness probes, and stops it with SIGTERM then SIGKILL.
 */
export class ContainerRunner {
  readonly runtime: ContainerRuntime;
  private child: ChildProcess | undefined;
  private env: Record<string, string> = {};
  private failures = 0;
  private stopping = false;
  private timers: Timer[] = [];
  private probes: Array<{ spec: ProbeSpec; tally: ProbeTally }> = [];
  private exited: Promise<void> = Promise.resolve();
  private finish: (t: Terminated) => void = () => undefined;
  /** Resolves when the container has terminated for good (no restart follows). */
  readonly done: Promise<Terminated>;

  constructor(private readonly spec: V1Container, private readonly policy: RestartPolicy, private readonly deps: ContainerDeps, restartCount = 0) {
    this.runtime = { name: spec.name, image: spec.image ?? '', state: { kind: 'waiting', reason: 'ContainerCreating' }, restartCount, ready: false, started: false };
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  start(): void {
    void this.launch();
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    let launch: LaunchSpec;
    try {
      launch = await this.deps.prepare(this.spec);
    } catch (err) {
      launch = { reason: 'CreateContainerError', message: messageOf(err) };
    }
    if (this.stopping) return;
    if ('reason' in launch) return this.retryLater(launch.reason, launch.message);
    if (!existsSync(this.deps.workDir)) {
      return this.retryLater('CreateContainerError', `workingDir ${this.deps.workDir} does not exist on the process node`);
    }
    this.env = launch.env;
    this.spawn(launch.argv);
  }

  /** The container could not be created: report why and try again after a back-off, as the kubelet does. */
  private retryLater(reason: string, message: string): void {
    this.failures++;
    const delay = Math.max(1000, restartDelayMs(this.deps.backoff, this.failures));
    this.deps.log.warn('container: cannot start', { container: this.spec.name, reason, message, retryInMs: delay });
    // ErrImagePull once, then ImagePullBackOff while waiting to retry, like the kubelet.
    this.setState({ kind: 'waiting', reason, message });
    this.later(delay, () => void this.launch());
    if (reason === 'ErrImagePull') {
      this.later(Math.min(delay, 1000), () => {
        if (this.runtime.state.kind === 'waiting' && this.runtime.state.reason === 'ErrImagePull') {
          this.setState({ kind: 'waiting', reason: 'ImagePullBackOff', message: `Back-off pulling image "${this.spec.image}": ${message}` });
        }
      });
    }
  }

  private logTail(): string | undefined {
    try {
      return logTerminationMessage(readFileSync(join(this.deps.logDir, `${this.runtime.restartCount}.log`), 'utf8')) || undefined;
    } catch {
      return undefined;
    }
  }

  private spawn(argv: string[]): void {
    const n = this.runtime.restartCount;
    mkdirSync(this.deps.logDir, { recursive: true });
    const fd = openSync(join(this.deps.logDir, `${n}.log`), 'a');
    let child: ChildProcess;
    try {
      child = this.deps.sandbox().spawn(argv, { env: this.env, cwd: this.deps.workDir, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const startedAt = this.deps.clock.now();
    this.child = child;
    this.exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.once('error', (err) => this.onExit(startedAt, 127, null, `failed to start ${argv[0]}: ${err.message}`));
    child.once('exit', (code, signal) => this.onExit(startedAt, exitCodeOf(code, signal), signal));
    this.runtime.containerId = `${this.deps.sandbox().netns}/${this.spec.name}/${n}`;
    this.deps.log.info('container: started', { container: this.spec.name, pid: child.pid, restartCount: n });
    this.probes = this.probeSpecs().map((spec) => ({ spec, tally: initialTally(spec.kind) }));
    this.runtime.started = !this.probes.some((p) => p.spec.kind === 'startup');
    this.runtime.ready = this.runtime.started && !this.probes.some((p) => p.spec.kind === 'readiness');
    this.setState({ kind: 'running', startedAt });
    for (const p of this.probes) this.scheduleProbe(p, startedAt);
  }

  private onExit(startedAt: number, exitCode: number, signal: NodeJS.Signals | null, message?: string): void {
    if (this.runtime.state.kind !== 'running') return; // 'error' and 'exit' may both fire
    this.clearTimers();
    this.child = undefined;
    const now = this.deps.clock.now();
    if (!message && exitCode !== 0 && this.spec.terminationMessagePolicy === 'FallbackToLogsOnError') message = this.logTail();
    const terminated: Terminated = {
      kind: 'terminated', exitCode, reason: exitReason(exitCode), startedAt, finishedAt: now,
      ...(signal ? { signal } : {}), ...(message ? { message } : {}),
    };
    this.deps.log.info('container: exited', { container: this.spec.name, exitCode, signal });
    this.runtime.ready = false;
    this.runtime.started = false;
    if (this.stopping || !shouldRestart(this.policy, exitCode)) {
      this.setState(terminated);
      this.finish(terminated);
      return;
    }
    this.failures = exitCode === 0 && this.policy === 'Always' ? 0 : nextFailureCount(this.deps.backoff, this.failures, now - startedAt);
    const delay = restartDelayMs(this.deps.backoff, this.failures);
    this.runtime.lastTerminated = terminated;
    this.runtime.restartCount++;
    if (delay === 0) {
      this.setState({ kind: 'waiting', reason: 'ContainerCreating' });
      void this.launch();
      return;
    }
    this.setState({ kind: 'waiting', reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${this.spec.name}` });
    this.later(delay, () => void this.launch());
  }

  private probeSpecs(): ProbeSpec[] {
    const ref = `container ${this.spec.name}`;
    const out: ProbeSpec[] = [];
    const kinds: Array<[ProbeKind, V1Container['readinessProbe']]> = [
      ['startup', this.spec.startupProbe], ['liveness', this.spec.livenessProbe], ['readiness', this.spec.readinessProbe],
    ];
    for (const [kind, probe] of kinds) if (probe) out.push(probeSpec(kind, probe, ref));
    return out;
  }

  private scheduleProbe(p: { spec: ProbeSpec; tally: ProbeTally }, startedAt: number): void {
    const due = nextProbeAt(p.spec, p.tally, startedAt);
    this.later(Math.max(0, due - this.deps.clock.now()), () => void this.probe(p, startedAt));
  }

  private async probe(p: { spec: ProbeSpec; tally: ProbeTally }, startedAt: number): Promise<void> {
    const child = this.child;
    if (!child || this.stopping) return;
    // Liveness and readiness wait until the startup probe has passed.
    if (p.spec.kind !== 'startup' && !this.runtime.started) return this.scheduleProbe({ spec: p.spec, tally: { ...p.tally, lastRunAt: this.deps.clock.now() } }, startedAt);
    const ports = this.spec.ports ?? [];
    let ok: boolean;
    try {
      ok = await runProbe(p.spec.action, { sandbox: this.deps.sandbox(), env: this.env, cwd: this.deps.workDir, port: (port) => resolvePort(port, ports, `container ${this.spec.name}`) }, p.spec.timeoutMs);
    } catch (err) {
      this.deps.log.warn('container: probe error', { container: this.spec.name, probe: p.spec.kind, error: err });
      ok = false;
    }
    if (this.child !== child) return; // the container restarted meanwhile
    p.tally = recordProbe(p.spec, p.tally, ok, this.deps.clock.now());
    this.applyProbe(p);
    if (this.child === child) this.scheduleProbe(p, startedAt);
  }

  private applyProbe(p: { spec: ProbeSpec; tally: ProbeTally }): void {
    const { kind } = p.spec;
    const result = p.tally.result;
    if (kind === 'startup' && result === 'success' && !this.runtime.started) {
      this.runtime.started = true;
      this.runtime.ready = !this.probes.some((q) => q.spec.kind === 'readiness');
      this.deps.onChange();
    } else if (kind === 'readiness') {
      const ready = result === 'success';
      if (ready !== this.runtime.ready) {
        this.runtime.ready = ready;
        this.deps.onChange();
      }
    }
    if ((kind === 'liveness' || kind === 'startup') && result === 'failure') {
      this.deps.log.warn('container: probe failed, restarting', { container: this.spec.name, probe: kind });
      const child = this.child;
      if (child) void this.kill(child, this.deps.terminationGraceMs);
    }
  }

  /** Stops the container for good: SIGTERM, SIGKILL after `graceMs`. Resolves once it has exited. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    const child = this.child;
    if (!child) {
      if (this.runtime.state.kind !== 'terminated') {
        const now = this.deps.clock.now();
        const t: Terminated = { kind: 'terminated', exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now };
        if (this.runtime.state.kind === 'waiting') this.setState(t);
        this.finish(t);
      }
      return;
    }
    await this.kill(child, graceMs);
  }

  private async kill(child: ChildProcess, graceMs: number): Promise<void> {
    const exited = this.exited;
    signalGroup(child, 'SIGTERM');
    const timer = this.deps.clock.after(graceMs, () => signalGroup(child, 'SIGKILL'));
    await exited;
    timer.cancel();
  }

  private setState(state: ContainerRuntime['state']): void {
    this.runtime.state = state;
    this.deps.onChange();
  }

  private later(ms: number, fn: () => void): void {
    const timer = this.deps.clock.after(ms, () => {
      this.timers = this.timers.filter((t) => t !== timer);
      fn();
    });
    this.timers.push(timer);
  }

  private clearTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }
}
