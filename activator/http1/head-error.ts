// The one error type of HTTP/1.1 parsing, and which status each side answers with.

/** A head or body that cannot be forwarded: the status to answer and why. */
export class HeadError extends Error {
  constructor(readonly status: 400 | 431 | 501 | 502, message: string) {
    super(message);
    this.name = 'HeadError';
  }
}

/** How one side reports a malformed message, and one over a limit. */
export interface Faults {
  bad(message: string): HeadError;
  tooLarge(message: string): HeadError;
}

/** A client's message: 400, 431 over a limit. */
export const REQUEST_FAULTS: Faults = {
  bad: (m) => new HeadError(400, m),
  tooLarge: (m) => new HeadError(431, m),
};

/** A pod's message: always 502, the pod answered something unusable. */
export const RESPONSE_FAULTS: Faults = {
  bad: (m) => new HeadError(502, `invalid response from the pod: ${m}`),
  tooLarge: (m) => new HeadError(502, `invalid response from the pod: ${m}`),
};
