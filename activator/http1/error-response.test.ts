import { expect } from 'chai';
import { ActivatorError } from '../errors.js';
import { errorResponse } from './connection.js';

// The activator's own answers quote what the client sent; the connection writes them as latin1 bytes.
describe('activator/http1 errorResponse', () => {
  const bodyOf = (wire: Buffer): Buffer => wire.subarray(wire.indexOf('\r\n\r\n') + 4);
  const lengthOf = (wire: Buffer): number => Number(/content-length: (\d+)\r\n/.exec(wire.toString('latin1'))![1]);

  for (const [name, message] of [
    ['ASCII', 'no Route serves host "a.b.localhost"'],
    ['a client byte over 0x7f (NBSP)', 'invalid characters in header "x-a\u00a0"'],
    ['control bytes', 'malformed header line "a\u0000b\u001bc"'],
    ['a character past latin1', 'revision "r\u2603"'],
  ] as const) {
    it(`frames its body exactly, as written on the wire: ${name}`, () => {
      const wire = Buffer.from(errorResponse(new ActivatorError('BAD_REQUEST', message)), 'latin1');
      expect(lengthOf(wire)).to.equal(bodyOf(wire).length);
      expect(bodyOf(wire).every((b) => b === 0x0a || (b >= 0x20 && b <= 0x7e))).to.equal(true);
    });
  }

  it('escapes what it cannot send as plain text, naming the byte', () => {
    const wire = errorResponse(new ActivatorError('BAD_REQUEST', 'bad "\u00a0\u0000"'));
    expect(wire.endsWith('bad "\\xa0\\x00"\n')).to.equal(true);
  });
});
