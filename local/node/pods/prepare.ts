import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { messageOf } from '../../../lib/errors.js';
import { containerArgv, lookupImage, type ImageTable } from '../../images/table.js';
import type { LaunchSpec } from './container.js';
import { ContainerConfigError, containerEnv, expand, type EnvSources, type PodFacts } from './env.js';

/**
 * What a container runs (pure apart from the EnvSources lookups): the image table gives the entrypoint,
 * the container's command/args override it as in Docker, and `$(VAR)` references expand from its env.
 * Failures come back as the kubelet's waiting reasons, so a Revision can show them.
 */
export async function prepareContainer(pod: V1Pod, container: V1Container, table: ImageTable, facts: PodFacts, sources: EnvSources): Promise<LaunchSpec> {
  const image = container.image ?? '';
  let entry;
  try {
    entry = lookupImage(table, image);
  } catch (err) {
    return { reason: 'InvalidImageName', message: `Failed to apply default image tag "${image}": ${messageOf(err)}` };
  }
  if (!entry) {
    return {
      reason: 'ErrImagePull',
      message: `failed to pull image "${image}": not found: the process node's image table has no entry for it (known: ${[...table.keys()].join(', ')})`,
    };
  }
  let env: Record<string, string>;
  try {
    env = await containerEnv(pod, container, entry.env ?? {}, facts, sources);
  } catch (err) {
    if (err instanceof ContainerConfigError) return { reason: err.reason, message: err.message };
    throw err;
  }
  try {
    const argv = containerArgv(entry, container.command?.map((c) => expand(c, env)), container.args?.map((a) => expand(a, env)));
    return { argv, env };
  } catch (err) {
    return { reason: 'CreateContainerError', message: messageOf(err) };
  }
}
