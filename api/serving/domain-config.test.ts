import { expect } from 'chai';
import { CLUSTER_LOCAL_DOMAIN, domainFor, parseDomainConfig, type DomainRule } from './domain-config.js';

describe('api/serving/domain-config', () => {
  const parses: Array<{ name: string; data: Record<string, string> | undefined; want: DomainRule[] }> = [
    { name: 'no ConfigMap: no rules', data: undefined, want: [] },
    { name: 'empty ConfigMap: no rules', data: {}, want: [] },
    { name: 'one default domain', data: { 'example.com': '' }, want: [{ domain: 'example.com', selector: {} }] },
    { name: 'whitespace value is the default too', data: { 'example.com': '  \n' }, want: [{ domain: 'example.com', selector: {} }] },
    { name: '_example is skipped', data: { _example: '################################\nlots of text', 'example.com': '' }, want: [{ domain: 'example.com', selector: {} }] },
    {
      name: 'most specific selector first, then by domain name',
      data: {
        'a.dev': '',
        'one.dev': 'selector:\n  app: one\n',
        'two.dev': 'selector:\n  app: two\n  tier: web\n',
        'b.dev': 'selector:\n  app: b\n',
      },
      want: [
        { domain: 'two.dev', selector: { app: 'two', tier: 'web' } },
        { domain: 'b.dev', selector: { app: 'b' } },
        { domain: 'one.dev', selector: { app: 'one' } },
        { domain: 'a.dev', selector: {} },
      ],
    },
    { name: 'selector values are strings', data: { 'v.dev': 'selector:\n  version: 2\n  canary: true\n' }, want: [{ domain: 'v.dev', selector: { version: '2', canary: 'true' } }] },
    { name: 'flow-style selector', data: { 'f.dev': 'selector: {app: f}' }, want: [{ domain: 'f.dev', selector: { app: 'f' } }] },
  ];
  for (const c of parses) it(`parseDomainConfig: ${c.name}`, () => expect(parseDomainConfig(c.data).rules).to.deep.equal(c.want));

  const invalid: Array<{ name: string; data: Record<string, string>; want: RegExp }> = [
    { name: 'upper case domain', data: { 'Example.com': '' }, want: /"Example.com" is not a valid domain/ },
    { name: 'domain ending in a dot', data: { 'example.com.': '' }, want: /not a valid domain/ },
    { name: 'an empty label', data: { 'example..com': '' }, want: /"example..com" is not a valid domain/ },
    { name: 'a label over 63 characters', data: { [`${'a'.repeat(64)}.com`]: '' }, want: /not a valid domain/ },
    { name: 'a label ending in a dash', data: { 'example-.com': '' }, want: /not a valid domain/ },
    { name: 'domain with a space', data: { 'exa mple.com': '' }, want: /not a valid domain/ },
    { name: 'a value that is not a selector', data: { 'example.com': 'app: x' }, want: /value of example.com must be empty or "selector: \{labels\}"/ },
    { name: 'a scalar value', data: { 'example.com': 'whatever' }, want: /must be empty or "selector/ },
    { name: 'an empty selector', data: { 'example.com': 'selector:' }, want: /must be empty or "selector/ },
  ];
  for (const c of invalid) it(`parseDomainConfig rejects ${c.name}`, () => expect(() => parseDomainConfig(c.data)).to.throw(c.want));

  it('the parsed config is frozen', () => {
    const cfg = parseDomainConfig({ 'example.com': '' });
    expect(Object.isFrozen(cfg) && Object.isFrozen(cfg.rules)).to.equal(true);
  });

  const config = parseDomainConfig({
    'example.com': '',
    'internal.dev': 'selector:\n  app: internal\n',
    'web.internal.dev': 'selector:\n  app: internal\n  tier: web\n',
  });
  const picks: Array<{ name: string; labels: Record<string, string> | undefined; want: string }> = [
    { name: 'no labels: the default', labels: undefined, want: 'example.com' },
    { name: 'unrelated labels: the default', labels: { team: 'x' }, want: 'example.com' },
    { name: 'one selector matches', labels: { app: 'internal' }, want: 'internal.dev' },
    { name: 'the more specific selector wins', labels: { app: 'internal', tier: 'web', extra: 'y' }, want: 'web.internal.dev' },
    { name: 'a partial match of the specific one falls back', labels: { app: 'internal', tier: 'db' }, want: 'internal.dev' },
    { name: 'a different value does not match', labels: { app: 'external' }, want: 'example.com' },
  ];
  for (const c of picks) it(`domainFor: ${c.name}`, () => expect(domainFor(config, c.labels)).to.equal(c.want));

  it('domainFor without a default and no match: the cluster-local domain', () => {
    const onlySelector = parseDomainConfig({ 'internal.dev': 'selector:\n  app: internal\n' });
    expect([domainFor(onlySelector, { app: 'other' }), domainFor(parseDomainConfig(undefined), {})]).to.deep.equal([CLUSTER_LOCAL_DOMAIN, 'svc.cluster.local']);
  });
});
