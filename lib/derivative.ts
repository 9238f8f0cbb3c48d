/**
 * Whether `actual` is `desired` plus defaults: every field set in `desired` has the same value in `actual`,
 * fields `desired` leaves unset may hold anything (the API server, webhooks and controllers fill them in).
 * Arrays must have the same length, element by element. Knative compares children this way
 * (equality.Semantic.DeepDerivative), so a defaulted child does not look changed on every reconcile.
 */
export function isDerivative(desired: unknown, actual: unknown): boolean {
  if (desired === undefined || desired === null) return true;
  if (Array.isArray(desired)) {
    return Array.isArray(actual) && actual.length === desired.length && desired.every((d, i) => isDerivative(d, actual[i]));
  }
  if (typeof desired === 'object') {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const a = actual as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(([k, v]) => isDerivative(v, a[k]));
  }
  return desired === actual;
}
