import { expect } from 'chai';
import { clusterLocalHosts, hostOfUrl, normalizeHost } from './hosts.js';

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
      { in: '  hello.default:8080  ', want: 'hello.default' },
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

  describe('clusterLocalHosts', () => {
    const cases: Array<{ name: string; ns: string; want: string[] }> = [
      { name: 'hello', ns: 'default', want: ['hello.default', 'hello.default.svc', 'hello.default.svc.cluster.local'] },
      { name: 'canary-hello', ns: 'team-a', want: ['canary-hello.team-a', 'canary-hello.team-a.svc', 'canary-hello.team-a.svc.cluster.local'] },
    ];
    for (const c of cases) {
      it(`${c.name}.${c.ns}`, () => {
        expect(clusterLocalHosts(c.name, c.ns)).to.deep.equal(c.want);
      });
    }
  });

  describe('hostOfUrl', () => {
    const cases: Array<{ in: string | undefined; want: string | undefined }> = [
      { in: undefined, want: undefined },
      { in: '', want: undefined },
      { in: 'not a url', want: undefined },
      { in: 'hello.default.example.com', want: undefined },
      { in: 'http://hello.default.example.com', want: 'hello.default.example.com' },
      { in: 'https://Hello.Default.Example.COM/path?q=1', want: 'hello.default.example.com' },
      { in: 'http://hello.default.example.com:8080/', want: 'hello.default.example.com' },
      { in: 'http://hello.default.svc.cluster.local', want: 'hello.default.svc.cluster.local' },
      { in: 'http://[::1]:8080/', want: '[::1]' },
      { in: 'http://[2001:DB8::1]/', want: '[2001:db8::1]' },
      { in: 'http://10.0.0.7:8012', want: '10.0.0.7' },
    ];
    for (const c of cases) {
      it(`${JSON.stringify(c.in)} -> ${JSON.stringify(c.want)}`, () => {
        expect(hostOfUrl(c.in)).to.equal(c.want);
      });
    }

    it('agrees with normalizeHost on the Host header a client sends for the same URL', () => {
      for (const [url, header] of [['http://Hello.Default.Example.com:8080/x', 'Hello.Default.Example.com:8080'], ['http://[::1]:80/', '[::1]:80']] as const) {
        expect(hostOfUrl(url)).to.equal(normalizeHost(header));
      }
    });
  });
});
