import { parseGoDuration, SECOND } from '../../api/autoscaling/duration.js';

// config-deployment: the keys kzero uses. Pure.

export interface DeploymentConfig {
  progressDeadlineSeconds: number;
}

export function parseDeploymentConfig(data: Record<string, string> | undefined): DeploymentConfig {
  const raw = data?.['progress-deadline'] ?? '600s';
  const ns = parseGoDuration(raw);
  if (ns === undefined || ns <= 0) throw new Error(`config-deployment: progress-deadline=${JSON.stringify(raw)}: want a positive duration like 600s`);
  return Object.freeze({ progressDeadlineSeconds: Math.ceil(ns / SECOND) });
}
