// How a reconcile ends, besides success: a permanent error (the object is wrong; retrying cannot help until
// it changes) or a plain error (retried with back-off). Both are reported as a Warning event.

export class PermanentError extends Error {
  constructor(message: string, readonly reason = 'InternalError') {
    super(message);
    this.name = 'PermanentError';
  }
}

export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (e.g. a progress deadline to check). */
  requeueAfterMs?: number;
}
