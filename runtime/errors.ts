// The runtime's error catalogue: stable codes and the HTTP status each maps to, in one place.
import { CataloguedError } from '../lib/catalogued-error.js';

export const ErrorCodes = Object.freeze({
  /** The code package is unusable: sha256 mismatch, unsafe or oversize archive, no entry point, no handler. */
  BAD_PACKAGE: { status: 422, code: 'KZERO_BAD_PACKAGE' },
  /** The code package could not be fetched: HTTP status, network error, timeout, too large. */
  FETCH_FAILED: { status: 502, code: 'KZERO_FETCH_FAILED' },
  /** A /specialize request without a good signature (lib/specialize-signature.ts). */
  UNAUTHORIZED: { status: 401, code: 'KZERO_UNAUTHORIZED' },
  /** A /specialize body that does not follow the contract. */
  BAD_REQUEST: { status: 400, code: 'KZERO_BAD_REQUEST' },
  /** Anything else that went wrong while specializing. */
  INTERNAL: { status: 500, code: 'KZERO_INTERNAL' },
});

export type ErrorKind = keyof typeof ErrorCodes;

export class RuntimeError extends CataloguedError<ErrorKind> {
  constructor(kind: ErrorKind, message: string) {
    super(ErrorCodes, kind, message);
  }
}

/** A code package that can never work: retrying with the same package gives the same answer. */
export class PackageError extends RuntimeError {
  constructor(message: string) {
    super('BAD_PACKAGE', message);
  }
}

/** A code package that could not be fetched; the same request may work later. */
export class FetchError extends RuntimeError {
  constructor(message: string) {
    super('FETCH_FAILED', message);
  }
}

/** Any thrown value as a RuntimeError, keeping the kind of those that already are one. */
export function asRuntimeError(err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  return new RuntimeError('INTERNAL', err instanceof Error ? err.message : String(err));
}
