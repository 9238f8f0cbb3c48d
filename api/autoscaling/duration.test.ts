import { expect } from 'chai';
import { HOUR, MILLISECOND, MINUTE, SECOND, formatGoDuration, parseGoDuration } from './duration.js';

describe('Go durations', () => {
  const parses: Array<[string, number | undefined]> = [
    ['60s', 60 * SECOND],
    ['1m30s', 90 * SECOND],
    ['1.5h', 90 * MINUTE],
    ['2h45m', 2 * HOUR + 45 * MINUTE],
    ['300ms', 300 * MILLISECOND],
    ['1us', 1000],
    ['1µs', 1000],
    ['10ns', 10],
    ['.5s', 500 * MILLISECOND],
    ['1.s', SECOND],
    ['0', 0],
    ['-0', 0],
    ['+5s', 5 * SECOND],
    ['-1s', -SECOND],
    ['0s', 0],
    ['', undefined],
    ['1', undefined],
    ['1d', undefined],
    ['s', undefined],
    ['.s', undefined],
    ['1h-5m', undefined],
    [' 1s', undefined],
    ['1s ', undefined],
  ];
  for (const [s, want] of parses) {
    it(`parses ${JSON.stringify(s)} as ${want}`, () => expect(parseGoDuration(s)).to.equal(want));
  }

  const formats: Array<[number, string]> = [
    [0, '0s'],
    [6 * SECOND, '6s'],
    [HOUR, '1h0m0s'],
    [90 * SECOND, '1m30s'],
    [1.5 * SECOND, '1.5s'],
    [300 * MILLISECOND, '300ms'],
    [1500, '1.5µs'],
    [7, '7ns'],
    [-SECOND, '-1s'],
    [26 * HOUR + 3 * SECOND, '26h0m3s'],
  ];
  for (const [ns, want] of formats) {
    it(`formats ${ns}ns as ${want}`, () => expect(formatGoDuration(ns)).to.equal(want));
  }
});
