import { expect } from 'chai';
import { bearerMatches, parseBearerTokens } from './bearer-tokens.js';

describe('lib/bearer-tokens', () => {
  it('one token per line, in order; blank lines and surrounding space ignored', () => {
    expect(parseBearerTokens('new-token\n\n  old-token \r\n', '/t')).to.deep.equal(['new-token', 'old-token']);
    expect(parseBearerTokens('abc123\n', '/t')).to.deep.equal(['abc123']);
  });

  it('refuses a file without a token, or a line that cannot be a bearer token, naming the file and line', () => {
    expect(() => parseBearerTokens(' \n\n', '/var/run/kzero/autoscaler-token/token')).to.throw('/var/run/kzero/autoscaler-token/token: no bearer token');
    expect(() => parseBearerTokens('good\nnot good', '/t')).to.throw('/t: line 2 is not a bearer token (letters, digits and -._~+/ only)');
  });

  it('accepts any token of the list (rotation), nothing else', () => {
    const tokens = parseBearerTokens('new-token\nold-token', '/t');
    expect([bearerMatches('Bearer new-token', tokens), bearerMatches('Bearer old-token', tokens)]).to.deep.equal([true, true]);
    for (const h of [undefined, '', 'Bearer ', 'Bearer new-token\nold-token', 'Bearer new', 'Bearer new-tokenx', 'bearer new-token', 'Basic new-token', 'new-token']) {
      expect(bearerMatches(h, tokens), JSON.stringify(h)).to.equal(false);
    }
    expect(bearerMatches('Bearer old-token', parseBearerTokens('new-token', '/t')), 'once the old token is dropped').to.equal(false);
  });
});
