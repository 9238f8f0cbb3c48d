import { isField, printable, tokenList } from './fields.js';
import type { Faults } from './head-error.js';

// Content-Length and Transfer-Encoding as a message states them (pure), checked before RFC 9112
// section 6.3 decides the framing. The activator writes its own framing fields from these values and
// never copies the sender's, so only what can be read one way survives.

export interface LengthFields {
  /** The Content-Length: one run of digits. */
  contentLength: number | undefined;
  /** The transfer codings, lower-cased, of every Transfer-Encoding field in order. */
  codings: string[] | undefined;
}

/** At most 15 digits: beyond that the number may not be exact in a double. */
const DIGITS = /^[0-9]{1,15}$/;

/**
 * Reads the framing fields of `headers`. A repeated Content-Length is refused (`refuse`, as llhttp does
 * for requests) or allowed when the values are equal (`if-equal`). Throws what `faults` makes.
 */
export function lengthFields(headers: string[], faults: Faults, repeats: 'refuse' | 'if-equal'): LengthFields {
  let contentLength: number | undefined;
  let codings: string[] | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const value = headers[i + 1]!;
    if (isField(headers, i, 'content-length')) {
      if (!DIGITS.test(value)) throw faults.bad(`invalid Content-Length "${printable(value)}"`);
      const n = Number(value);
      if (contentLength !== undefined) {
        if (n !== contentLength) throw faults.bad('conflicting Content-Length values');
        if (repeats === 'refuse') throw faults.bad('more than one Content-Length');
      }
      contentLength = n;
    } else if (isField(headers, i, 'transfer-encoding')) {
      const list = tokenList(value);
      if (!list) throw faults.bad(`invalid Transfer-Encoding "${printable(value)}"`);
      codings = codings ? [...codings, ...list] : list;
    }
  }
  return { contentLength, codings };
}
