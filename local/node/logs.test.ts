import { expect } from 'chai';
import { logTerminationMessage, parseLogQuery, pickLogFile, tailLines, type LogQuery } from './logs.js';

describe('logs', () => {
  describe('pickLogFile', () => {
    const cases: Array<{ name: string; files: string[]; previous: boolean; want: string | undefined }> = [
      { name: 'single run: current', files: ['0.log'], previous: false, want: '0.log' },
      { name: 'single run: no previous', files: ['0.log'], previous: true, want: undefined },
      { name: 'no files: no current', files: [], previous: false, want: undefined },
      { name: 'no files: no previous', files: [], previous: true, want: undefined },
      { name: 'current is the highest run', files: ['0.log', '1.log', '2.log'], previous: false, want: '2.log' },
      { name: 'previous is the one before', files: ['0.log', '1.log', '2.log'], previous: true, want: '1.log' },
      { name: 'order of the listing does not matter', files: ['2.log', '0.log', '1.log'], previous: false, want: '2.log' },
      { name: 'numeric sort: 10.log is after 9.log', files: ['1.log', '10.log', '2.log', '9.log'], previous: false, want: '10.log' },
      { name: 'numeric sort: previous of 10.log is 9.log', files: ['1.log', '10.log', '2.log', '9.log'], previous: true, want: '9.log' },
      { name: 'gaps are fine: previous is the highest below current', files: ['0.log', '3.log', '7.log'], previous: true, want: '3.log' },
      {
        name: 'ignores names that are not <n>.log',
        files: ['99.log.gz', 'x.log', '5.txt', '.4.log', '-1.log', '3.log.tmp', 'a1.log', '1.log', '0.log'],
        previous: false,
        want: '1.log',
      },
      { name: 'only non-matching names: undefined', files: ['app.log', 'README'], previous: false, want: undefined },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(pickLogFile(c.files, c.previous)).to.equal(c.want);
      });
    }
  });

  describe('tailLines', () => {
    const text = 'one\ntwo\nthree\n';
    const cases: Array<{ name: string; text: string; lines: number | undefined; want: string }> = [
      { name: 'undefined: everything', text, lines: undefined, want: text },
      { name: 'negative: everything', text, lines: -1, want: text },
      { name: '0: nothing', text, lines: 0, want: '' },
      { name: '1: the last line with its newline', text, lines: 1, want: 'three\n' },
      { name: '2: the last two lines', text, lines: 2, want: 'two\nthree\n' },
      { name: 'exactly as many as there are', text, lines: 3, want: text },
      { name: 'more than available: everything', text, lines: 100, want: text },
      { name: 'no trailing newline: 1', text: 'one\ntwo\nthree', lines: 1, want: 'three' },
      { name: 'no trailing newline: 2', text: 'one\ntwo\nthree', lines: 2, want: 'two\nthree' },
      { name: 'no trailing newline: more than available', text: 'one\ntwo', lines: 5, want: 'one\ntwo' },
      { name: 'an empty last line counts as a line', text: 'one\n\n', lines: 1, want: '\n' },
      { name: 'empty lines in the middle are kept', text: 'a\n\nb\n', lines: 2, want: '\nb\n' },
      { name: 'empty text', text: '', lines: 3, want: '' },
      { name: 'empty text, 0 lines', text: '', lines: 0, want: '' },
      { name: 'a single line without newline', text: 'solo', lines: 1, want: 'solo' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(tailLines(c.text, c.lines)).to.equal(c.want);
      });
    }
  });

  describe('parseLogQuery', () => {
    const cases: Array<{ query: string; want: LogQuery }> = [
      { query: '', want: { follow: false, previous: false } },
      { query: 'follow=true', want: { follow: true, previous: false } },
      { query: 'previous=true', want: { follow: false, previous: true } },
      { query: 'follow=true&previous=true', want: { follow: true, previous: true } },
      { query: 'follow=false&previous=false', want: { follow: false, previous: false } },
      { query: 'follow=yes&previous=1', want: { follow: false, previous: false } },
      { query: 'tailLines=10', want: { follow: false, previous: false, tailLines: 10 } },
      { query: 'tailLines=0', want: { follow: false, previous: false, tailLines: 0 } },
      { query: 'limitBytes=4096', want: { follow: false, previous: false, limitBytes: 4096 } },
      { query: 'tailLines=&limitBytes=', want: { follow: false, previous: false } },
      { query: 'follow=true&tailLines=5&limitBytes=100&timestamps=true', want: { follow: true, previous: false, tailLines: 5, limitBytes: 100 } },
    ];
    for (const c of cases) {
      it(`${JSON.stringify(c.query)} -> ${JSON.stringify(c.want)}`, () => {
        expect(parseLogQuery(new URLSearchParams(c.query))).to.deep.equal(c.want);
      });
    }

    const bad: Array<{ query: string; message: string }> = [
      { query: 'tailLines=abc', message: 'tailLines=abc: want an integer' },
      { query: 'tailLines=1.5', message: 'tailLines=1.5: want an integer' },
      { query: 'limitBytes=ten', message: 'limitBytes=ten: want an integer' },
      { query: 'tailLines=3&limitBytes=NaN', message: 'limitBytes=NaN: want an integer' },
    ];
    for (const c of bad) {
      it(`${JSON.stringify(c.query)} throws naming the parameter`, () => {
        expect(() => parseLogQuery(new URLSearchParams(c.query))).to.throw(c.message);
      });
    }
  });
});

describe('local/node/logs logTerminationMessage', () => {
  it('is the end of the log: at most 80 lines, trimmed', () => {
    const log = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const msg = logTerminationMessage(log);
    expect(msg.split('\n')).to.have.length(80);
    expect(msg.startsWith('line 20\n')).to.equal(true);
    expect(msg.endsWith('line 99')).to.equal(true);
  });

  it('and at most 2 KiB, keeping the end', () => {
    const msg = logTerminationMessage(`${'x'.repeat(5000)}\nkzero runtime: code package sha256 mismatch\n`);
    expect(Buffer.byteLength(msg)).to.be.at.most(2048);
    expect(msg.endsWith('kzero runtime: code package sha256 mismatch')).to.equal(true);
  });
});
