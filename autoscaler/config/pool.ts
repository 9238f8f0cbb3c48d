// config-pool (kzero's own ConfigMap), parsed (pure).

export interface PoolConfig {
  /** Whether cold starts first try to claim a warm pod from a matching PodPool. */
  enabled: boolean;
}

export function parsePoolConfig(data: Record<string, string> | undefined): PoolConfig {
  const raw = data?.enabled?.trim().toLowerCase();
  if (raw === undefined || raw === '') return { enabled: true };
  if (raw !== 'true' && raw !== 'false') throw new Error(`config-pool: enabled: want "true" or "false", got ${JSON.stringify(data?.enabled)}`);
  return { enabled: raw === 'true' };
}
