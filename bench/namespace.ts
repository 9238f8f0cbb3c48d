import { kubectl, waitForValue } from '../e2e/support/cluster.js';
import { readyStatus, serving } from '../e2e/support/serving.js';

/** Runs `fn` in a fresh namespace, then deletes it and waits until it is gone: its cascade of deletions
 * would otherwise load the next measurement's API server. */
export async function withNamespace<T>(name: string, fn: (ns: string) => Promise<T>): Promise<T> {
  await kubectl(['create', 'namespace', name]);
  try {
    return await fn(name);
  } finally {
    await kubectl(['delete', 'namespace', name, '--wait=true', '--timeout=900s']);
  }
}

/** Waits until the namespace holds `count` Services, all Ready. */
export async function waitServicesReady(ns: string, count: number, timeoutMs = 300_000): Promise<void> {
  await waitForValue(`${count} Services Ready in ${ns}`, async () => {
    const list = await serving.service.list(ns);
    return list.items.length === count && list.items.every((s) => readyStatus(s) === 'True') ? true : undefined;
  }, timeoutMs, 250);
}
