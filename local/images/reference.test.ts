import { expect } from 'chai';
import { parseImageReference, type ImageReference } from './reference.js';

const SHA = 'sha256:' + 'a'.repeat(64);

describe('parseImageReference', () => {
  const valid: Array<[string, ImageReference]> = [
    ['busybox', { registry: 'docker.io', repository: 'library/busybox', name: 'docker.io/library/busybox' }],
    ['busybox:1.36', { registry: 'docker.io', repository: 'library/busybox', tag: '1.36', name: 'docker.io/library/busybox' }],
    ['library/busybox', { registry: 'docker.io', repository: 'library/busybox', name: 'docker.io/library/busybox' }],
    ['docker.io/busybox', { registry: 'docker.io', repository: 'library/busybox', name: 'docker.io/library/busybox' }],
    ['index.docker.io/library/busybox', { registry: 'docker.io', repository: 'library/busybox', name: 'docker.io/library/busybox' }],
    ['knative/helloworld-go', { registry: 'docker.io', repository: 'knative/helloworld-go', name: 'docker.io/knative/helloworld-go' }],
    [
      'ghcr.io/knative/helloworld-go:latest',
      { registry: 'ghcr.io', repository: 'knative/helloworld-go', tag: 'latest', name: 'ghcr.io/knative/helloworld-go' },
    ],
    [`alpine@${SHA}`, { registry: 'docker.io', repository: 'library/alpine', digest: SHA, name: 'docker.io/library/alpine' }],
    [
      `gcr.io/knative-samples/autoscale-go:v1@${SHA}`,
      { registry: 'gcr.io', repository: 'knative-samples/autoscale-go', tag: 'v1', digest: SHA, name: 'gcr.io/knative-samples/autoscale-go' },
    ],
    ['localhost:5000/app', { registry: 'localhost:5000', repository: 'app', name: 'localhost:5000/app' }],
    ['localhost:5000/team/app:dev', { registry: 'localhost:5000', repository: 'team/app', tag: 'dev', name: 'localhost:5000/team/app' }],
    ['localhost/app', { registry: 'localhost', repository: 'app', name: 'localhost/app' }],
    ['registry.example.com:443/a/b/c', { registry: 'registry.example.com:443', repository: 'a/b/c', name: 'registry.example.com:443/a/b/c' }],
    ['[::1]:5000/app', { registry: '[::1]:5000', repository: 'app', name: '[::1]:5000/app' }],
    // "localhost" alone is a repository, not a registry (no path follows it).
    ['localhost', { registry: 'docker.io', repository: 'library/localhost', name: 'docker.io/library/localhost' }],
    ['my_org/my__app-x.y', { registry: 'docker.io', repository: 'my_org/my__app-x.y', name: 'docker.io/my_org/my__app-x.y' }],
  ];
  for (const [ref, want] of valid) {
    it(`parses ${ref}`, () => {
      expect(parseImageReference(ref)).to.deep.equal(want);
    });
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Busybox', /lowercase/],
    ['docker.io/Library/busybox', /lowercase/],
    ['busy box', /whitespace/],
    [' busybox', /whitespace/],
    ['busybox:', /bad tag/],
    ['busybox:-x', /bad tag/],
    ['busybox@sha256:abc', /bad digest/],
    ['busybox@', /bad digest/],
    [':latest', /no repository/],
    ['/busybox', /bad path component/],
    ['busybox/', /bad path component/],
    ['a//b', /bad path component/],
    ['-app', /bad path component/],
    ['localhost:port/app', /bad registry/],
    ['bad_host.io/app', /bad registry/],
    ['a'.repeat(256), /longer than 255/],
  ];
  for (const [ref, why] of invalid) {
    it(`rejects ${JSON.stringify(ref.length > 40 ? ref.slice(0, 10) + '…' : ref)}`, () => {
      expect(() => parseImageReference(ref))
        .to.throw(Error, why)
        .with.property('message')
        .that.includes(JSON.stringify(ref));
    });
  }
});
