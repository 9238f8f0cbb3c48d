import { join } from 'node:path';
import { run, type RunResult } from './host/run.js';
import type { LocalClusterConfig } from './config.js';

/** Runs the local cluster's own kubectl (same version as the API server) with the admin kubeconfig. */
export function kubectl(config: LocalClusterConfig, args: readonly string[], input?: string): Promise<RunResult> {
  return run(join(config.binDir, 'kubectl'), ['--kubeconfig', join(config.home, 'kubeconfig'), ...args], input === undefined ? {} : { input });
}
