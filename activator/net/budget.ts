// One limit on the request bytes the activator holds in memory for all connections together: bodies read
// with their head before a pod was there, and bytes read ahead of a pipelined request. Past it, a request
// that would wait for a pod holding bytes gets 503 (KZERO_OVERLOADED) instead of more memory.

/** `--max-pending-body-bytes` when not given. */
export const DEFAULT_PENDING_BYTES = 64 * 1024 * 1024;

export class ByteBudget {
  used = 0;

  constructor(readonly limit: number) {}

  /** Counts `n` more bytes held (negative: fewer). The bytes are there already: this never refuses. */
  add(n: number): void {
    this.used += n;
  }

  get exceeded(): boolean {
    return this.used > this.limit;
  }
}

const UNITS: Record<string, number> = { '': 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 };

/** The budget from `--max-pending-body-bytes` (bytes, or with Ki, Mi, Gi), or the default; throws on a bad value. */
export function budgetFromFlag(value: string | undefined): ByteBudget {
  if (value === undefined) return new ByteBudget(DEFAULT_PENDING_BYTES);
  const m = /^(\d{1,15})(Ki|Mi|Gi)?$/.exec(value);
  const bytes = m ? Number(m[1]) * UNITS[m[2] ?? '']! : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new Error(`--max-pending-body-bytes: "${value}" is not a positive number of bytes (e.g. 67108864 or 64Mi)`);
  }
  return new ByteBudget(bytes);
}
