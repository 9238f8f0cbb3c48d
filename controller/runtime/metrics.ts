import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The controller's metrics, registered on the registry main.ts passes in. */
export interface ControllerMetrics {
  reconciles: Counter<'kind' | 'result'>;
  reconcileSeconds: Histogram<'kind'>;
  queueDepth: Gauge<'kind'>;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  return {
    reconciles: new Counter({ name: 'kzero_reconcile_total', help: 'Reconciles by kind and result (success, conflict, error, permanent_error, namespace_terminating).', labelNames: ['kind', 'result'], registers: [registry] }),
    reconcileSeconds: new Histogram({
      name: 'kzero_reconcile_duration_seconds', help: 'Time to reconcile one object, by kind.', labelNames: ['kind'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
    }),
    queueDepth: new Gauge({ name: 'kzero_workqueue_depth', help: 'Keys waiting in the work queue, by kind.', labelNames: ['kind'], registers: [registry] }),
  };
}
