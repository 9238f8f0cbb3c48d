import { expect } from 'chai';
import { parseFlags, requireFlag } from './flags.js';

describe('flags', () => {
  describe('parseFlags', () => {
    const cases: Array<{ name: string; argv: string[]; flags: Array<[string, string]>; positional: string[] }> = [
      { name: 'nothing', argv: [], flags: [], positional: [] },
      { name: '--a=b', argv: ['--a=b'], flags: [['a', 'b']], positional: [] },
      { name: '--a b', argv: ['--a', 'b'], flags: [['a', 'b']], positional: [] },
      { name: 'bare --flag at the end', argv: ['--flag'], flags: [['flag', 'true']], positional: [] },
      { name: 'bare --flag before another flag', argv: ['--flag', '--a=b'], flags: [['flag', 'true'], ['a', 'b']], positional: [] },
      { name: 'positional arguments', argv: ['up', 'now'], flags: [], positional: ['up', 'now'] },
      {
        name: 'mixed',
        argv: ['up', '--node-name', 'n1', 'extra', '--pod-cidr=10.244.0.0/16', '--sample'],
        flags: [['node-name', 'n1'], ['pod-cidr', '10.244.0.0/16'], ['sample', 'true']],
        positional: ['up', 'extra'],
      },
      { name: 'the value keeps later = signs', argv: ['--url=http://h/?a=b'], flags: [['url', 'http://h/?a=b']], positional: [] },
      { name: '--a= gives an empty value', argv: ['--a='], flags: [['a', '']], positional: [] },
      { name: 'a value starting with a single dash is a value', argv: ['--n', '-1'], flags: [['n', '-1']], positional: [] },
      { name: 'single-dash arguments are positional', argv: ['-v', 'x'], flags: [], positional: ['-v', 'x'] },
      { name: 'a repeated flag: the last wins', argv: ['--a=1', '--a', '2'], flags: [['a', '2']], positional: [] },
      { name: 'an empty string value after --a', argv: ['--a', ''], flags: [['a', '']], positional: [] },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const got = parseFlags(c.argv);
        expect([...got.flags]).to.deep.equal(c.flags);
        expect(got.positional).to.deep.equal(c.positional);
      });
    }

    it('does not modify argv', () => {
      const argv = ['--a', 'b', 'c'];
      parseFlags(argv);
      expect(argv).to.deep.equal(['--a', 'b', 'c']);
    });
  });

  describe('requireFlag', () => {
    const flags = new Map([['pki-dir', '/tmp/pki'], ['empty', ''], ['bare', 'true']]);
    it('returns the value', () => {
      expect(requireFlag(flags, 'pki-dir')).to.equal('/tmp/pki');
    });
    for (const name of ['missing', 'empty', 'bare']) {
      it(`${name} -> error naming the flag`, () => {
        expect(() => requireFlag(flags, name)).to.throw(`missing required flag --${name}`);
      });
    }
  });
});
