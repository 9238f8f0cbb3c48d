import { expect } from 'chai';
import { RuntimeError } from './errors.js';
import { parseSpecializeRequest } from './request.js';

const sha = 'AB'.repeat(32);
const good = { revision: 'default/hello-00001', code: { url: 'https://pkgs.example/hello.tgz', sha256: sha }, env: { K_REVISION: 'hello-00001' } };

describe('parseSpecializeRequest', () => {
  it('accepts a good body, lower-cases the hash and ignores unknown fields', () => {
    expect(parseSpecializeRequest({ ...good, extra: 1 })).to.deep.equal({ ...good, code: { ...good.code, sha256: sha.toLowerCase() } });
  });
  it('keeps the claim id when there is one', () => {
    expect(parseSpecializeRequest({ ...good, claim: 'c0ffee-1' }).claim).to.equal('c0ffee-1');
  });
  it('defaults env to empty', () => {
    expect(parseSpecializeRequest({ revision: good.revision, code: good.code }).env).to.deep.equal({});
  });
  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /body must be a JSON object/],
    ['no revision', { ...good, revision: undefined }, /field "revision": must be "<namespace>\/<name>", got null/],
    ['revision without namespace', { ...good, revision: 'hello' }, /field "revision"/],
    ['revision with capitals', { ...good, revision: 'Default/x' }, /field "revision"/],
    ['no code', { ...good, code: undefined }, /field "code": must be an object/],
    ['a non-http url', { ...good, code: { ...good.code, url: 'file:///etc/passwd' } }, /field "code.url": must be an http\(s\) URL/],
    ['an invalid url', { ...good, code: { ...good.code, url: 'not a url' } }, /field "code.url"/],
    ['a short sha256', { ...good, code: { ...good.code, sha256: 'abc' } }, /field "code.sha256": must be 64 hex digits/],
    ['env not an object', { ...good, env: ['A=1'] }, /field "env": must be an object/],
    ['env bad name', { ...good, env: { 'A=B': 'x' } }, /field "env": bad variable name "A=B"/],
    ['env non-string value', { ...good, env: { A: 1 } }, /field "env": value of A must be a string/],
    ['a claim id with a slash', { ...good, claim: 'a/b' }, /field "claim": must be 1-64 letters, digits or dashes, got "a\/b"/],
    ['a claim id not a string', { ...good, claim: 7 }, /field "claim"/],
  ];
  for (const [what, body, why] of bad) {
    it(`rejects ${what} with 400`, () => {
      expect(() => parseSpecializeRequest(body)).to.throw(RuntimeError, why).with.property('status', 400);
    });
  }
});
