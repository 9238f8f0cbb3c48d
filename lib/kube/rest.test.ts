import { expect } from 'chai';
import { LineSplitter } from './rest.js';

describe('kube/LineSplitter', () => {
  const events = ['{"type":"ADDED","object":{"metadata":{"name":"a"}}}', '{"type":"MODIFIED","object":{"metadata":{"name":"ü"}}}', '{"type":"DELETED"}'];
  const stream = Buffer.from(events.map((e) => `${e}\n`).join(''));

  for (const size of [1, 2, 7, 50, stream.length]) {
    it(`gives whole lines, fed in pieces of ${size} bytes (multi-byte characters split across pieces included)`, () => {
      const lines = new LineSplitter();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...lines.push(stream.subarray(i, i + size)));
      expect(out).to.deep.equal(events);
    });
  }

  it('keeps an unfinished last line until its newline comes; skips empty lines', () => {
    const lines = new LineSplitter();
    expect(lines.push(Buffer.from('\n\n{"a":1}\n{"b"'))).to.deep.equal(['{"a":1}']);
    expect(lines.push(Buffer.from(':2}\n'))).to.deep.equal(['{"b":2}']);
  });
});
