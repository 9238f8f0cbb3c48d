import { expect } from 'chai';
import { DEFAULT_DEFAULTS_CONFIG } from '../../api/serving/v1/defaults.js';
import { applyPatch } from '../../testing/json-patch.js';
import { defaultObject, validateObject, type AdmissionDeps, type AdmissionRequest } from './admission.js';
import type { PatchOp } from './jsonpatch.js';

const deps = (over: Partial<AdmissionDeps> = {}): AdmissionDeps => ({
  defaults: () => DEFAULT_DEFAULTS_CONFIG,
  validation: () => ({ allowZeroInitialScale: false, maxRevisionTimeoutSeconds: 600 }),
  revisionExists: () => false,
  namespaceShard: () => undefined,
  shardCount: () => 4,
  ...over,
});

const service = (labels: Record<string, string> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'serving.knative.dev/v1', kind: 'Service',
  metadata: { name: 'hello', namespace: 'team-a', labels },
  spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go' }] } } },
  ...extra,
});

const req = (operation: 'CREATE' | 'UPDATE', object: unknown, oldObject?: unknown): AdmissionRequest => ({
  uid: 'u1', kind: { group: 'serving.knative.dev', version: 'v1', kind: 'Service' }, operation, namespace: 'team-a',
  userInfo: { username: 'alice' }, object, ...(oldObject ? { oldObject } : {}),
});

const patchOf = (r: ReturnType<typeof defaultObject>): PatchOp[] => (r.patch ? (JSON.parse(Buffer.from(r.patch, 'base64').toString()) as PatchOp[]) : []);
const after = (r: ReturnType<typeof defaultObject>, before: Record<string, unknown>): { metadata: { labels?: Record<string, string> } } =>
  applyPatch(before, patchOf(r)) as unknown as { metadata: { labels?: Record<string, string> } };
const labelsAfter = (r: ReturnType<typeof defaultObject>, before: Record<string, unknown>): Record<string, string> => after(r, before).metadata.labels ?? {};

