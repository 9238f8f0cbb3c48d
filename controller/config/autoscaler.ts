// config-autoscaler: the keys the controller and the webhook need (initial scale, scale bounds). Pure.

export interface ScaleConfig {
  initialScale: number;
  allowZeroInitialScale: boolean;
  /** max-scale-limit: the largest max-scale a Revision may ask for; 0 for none. */
  maxScaleLimit: number;
}

export function parseScaleConfig(data: Record<string, string> | undefined): ScaleConfig {
  const rawScale = data?.['initial-scale'] ?? '1';
  const rawAllow = data?.['allow-zero-initial-scale'] ?? 'false';
  const initialScale = Number(rawScale);
  if (!/^\d+$/.test(rawScale)) throw new Error(`config-autoscaler: initial-scale=${JSON.stringify(rawScale)}: want an integer >= 0`);
  if (rawAllow !== 'true' && rawAllow !== 'false') throw new Error(`config-autoscaler: allow-zero-initial-scale=${JSON.stringify(rawAllow)}: want true or false`);
  const allowZeroInitialScale = rawAllow === 'true';
  if (initialScale === 0 && !allowZeroInitialScale) throw new Error('config-autoscaler: initial-scale=0 needs allow-zero-initial-scale=true');
  const rawLimit = data?.['max-scale-limit'] ?? '0';
  if (!/^\d+$/.test(rawLimit)) throw new Error(`config-autoscaler: max-scale-limit=${JSON.stringify(rawLimit)}: want an integer >= 0`);
  return Object.freeze({ initialScale, allowZeroInitialScale, maxScaleLimit: Number(rawLimit) });
}
