import { findCondition } from '../../../api/conditions.js';
import type { Configuration, Revision, Route, TrafficTarget } from '../../../api/serving/v1/types.js';

// A Route's traffic targets resolved to Revisions (pure), as Knative's route/traffic package: a
// configurationName target goes to the Configuration's latest ready Revision.

export type TrafficError =
  | { kind: 'ConfigurationMissing' | 'RevisionMissing' | 'ConfigurationNotReady' | 'ConfigurationFailed' | 'RevisionNotReady' | 'RevisionFailed'; name: string };

export type TrafficResult = { ok: true; targets: TrafficTarget[] } | { ok: false; error: TrafficError };

// Worse errors win when several targets fail: missing, then failed, then not ready yet.
const severity: Record<TrafficError['kind'], number> = {
  ConfigurationMissing: 0, RevisionMissing: 0, ConfigurationFailed: 1, RevisionFailed: 1, ConfigurationNotReady: 2, RevisionNotReady: 2,
};

export interface TrafficLookup {
  configuration(name: string): Configuration | undefined;
  revision(name: string): Revision | undefined;
}

export function resolveTraffic(route: Route, lookup: TrafficLookup): TrafficResult {
  const targets: TrafficTarget[] = [];
  let worst: TrafficError | undefined;
  const fail = (e: TrafficError): void => {
    if (!worst || severity[e.kind] < severity[worst.kind]) worst = e;
  };
  for (const t of route.spec.traffic ?? []) {
    const base: TrafficTarget = { ...(t.tag ? { tag: t.tag } : {}) };
    if (t.configurationName) {
      const cfg = lookup.configuration(t.configurationName);
      if (!cfg) {
        fail({ kind: 'ConfigurationMissing', name: t.configurationName });
        continue;
      }
      const latest = cfg.status?.latestReadyRevisionName;
      if (!latest) {
        fail({ kind: findCondition(cfg.status, 'Ready')?.status === 'False' ? 'ConfigurationFailed' : 'ConfigurationNotReady', name: t.configurationName });
        continue;
      }
      targets.push({ ...base, revisionName: latest, latestRevision: true, percent: t.percent ?? 0 });
    } else if (t.revisionName) {
      const rev = lookup.revision(t.revisionName);
      if (!rev) {
        fail({ kind: 'RevisionMissing', name: t.revisionName });
        continue;
      }
      const ready = findCondition(rev.status, 'Ready')?.status;
      if (ready !== 'True') {
        fail({ kind: ready === 'False' ? 'RevisionFailed' : 'RevisionNotReady', name: t.revisionName });
        continue;
      }
      targets.push({ ...base, revisionName: t.revisionName, latestRevision: false, percent: t.percent ?? 0 });
    }
  }
  return worst ? { ok: false, error: worst } : { ok: true, targets };
}

/** The Revisions a Route's traffic names or reaches, for finding the Routes to look at when one changes. */
export function referencedNames(route: Route): { configurations: Set<string>; revisions: Set<string> } {
  const configurations = new Set<string>();
  const revisions = new Set<string>();
  for (const t of route.spec.traffic ?? []) {
    if (t.configurationName) configurations.add(t.configurationName);
    if (t.revisionName) revisions.add(t.revisionName);
  }
  for (const t of route.status?.traffic ?? []) if (t.revisionName) revisions.add(t.revisionName);
  return { configurations, revisions };
}
