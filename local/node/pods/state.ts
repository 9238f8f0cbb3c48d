import { constants } from 'node:os';

// What the node agent knows about a pod's containers, in its own terms; status.ts turns it into a PodStatus.

export type ContainerState =
  | { kind: 'waiting'; reason: string; message?: string }
  | { kind: 'running'; startedAt: number }
  | { kind: 'terminated'; exitCode: number; signal?: string; reason: string; message?: string; startedAt: number; finishedAt: number };

export type Terminated = Extract<ContainerState, { kind: 'terminated' }>;

export interface ContainerRuntime {
  name: string;
  image: string;
  state: ContainerState;
  lastTerminated?: Terminated;
  restartCount: number;
  /** Readiness: running and the readiness probe (if any) passes. */
  ready: boolean;
  /** Startup: running and the startup probe (if any) has passed. */
  started: boolean;
  /** A stable id for this container instance (changes on every restart). */
  containerId?: string;
}

export interface PodRuntime {
  podIp?: string;
  hostIp: string;
  /** When the node accepted the pod. */
  startTime: number;
  /** Set while the sandbox (network namespace) could not be created. */
  sandboxError?: string;
  initContainers: ContainerRuntime[];
  containers: ContainerRuntime[];
}

/** Kubernetes' reason for a container that exited: Completed for 0, Error otherwise, OOMKilled never here. */
export function exitReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

/** A process killed by a signal reports 128 + signal number, as a container runtime does. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] ?? 0 : 0);
}
