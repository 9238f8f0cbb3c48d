import type { KubernetesObject, V1Deployment, V1Namespace, V1Pod, V1Secret } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import type { PodAutoscaler, PodPool } from '../api/kzero/v1alpha1/types.js';
import type { Configuration, Revision, Route, Service } from '../api/serving/v1/types.js';
import { Resources } from '../lib/kube/resources.js';
import { createLogger, type Logger } from '../lib/log.js';
import { Controller, type DriverDeps, type KindReconciler, type Reconcilable } from '../controller/runtime/driver.js';
import { controllerMetrics } from '../controller/runtime/metrics.js';
import { FakeClock } from './fake-clock.js';
import { FakeResourceClient, type Action } from './fake-client.js';
import { FakeEventRecorder } from './fake-events.js';

/** A logger that writes nowhere (set KZERO_TEST_LOG=1 to see it). */
export const silentLogger = (): Logger => createLogger('test', { level: 'debug', write: process.env.KZERO_TEST_LOG ? (l) => process.stderr.write(l) : () => {} });

/** One fake API server for every kind the reconcilers touch, an event recorder and a clock. */
export class FakeCluster {
  /** Every call to every client, in order. */
  readonly log: Action[] = [];
  readonly clock: FakeClock;
  readonly events = new FakeEventRecorder();
  readonly services = new FakeResourceClient<Service>(Resources.service, this.log);
  readonly configurations = new FakeResourceClient<Configuration>(Resources.configuration, this.log);
  readonly revisions = new FakeResourceClient<Revision>(Resources.revision, this.log);
  readonly routes = new FakeResourceClient<Route>(Resources.route, this.log);
  readonly deployments = new FakeResourceClient<V1Deployment>(Resources.deployment, this.log);
  readonly podAutoscalers = new FakeResourceClient<PodAutoscaler>(Resources.podAutoscaler, this.log);
  readonly pods = new FakeResourceClient<V1Pod>(Resources.pod, this.log);
  readonly namespaces = new FakeResourceClient<V1Namespace>(Resources.namespace, this.log);
  readonly podPools = new FakeResourceClient<PodPool>(Resources.podPool, this.log);
  readonly secrets = new FakeResourceClient<V1Secret>(Resources.secret, this.log);

  constructor(clock?: FakeClock) {
    this.clock = clock ?? new FakeClock();
  }

  /** Puts objects in the store of their kind. */
  seed(...objs: KubernetesObject[]): this {
    for (const o of objs) this.clientFor(o.kind ?? '').seed(o as never);
    return this;
  }

  clientFor(kind: string): FakeResourceClient<KubernetesObject> {
    const byKind: Record<string, unknown> = {
      Service: this.services, Configuration: this.configurations, Revision: this.revisions, Route: this.routes,
      Deployment: this.deployments, PodAutoscaler: this.podAutoscalers, Pod: this.pods, Namespace: this.namespaces,
      PodPool: this.podPools, Secret: this.secrets,
    };
    const c = byKind[kind];
    if (!c) throw new Error(`FakeCluster: no client for kind ${JSON.stringify(kind)}`);
    return c as FakeResourceClient<KubernetesObject>;
  }

  /** The calls with `verb`, across kinds, in order. */
  actionsOf(verb: Action['verb']): Action[] {
    return this.log.filter((a) => a.verb === verb);
  }

  /** A driver for `kind` over this cluster, as main.ts wires one (one worker, not started). */
  controller<T extends Reconcilable>(client: FakeResourceClient<T>, reconciler: KindReconciler<T>): Controller<T> {
    return new Controller<T>(this.controllerDeps(client, reconciler));
  }

  /** What `controller` wires, for a test that changes some of it. */
  controllerDeps<T extends Reconcilable>(client: FakeResourceClient<T>, reconciler: KindReconciler<T>): DriverDeps<T> {
    return {
      reconciler, lister: client.lister, client: client.asClient(), clock: this.clock, log: silentLogger(), events: this.events,
      metrics: controllerMetrics(new Registry()), workers: 1,
    };
  }
}
