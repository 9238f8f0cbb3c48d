import { isDerivative } from '../../../lib/derivative.js';
import { ServingLabels } from '../../../api/serving/labels.js';
import { findCondition } from '../../../api/conditions.js';
import {
  configurationConditions, markLatestCreated, markLatestCreatedFailed, markLatestReady, markRevisionCreationFailed,
} from '../../../api/serving/v1/configuration-lifecycle.js';
import type { Configuration, Revision } from '../../../api/serving/v1/types.js';
import { isConflict } from '../../../lib/kube/client.js';
import type { ResourceClient } from '../../../lib/kube/rest.js';
import type { KindReconciler } from '../../runtime/driver.js';
import type { Lister } from '../../../lib/kube/lister.js';
import type { EventRecorder } from '../../runtime/events.js';
import { isControlledBy } from '../meta.js';
import { makeRevision } from './resources.js';

export interface ConfigurationReconcilerDeps {
  revisions: { lister: Lister<Revision>; client: ResourceClient<Revision> };
  events: EventRecorder;
}

/**
 * Configuration -> one Revision per template generation (`<config>-00001`, or the BYO name), and
 * latestCreated/latestReady from the Revisions' readiness (Knative's configuration reconciler).
 */
export class ConfigurationReconciler implements KindReconciler<Configuration> {
  readonly kind = 'Configuration';

  constructor(private readonly deps: ConfigurationReconcilerDeps) {}

  async reconcile(cfg: Configuration, now: Date): Promise<void> {
    const c = configurationConditions(cfg, now.toISOString()).initialize();
    cfg.status!.observedGeneration = cfg.metadata.generation;
    const desired = makeRevision(cfg);
    const name = desired.metadata.name ?? '';
    const rev = await this.latestCreated(cfg, desired);
    if (typeof rev === 'string') {
      markRevisionCreationFailed(c, rev);
      return;
    }
    markLatestCreated(c, cfg, name);
    const ready = findCondition(rev.status, 'Ready');
    if (ready?.status === 'True') {
      markLatestReady(c, cfg, name);
    } else if (ready?.status === 'False' && rev.status?.observedGeneration === rev.metadata.generation) {
      markLatestCreatedFailed(c, name, ready.message ?? ready.reason ?? 'unknown failure');
    }
    // An earlier latest ready Revision that was deleted cannot take traffic any more.
    const previous = cfg.status!.latestReadyRevisionName;
    if (previous && previous !== name && !this.deps.revisions.lister.get(previous, cfg.metadata.namespace)) {
      delete cfg.status!.latestReadyRevisionName;
    }
  }

  /** The Revision for the current template: found, or created; a string says why there is none. */
  private async latestCreated(cfg: Configuration, desired: Revision): Promise<Revision | string> {
    const { lister, client } = this.deps.revisions;
    const name = desired.metadata.name ?? '';
    let rev = lister.get(name, cfg.metadata.namespace);
    if (!rev) {
      try {
        rev = await client.create(desired);
        this.deps.events.event(cfg, 'Normal', 'Created', `Created Revision "${name}"`);
        return rev;
      } catch (err) {
        if (!isConflict(err)) throw err;
        rev = await client.get(cfg.metadata.namespace, name);
      }
    }
    if (!isControlledBy(rev, cfg)) return `revision "${name}" already exists and is not owned by Configuration "${cfg.metadata.name}"`;
    // A BYO name reused for a different template (the webhook rejects this; a race could still get here).
    // One created for this generation is ours as it is (the webhook may have defaulted it further).
    const sameGeneration = rev.metadata.labels?.[ServingLabels.configurationGeneration] === String(cfg.metadata.generation);
    if (cfg.spec.template.metadata?.name && !sameGeneration && !isDerivative(desired.spec, rev.spec)) {
      return `Saw the following changes without a name change: the template of revision "${name}" differs from spec.template; give the new template a new name`;
    }
    return rev;
  }
}
