// The activator's error catalogue: stable codes, the HTTP status each maps to, in one place.
import { CataloguedError } from '../lib/catalogued-error.js';

export const ErrorCodes = Object.freeze({
  BAD_REQUEST: { status: 400, code: 'KZERO_BAD_REQUEST' },
  NO_ROUTE: { status: 404, code: 'KZERO_NO_ROUTE' },
  REQUEST_TIMEOUT: { status: 408, code: 'KZERO_REQUEST_TIMEOUT' },
  HEAD_TOO_LARGE: { status: 431, code: 'KZERO_HEAD_TOO_LARGE' },
  NOT_IMPLEMENTED: { status: 501, code: 'KZERO_NOT_IMPLEMENTED' },
  REVISION_FAILED: { status: 503, code: 'KZERO_REVISION_FAILED' },
  QUEUE_FULL: { status: 503, code: 'KZERO_QUEUE_FULL' },
  COLD_START_TIMEOUT: { status: 503, code: 'KZERO_COLD_START_TIMEOUT' },
  /** The activator holds as many request bytes for waiting requests as it may (--max-pending-body-bytes). */
  OVERLOADED: { status: 503, code: 'KZERO_OVERLOADED' },
  RESPONSE_TIMEOUT: { status: 504, code: 'KZERO_RESPONSE_TIMEOUT' },
  UPSTREAM: { status: 502, code: 'KZERO_UPSTREAM_ERROR' },
});

export type ErrorKind = keyof typeof ErrorCodes;

export class ActivatorError extends CataloguedError<ErrorKind> {
  constructor(kind: ErrorKind, message: string) {
    super(ErrorCodes, kind, message);
  }
}
