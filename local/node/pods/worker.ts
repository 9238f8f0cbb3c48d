import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/log.js';
import { messageOf } from '../../../lib/errors.js';
import type { BackoffPolicy, RestartPolicy } from './backoff.js';
import { ContainerRunner, type LaunchSpec } from './container.js';
import type { Sandbox } from './sandbox.js';
import type { PodRuntime } from './state.js';

export interface PodWorkerDeps {
  clock: Clock;
  log: Logger;
  backoff: BackoffPolicy;
  hostIp: string;
  /** Creates the pod's network namespace and address. */
  createSandbox(pod: V1Pod): Promise<Sandbox>;
  /** Kills what is left in the namespace, deletes it and frees the address. */
  destroySandbox(pod: V1Pod, sandbox: Sandbox | undefined): Promise<void>;
  prepare(pod: V1Pod, container: V1Container, sandbox: Sandbox): Promise<LaunchSpec>;
  logDir(pod: V1Pod): string;
  workDir(pod: V1Pod): string;
  onChange(worker: PodWorker): void;
}

/**
 * Runs one pod: sandbox, then init containers one at a time, then the containers; tears it all down on
 * deletion. Holds the latest Pod object from the API for status computation.
 */
export class PodWorker {
  pod: V1Pod;
  readonly runtime: PodRuntime;
  private sandbox: Sandbox | undefined;
  private init: ContainerRunner[] = [];
  private main: ContainerRunner[] = [];
  private terminating: Promise<void> | undefined;

  constructor(pod: V1Pod, private readonly deps: PodWorkerDeps) {
    this.pod = pod;
    const previous = new Map((pod.status?.containerStatuses ?? []).map((s) => [s.name, s]));
    const policy = (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
    // Init containers restart on failure unless the pod never restarts anything.
    const initPolicy: RestartPolicy = policy === 'Never' ? 'Never' : 'OnFailure';
    this.init = (pod.spec?.initContainers ?? []).map((c) => this.runner(c, initPolicy, 0));
    // A pod taken over from an earlier agent run keeps counting restarts from where its status was.
    this.main = (pod.spec?.containers ?? []).map((c) => {
      const prev = previous.get(c.name);
      const count = prev ? prev.restartCount + (prev.state?.running || prev.state?.terminated ? 1 : 0) : 0;
      return this.runner(c, policy, count);
    });
    this.runtime = {
      hostIp: deps.hostIp,
      startTime: pod.status?.startTime ? new Date(pod.status.startTime).getTime() : deps.clock.now(),
      initContainers: this.init.map((r) => r.runtime),
      containers: this.main.map((r) => r.runtime),
    };
  }

  get key(): string {
    return `${this.pod.metadata?.namespace}/${this.pod.metadata?.name}`;
  }

  private runner(c: V1Container, policy: RestartPolicy, restartCount: number): ContainerRunner {
    const pod = this.pod;
    return new ContainerRunner(c, policy, {
      clock: this.deps.clock,
      log: this.deps.log,
      backoff: this.deps.backoff,
      sandbox: () => this.requireSandbox(),
      prepare: (container) => this.deps.prepare(this.pod, container, this.requireSandbox()),
      logDir: join(this.deps.logDir(pod), c.name),
      workDir: c.workingDir || this.deps.workDir(pod),
      terminationGraceMs: (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000,
      onChange: () => this.deps.onChange(this),
    }, restartCount);
  }

  private requireSandbox(): Sandbox {
    if (!this.sandbox) throw new Error(`pod ${this.key}: no sandbox yet`);
    return this.sandbox;
  }

  /** Creates the sandbox and runs the containers; returns once they are started (not finished). */
  async start(): Promise<void> {
    await mkdir(this.deps.workDir(this.pod), { recursive: true });
    for (;;) {
      try {
        this.sandbox = await this.deps.createSandbox(this.pod);
        break;
      } catch (err) {
        this.runtime.sandboxError = `failed to create pod sandbox: ${messageOf(err)}`;
        this.deps.log.error('pod: sandbox failed', { pod: this.key, error: err });
        this.deps.onChange(this);
        await this.deps.clock.sleep(5000);
        if (this.terminating) return;
      }
    }
    delete this.runtime.sandboxError;
    this.runtime.podIp = this.sandbox.podIp;
    this.deps.onChange(this);
    for (const r of this.init) {
      if (this.terminating) return;
      r.start();
      const t = await r.done;
      if (t.exitCode !== 0) return; // restartPolicy Never: the pod has failed
    }
    if (this.terminating) return;
    for (const r of this.main) r.start();
  }

  /** Stops every container with `graceMs` each, then removes the sandbox. Idempotent. */
  terminate(graceMs: number): Promise<void> {
    this.terminating ??= (async () => {
      await Promise.all([...this.init, ...this.main].map((r) => r.stop(graceMs)));
      await this.deps.destroySandbox(this.pod, this.sandbox);
      await rm(this.deps.workDir(this.pod), { recursive: true, force: true });
      this.deps.onChange(this);
    })();
    return this.terminating;
  }
}
