import { ConditionManager, conditionSet } from '../../conditions.js';
import type { Configuration } from './types.js';

// Configuration Ready: its latest created Revision is Ready (and is then the latest ready one).

export const ConfigurationConditions = Object.freeze({ Ready: 'Ready' });

export const ConfigurationReasons = Object.freeze({
  RevisionFailed: 'RevisionFailed',
  RevisionDeleted: 'RevisionDeleted',
});

export const configurationConditionSet = conditionSet(ConfigurationConditions.Ready);

export function configurationConditions(cfg: Configuration, now: string): ConditionManager {
  cfg.status ??= {};
  return new ConditionManager(configurationConditionSet, cfg.status, now);
}

export function markLatestCreated(c: ConditionManager, cfg: Configuration, name: string): void {
  cfg.status!.latestCreatedRevisionName = name;
  if (cfg.status!.latestReadyRevisionName !== name) c.markUnknown(ConfigurationConditions.Ready, '', '');
}

export function markLatestReady(c: ConditionManager, cfg: Configuration, name: string): void {
  cfg.status!.latestReadyRevisionName = name;
  if (cfg.status!.latestCreatedRevisionName === name) c.markTrue(ConfigurationConditions.Ready);
}

export function markLatestCreatedFailed(c: ConditionManager, name: string, message: string): void {
  c.markFalse(ConfigurationConditions.Ready, ConfigurationReasons.RevisionFailed, `Revision "${name}" failed with message: ${message}.`);
}

export function markRevisionCreationFailed(c: ConditionManager, message: string): void {
  c.markFalse(ConfigurationConditions.Ready, ConfigurationReasons.RevisionFailed, `Revision creation failed with message: ${message}.`);
}
