import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import { messageOf } from '../errors.js';

/** The namespace kzero's components and their ConfigMaps live in. */
export const SYSTEM_NAMESPACE = process.env.KZERO_SYSTEM_NAMESPACE || 'kzero-system';

/**
 * One parsed ConfigMap, kept up to date from an informer. A ConfigMap that does not parse is logged and the
 * last good value stays (or the defaults, parsed from no data), so a typo never stops reconciling.
 */
export class ConfigValue<T> {
  private value: T;

  constructor(readonly name: string, private readonly parse: (data: Record<string, string> | undefined) => T, private readonly log: Logger) {
    this.value = parse(undefined);
  }

  get(): T {
    return this.value;
  }

  /** Applies an added, updated or deleted ConfigMap; returns true if it was this one and it changed. */
  apply(cm: V1ConfigMap, deleted = false): boolean {
    if (cm.metadata?.name !== this.name || cm.metadata?.namespace !== SYSTEM_NAMESPACE) return false;
    try {
      this.value = this.parse(deleted ? undefined : cm.data);
      return true;
    } catch (err) {
      this.log.error('config: invalid ConfigMap, keeping the last good value', { configMap: `${SYSTEM_NAMESPACE}/${this.name}`, error: messageOf(err) });
      return false;
    }
  }
}
