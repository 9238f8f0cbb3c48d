import type { KubernetesObject } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { KindReconciler, Reconcilable } from '../controller/runtime/driver.js';
import { FakeCluster } from './cluster.js';
import { normalize, type Action, type FakeResourceClient } from './fake-client.js';

// Knative-style table tests (pkg/reconciler/testing/v1 TableTest): the objects in the cluster, the key to
// reconcile, and every write wanted, in order. A want left out means "none": a reconcile that makes a call
// the row does not list fails.

export interface TableRow {
  name: string;
  /** Objects in the API server (and the informers' caches, unless `setup` changes that). */
  objects: KubernetesObject[];
  /** `namespace/name` to reconcile. */
  key: string;
  /** Runs after seeding: hide objects from listers, induce failures. */
  setup?: (c: FakeCluster) => void;
  /** Objects sent to create, across kinds, in order. */
  wantCreates?: KubernetesObject[];
  /** Objects sent to update (metadata.resourceVersion is not compared). */
  wantUpdates?: KubernetesObject[];
  /**
   * Status writes (updateStatus, or a patch of the status subresource), by object name, each as the API
   * server stored it: the comparison does not depend on how the driver writes status.
   */
  wantStatusUpdates?: Array<{ name: string; status: unknown }>;
  /** Patches of the object itself (not of its status), as sent. */
  wantPatches?: Array<{ name: string; patch: unknown }>;
  /** API reads (not lister reads), as `resource/name`. */
  wantGets?: string[];
  /** `"<type> <reason> <message>"`. */
  wantEvents?: string[];
  /** The reconcile failed and the key waits for a retry with back-off. */
  wantRetry?: boolean;
  /** More checks on the cluster afterwards. */
  check?: (c: FakeCluster) => void;
}

export interface TableSubject<T extends Reconcilable> {
  /** The client of the kind being reconciled (its lister feeds the driver, its status updates are checked). */
  resource(c: FakeCluster): FakeResourceClient<T>;
  reconciler(c: FakeCluster): KindReconciler<T>;
}

const withoutRV = (a: Action): unknown => {
  const o = normalize(a.obj) as KubernetesObject;
  delete o.metadata?.resourceVersion;
  return o;
};

export const isStatusWrite = (a: Action): boolean => a.verb === 'updateStatus' || (a.verb === 'patch' && a.subresource === 'status');

/** Every status write, as `{name, status}` with the status stored afterwards (`{failed: reason}` if it failed). */
export function statusWrites(c: FakeCluster): Array<{ name: string; status: unknown }> {
  return c.log.filter(isStatusWrite).map((a) => ({ name: a.name, status: a.result ? (a.result as Reconcilable).status : { failed: a.error } }));
}

/** Reconciles `row.key` once through the driver (Controller.process) and checks every want. */
export async function runRow<T extends Reconcilable>(row: TableRow, subject: TableSubject<T>): Promise<FakeCluster> {
  const c = new FakeCluster();
  c.seed(...row.objects);
  row.setup?.(c);
  const ctl = c.controller(subject.resource(c), subject.reconciler(c));
  await ctl.process(row.key);

  expect(c.actionsOf('create').map((a) => a.obj), 'creates').to.deep.equal(normalize(row.wantCreates ?? []));
  expect(c.actionsOf('update').map(withoutRV), 'updates').to.deep.equal(normalize(row.wantUpdates ?? []));
  expect(statusWrites(c), 'status updates').to.deep.equal(normalize(row.wantStatusUpdates ?? []));
  expect(c.actionsOf('patch').filter((a) => !isStatusWrite(a)).map((a) => ({ name: a.name, patch: a.patch })), 'patches').to.deep.equal(normalize(row.wantPatches ?? []));
  expect(c.actionsOf('delete').map((a) => `${a.resource}/${a.name}`), 'deletes').to.deep.equal([]);
  expect(c.actionsOf('get').map((a) => `${a.resource}/${a.name}`), 'gets').to.deep.equal(row.wantGets ?? []);
  expect(c.events.events, 'events').to.deep.equal(row.wantEvents ?? []);
  expect(ctl.queue.retries(row.key) > 0, 'retry with back-off').to.equal(row.wantRetry ?? false);
  row.check?.(c);
  return c;
}

/** One `it` per row. */
export function tableTest<T extends Reconcilable>(rows: TableRow[], subject: TableSubject<T>): void {
  for (const row of rows) it(row.name, async () => void (await runRow(row, subject)));
}
