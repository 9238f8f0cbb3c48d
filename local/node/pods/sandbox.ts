import { spawn, type ChildProcess } from 'node:child_process';
import { IP } from '../../net/ip.js';

/** How a pod's processes are started: inside its network namespace, as their own process group. */
export interface Sandbox {
  netns: string;
  podIp: string;
  spawn(argv: readonly string[], opts: { env: Record<string, string>; cwd: string; stdio: ['ignore', number | 'pipe', number | 'pipe'] }): ChildProcess;
}

export function netnsSandbox(netns: string, podIp: string): Sandbox {
  return {
    netns,
    podIp,
    spawn(argv, opts) {
      // `ip netns exec` execs the command in place, so the child's PID is the container's main process.
      // detached: a new process group, so a kill reaches whatever the container forked.
      return spawn(IP, ['netns', 'exec', netns, ...argv], { env: opts.env, cwd: opts.cwd, stdio: opts.stdio, detached: true });
    },
  };
}

/** Signals a container's whole process group; a no-op if it is gone. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
