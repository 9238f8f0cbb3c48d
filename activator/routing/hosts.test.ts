import { expect } from 'chai';
import { normalizeHost } from './hosts.js';

describe('activator/routing/hosts', () => {
  describe('normalizeHost', () => {
    const cases: Array<{ in: string | undefined; want: string }> = [
      { in: undefined, want: '' },
      { in: '', want: '' },
      { in: 'hello.default.example.com', want: 'hello.default.example.com' },
      { in: 'hello.default.example.com:8080', want: 'hello.default.example.com' },
      { in: 'hello.default.example.com:80', want: 'hello.default.example.com' },
      { in: 'Hello.Default.EXAMPLE.com', want: 'hello.default.example.com' },
      { in: 'HELLO.Default.Example.COM:443', want: 'hello.default.example.com' },
      // Exact: no JS trim() of VT, FF, NBSP or spaces.
      { in: '\x0bhello.default', want: '\x0bhello.default' },
      { in: 'hello.default\x0c', want: 'hello.default\x0c' },
      { in: '\u00a0hello.default:8080', want: '\u00a0hello.default' },
      { in: ' hello.default ', want: ' hello.default ' },
      { in: 'hello.default.svc.cluster.local:80', want: 'hello.default.svc.cluster.local' },
      { in: '10.0.0.7', want: '10.0.0.7' },
      { in: '10.0.0.7:8012', want: '10.0.0.7' },
      { in: '[::1]', want: '[::1]' },
      { in: '[::1]:8080', want: '[::1]' },
      { in: '[2001:DB8::1]:443', want: '[2001:db8::1]' },
      { in: '[fe80::1%25eth0]:80', want: '[fe80::1%25eth0]' },
    ];
    for (const c of cases) {
      it(`${JSON.stringify(c.in)} -> ${JSON.stringify(c.want)}`, () => {
        expect(normalizeHost(c.in)).to.equal(c.want);
      });
    }
  });
});
