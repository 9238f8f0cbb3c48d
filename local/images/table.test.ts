import { expect } from 'chai';
import { builtinImageTable } from './builtin.js';
import {
  containerArgv,
  lookupImage,
  mergeImageTables,
  parseImageTableOverrides,
  type ImageEntry,
  type ImageTable,
} from './table.js';

const app: ImageEntry = { entrypoint: ['/usr/bin/node', '/apps/app.js'], cmd: ['--serve'], description: 'app' };
const shellOnly: ImageEntry = { entrypoint: [], cmd: ['/bin/sh'], description: 'busybox' };

describe('lookupImage', () => {
  const table: ImageTable = new Map([
    ['docker.io/library/busybox', shellOnly],
    ['ghcr.io/knative/helloworld-go', app],
  ]);

  for (const ref of ['busybox', 'busybox:1.36', 'docker.io/library/busybox:1.36', `library/busybox@sha256:${'0'.repeat(64)}`]) {
    it(`finds busybox as ${ref}`, () => {
      expect(lookupImage(table, ref)).to.equal(shellOnly);
    });
  }
  it('ignores tag and digest on other registries', () => {
    expect(lookupImage(table, `ghcr.io/knative/helloworld-go:v2@sha256:${'f'.repeat(64)}`)).to.equal(app);
  });
  it('returns undefined for an unknown image', () => {
    expect(lookupImage(table, 'ghcr.io/knative/other')).to.equal(undefined);
    // same repository on another registry is another image
    expect(lookupImage(table, 'quay.io/library/busybox')).to.equal(undefined);
  });
  it('throws on an invalid reference', () => {
    expect(() => lookupImage(table, 'Not Valid')).to.throw(/"Not Valid"/);
  });
});

describe('containerArgv', () => {
  it('neither command nor args: entrypoint + cmd', () => {
    expect(containerArgv(app, undefined, undefined)).to.deep.equal(['/usr/bin/node', '/apps/app.js', '--serve']);
  });
  it('args only: replace cmd, keep entrypoint', () => {
    expect(containerArgv(app, undefined, ['-v'])).to.deep.equal(['/usr/bin/node', '/apps/app.js', '-v']);
  });
  it('command only: replaces entrypoint and drops cmd', () => {
    expect(containerArgv(app, ['/bin/echo'], undefined)).to.deep.equal(['/bin/echo']);
  });
  it('command and args: command + args', () => {
    expect(containerArgv(app, ['/bin/echo'], ['hi', 'there'])).to.deep.equal(['/bin/echo', 'hi', 'there']);
  });
  it('treats empty arrays as not given, like Kubernetes', () => {
    expect(containerArgv(app, [], [])).to.deep.equal(['/usr/bin/node', '/apps/app.js', '--serve']);
  });
  it('shell-only image: cmd runs when nothing is given, args replace it', () => {
    expect(containerArgv(shellOnly, undefined, undefined)).to.deep.equal(['/bin/sh']);
    expect(containerArgv(shellOnly, ['/bin/sh', '-c'], ['echo hi'])).to.deep.equal(['/bin/sh', '-c', 'echo hi']);
  });
  it('throws naming the image when there is nothing to run', () => {
    const empty: ImageEntry = { entrypoint: [], cmd: [], description: 'scratch-like' };
    expect(() => containerArgv(empty, undefined, undefined)).to.throw(/scratch-like.*must set command/);
  });
  it('does not alias the entry arrays', () => {
    const argv = containerArgv(app, undefined, undefined);
    argv.push('x');
    expect(app.cmd).to.deep.equal(['--serve']);
  });
});

