// The activator's error catalogue: stable codes, the HTTP status each maps to, in one place.
import { CataloguedError } from '../lib/catalogued-error.js';

export const ErrorCodes = Object.freeze({
  NO_ROUTE: { status: 404, code: 'KZERO_NO_ROUTE' },
  REVISION_FAILED: { status: 503, code: 'KZERO_REVISION_FAILED' },
  QUEUE_FULL: { status: 503, code: 'KZERO_QUEUE_FULL' },
  COLD_START_TIMEOUT: { status: 503, code: 'KZERO_COLD_START_TIMEOUT' },
  RESPONSE_TIMEOUT: { status: 504, code: 'KZERO_RESPONSE_TIMEOUT' },
  UPSTREAM: { status: 502, code: 'KZERO_UPSTREAM_ERROR' },
  DRAINING: { status: 503, code: 'KZERO_DRAINING' },
});

export type ErrorKind = keyof typeof ErrorCodes;

export class ActivatorError extends CataloguedError<ErrorKind> {
  constructor(kind: ErrorKind, message: string) {
    super(ErrorCodes, kind, message);
  }
}