describe('webhook admission', () => {
  describe('defaulting', () => {
    const cases: Array<{ name: string; op: 'CREATE' | 'UPDATE'; obj: Record<string, unknown>; old?: Record<string, unknown>; deps?: Partial<AdmissionDeps>; shard: string }> = [
      { name: 'a new Service gets a hashed shard', op: 'CREATE', obj: service(), shard: '' },
      { name: 'the namespace label wins over the hash', op: 'CREATE', obj: service(), deps: { namespaceShard: () => 'gold' }, shard: 'gold' },
      { name: 'an explicit shard label is kept', op: 'CREATE', obj: service({ 'kzero.dev/shard': 'mine' }), shard: 'mine' },
      { name: 'an update that omits the label keeps the stored shard', op: 'UPDATE', obj: service(), old: service({ 'kzero.dev/shard': '3' }), shard: '3' },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const r = defaultObject(req(c.op, c.obj, c.old), deps(c.deps));
        expect(r.allowed).to.equal(true);
        expect(r.patchType).to.equal('JSONPatch');
        const shard = labelsAfter(r, c.obj)['kzero.dev/shard'];
        if (c.shard) expect(shard).to.equal(c.shard);
        else expect(shard).to.match(/^[0-3]$/);
      });
    }

    it('is stable: the same Service always lands in the same shard', () => {
      const a = labelsAfter(defaultObject(req('CREATE', service()), deps()), service());
      const b = labelsAfter(defaultObject(req('CREATE', service()), deps()), service());
      expect(a['kzero.dev/shard']).to.equal(b['kzero.dev/shard']);
    });

    it('leaves objects owned by a controller to inherit their shard', () => {
      const owned = service({}, {});
      (owned.metadata as Record<string, unknown>).ownerReferences = [{ apiVersion: 'v1', kind: 'X', name: 'p', uid: 'u', controller: true }];
      const r = defaultObject({ ...req('CREATE', owned), kind: { group: 'serving.knative.dev', version: 'v1', kind: 'Route' } }, deps());
      expect(patchOf(r).some((o) => o.path.startsWith('/metadata/labels'))).to.equal(false);
    });

    it('sets the creator annotation from the requesting user', () => {
      const r = defaultObject(req('CREATE', service({ 'kzero.dev/shard': '0' })), deps());
      const text = JSON.stringify(patchOf(r));
      expect(text).to.contain('serving.knative.dev/creator');
      expect(text).to.contain('alice');
    });

    it('ignores other kinds and operations', () => {
      expect(defaultObject({ ...req('CREATE', service()), kind: { group: '', version: 'v1', kind: 'Pod' } }, deps())).to.deep.equal({ uid: 'u1', allowed: true });
      expect(defaultObject({ ...req('CREATE', service()), operation: 'DELETE' }, deps())).to.deep.equal({ uid: 'u1', allowed: true });
    });
  });

  describe('validation', () => {
    it('allows a valid Service once defaulted (the API server runs mutating webhooks first)', () => {
      const defaulted = after(defaultObject(req('CREATE', service()), deps()), service());
      const r = validateObject(req('CREATE', defaulted), deps());
      expect(r.status?.message).to.equal(undefined);
      expect(r.allowed).to.equal(true);
    });

    it('denies with a 400 naming the field', () => {
      const bad = service({}, { spec: { template: { spec: { containers: [{ image: 'x' }] } }, traffic: [{ latestRevision: true, percent: 90 }] } });
      const r = validateObject(req('CREATE', bad), deps());
      expect(r.allowed).to.equal(false);
      expect(r.status?.code).to.equal(400);
      expect(r.status?.message).to.contain('spec.traffic');
    });

    it('checks revision traffic targets against the namespace it is in', () => {
      const seen: string[] = [];
      const raw = service({}, { spec: { template: { spec: { containers: [{ image: 'x' }] } }, traffic: [{ revisionName: 'hello-00001', percent: 100 }] } });
      const withTarget = after(defaultObject(req('CREATE', raw), deps()), raw);
      const r = validateObject(req('CREATE', withTarget), deps({ revisionExists: (ns, name) => (seen.push(`${ns}/${name}`), true) }));
      expect(r.allowed).to.equal(true);
      expect(seen).to.deep.equal(['team-a/hello-00001']);
    });
  });

  describe('PodPools (kzero.dev/v1alpha1)', () => {
    const pool = (containers: unknown[]): Record<string, unknown> => ({
      apiVersion: 'kzero.dev/v1alpha1', kind: 'PodPool', metadata: { name: 'node', namespace: 'team-a' },
      spec: { minReady: 2, template: { spec: { containers } } },
    });
    const poolReq = (object: unknown): AdmissionRequest => ({ ...req('CREATE', object), kind: { group: 'kzero.dev', version: 'v1alpha1', kind: 'PodPool' } });

    it('a new pool gets its shard, and nothing else', () => {
      const obj = pool([{ name: 'runtime', image: 'kzero.dev/runtime-node' }]);
      const r = defaultObject(poolReq(obj), deps({ namespaceShard: () => 'gold' }));
      expect(patchOf(r)).to.deep.equal([{ op: 'add', path: '/metadata/labels', value: { 'kzero.dev/shard': 'gold' } }]);
    });

    it('a valid pool is allowed; a bad one is denied with a 400 naming the field', () => {
      expect(validateObject(poolReq(pool([{ name: 'runtime', image: 'kzero.dev/runtime-node' }])), deps()).allowed).to.equal(true);
      const r = validateObject(poolReq(pool([{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }])), deps());
      expect(r).to.deep.equal({ uid: 'u1', allowed: false, status: { code: 400, reason: 'BadRequest', message: 'invalid PodPool "node": spec.template.spec.containers: want exactly one container (the runtime), got 2' } });
    });
  });
});
