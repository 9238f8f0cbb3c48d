// Kubernetes resource quantities ("500m", "128Mi", "1.5G", "2e3") as numbers (pure).

const SUFFIXES: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

export function parseQuantity(q: string): number {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/.exec(q.trim());
  if (!m) throw new Error(`invalid quantity ${JSON.stringify(q)}`);
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * (SUFFIXES[m[3] ?? ''] ?? 1);
}

/** A resource value for the downward API: value / divisor rounded up, as the kubelet reports it. */
export function resourceValue(quantity: string, divisor: string | undefined): string {
  const d = parseQuantity(divisor || '1');
  if (d <= 0) throw new Error(`invalid divisor ${JSON.stringify(divisor)}: must be positive`);
  // Round away float noise (0.5 / 0.001 = 500.00000000000006) before rounding up.
  return String(Math.ceil(Number((parseQuantity(quantity) / d).toPrecision(12))));
}
