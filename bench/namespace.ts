import { kubectl } from '../e2e/support/cluster.js';

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