describe('parseImageTableOverrides', () => {
  it('normalises keys and fills defaults', () => {
    const got = parseImageTableOverrides({
      busybox: { cmd: ['/bin/bash'] },
      'ghcr.io/me/app': { entrypoint: ['/bin/app'], env: { MODE: 'x' }, description: 'mine' },
    });
    expect([...got.keys()]).to.deep.equal(['docker.io/library/busybox', 'ghcr.io/me/app']);
    expect(got.get('docker.io/library/busybox')).to.deep.equal({
      entrypoint: [],
      cmd: ['/bin/bash'],
      description: 'user override for busybox',
    });
    expect(got.get('ghcr.io/me/app')).to.deep.equal({ entrypoint: ['/bin/app'], cmd: [], env: { MODE: 'x' }, description: 'mine' });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['invalid key', { 'Bad Ref': {} }, /"Bad Ref".*invalid image reference/],
    ['tagged key', { 'busybox:1.36': {} }, /"busybox:1.36".*tag or digest.*"docker.io\/library\/busybox"/],
    ['duplicate after normalising', { busybox: {}, 'docker.io/library/busybox': {} }, /"docker.io\/library\/busybox".*same image as "busybox"/],
    ['entry not an object', { app: 'x' }, /"app": must be an object/],
    ['entrypoint not strings', { app: { entrypoint: ['a', 1] } }, /"app": field "entrypoint": must be an array of strings/],
    ['cmd a string', { app: { cmd: '/bin/sh' } }, /"app": field "cmd": must be an array of strings/],
    ['env not an object', { app: { env: ['A=1'] } }, /"app": field "env" must be an object/],
    ['env value not a string', { app: { env: { A: 1 } } }, /"app": field "env": value of A must be a string/],
    ['env bad name', { app: { env: { 'A=B': 'x' } } }, /"app": field "env": bad variable name "A=B"/],
    ['description not a string', { app: { description: 3 } }, /"app": field "description" must be a string/],
    ['unknown field', { app: { command: ['x'] } }, /"app": unknown field "command"/],
  ];
  for (const [what, json, why] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => parseImageTableOverrides(json)).to.throw(Error, why);
    });
  }
});

describe('mergeImageTables', () => {
  it('overrides win and the base is untouched', () => {
    const base = builtinImageTable('/usr/bin/node', '/opt/apps', '/opt/runtime/main.js');
    const overrides = parseImageTableOverrides({ busybox: { entrypoint: ['/bin/busybox'] }, 'ghcr.io/me/app': {} });
    const merged = mergeImageTables(base, overrides);
    expect(lookupImage(merged, 'busybox')?.entrypoint).to.deep.equal(['/bin/busybox']);
    expect(lookupImage(merged, 'ghcr.io/me/app')).to.not.equal(undefined);
    expect(lookupImage(merged, 'alpine')).to.equal(base.get('docker.io/library/alpine'));
    expect(lookupImage(base, 'busybox')?.entrypoint).to.deep.equal([]);
    expect(merged.size).to.equal(base.size + 1);
  });
});

describe('builtinImageTable', () => {
  const table = builtinImageTable('/usr/bin/node', '/opt/apps', '/opt/runtime/main.js');
  it('maps the Knative samples to the local apps', () => {
    for (const ref of ['ghcr.io/knative/helloworld-go:latest', 'gcr.io/knative-samples/helloworld-go']) {
      expect(containerArgv(lookupImage(table, ref)!, undefined, undefined)).to.deep.equal(['/usr/bin/node', '/opt/apps/helloworld.js']);
    }
    for (const ref of ['ghcr.io/knative/autoscale-go', 'gcr.io/knative-samples/autoscale-go:v1']) {
      expect(lookupImage(table, ref)?.entrypoint).to.deep.equal(['/usr/bin/node', '/opt/apps/autoscale.js']);
    }
  });
  it('runs the recorder for kzero.dev/testing/recorder', () => {
    expect(containerArgv(lookupImage(table, 'kzero.dev/testing/recorder')!, undefined, undefined)).to.deep.equal(['/usr/bin/node', '/opt/apps/recorder.js']);
  });
  it('runs the warm runtime for kzero.dev/runtime-node', () => {
    expect(containerArgv(lookupImage(table, 'kzero.dev/runtime-node:latest')!, undefined, undefined)).to.deep.equal(['/usr/bin/node', '/opt/runtime/main.js']);
  });
  it('has shell-only base images', () => {
    for (const ref of ['busybox', 'alpine:3.20', 'debian:bookworm']) {
      const entry = lookupImage(table, ref);
      expect(entry, ref).to.deep.include({ entrypoint: [], cmd: ['/bin/sh'] });
      expect(containerArgv(entry!, ['/bin/sh', '-c', 'true'], undefined)).to.deep.equal(['/bin/sh', '-c', 'true']);
    }
  });
});
