import type { V1Pod } from '@kubernetes/client-node';

/** The pod's Ready condition is True: the kubelet says it may take traffic (pure). */
export const isPodReady = (p: V1Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
