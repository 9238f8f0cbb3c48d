import type { V1Container } from '@kubernetes/client-node';
import { expect } from 'chai';
import {
  DEFAULT_DEFAULTS_CONFIG,
  childName,
  parseDefaultsConfig,
  renderNameTemplate,
  setConfigurationDefaults,
  setRevisionDefaults,
  setRouteDefaults,
  setServiceDefaults,
  type DefaultsConfig,
  type DefaultsContext,
} from './defaults.js';
import type { Configuration, Revision, Route, Service } from './types.js';

const clone = <T>(v: T): T => structuredClone(v);

/** helloworld-go, verbatim from Knative's docs (serving/services/creating-services). */
function helloworldGo(): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'helloworld-go', namespace: 'default' },
    spec: {
      template: {
        spec: {
          containers: [{ image: 'ghcr.io/knative/helloworld-go:latest', env: [{ name: 'TARGET', value: 'Go Sample v1' }] } as V1Container],
        },
      },
    },
  };
}

function create<T>(config: DefaultsConfig = DEFAULT_DEFAULTS_CONFIG, user?: string): DefaultsContext<T> {
  return { operation: 'CREATE', config, ...(user !== undefined ? { user } : {}) };
}

describe('serving defaults', () => {
  describe('parseDefaultsConfig', () => {
    it("is Knative's defaults for an empty ConfigMap, frozen", () => {
      const c = parseDefaultsConfig({});
      expect(c).to.deep.equal(DEFAULT_DEFAULTS_CONFIG);
      expect(c).to.include({
        revisionTimeoutSeconds: 300,
        maxRevisionTimeoutSeconds: 600,
        containerConcurrency: 0,
        containerNameTemplate: 'user-container',
        enableServiceLinks: false,
      });
      expect(Object.isFrozen(c)).to.equal(true);
    });

    it('reads the keys it knows and ignores the others', () => {
      const c = parseDefaultsConfig({
        'revision-timeout-seconds': '120',
        'max-revision-timeout-seconds': '900',
        'container-concurrency': '10',
        'container-name-template': '{{.Name}}',
        'allow-container-concurrency-zero': 'false',
        _example: 'ignored',
      });
      expect(c).to.include({
        revisionTimeoutSeconds: 120,
        maxRevisionTimeoutSeconds: 900,
        revisionResponseStartTimeoutSeconds: 120,
        containerConcurrency: 10,
        containerNameTemplate: '{{.Name}}',
        allowContainerConcurrencyZero: false,
      });
    });

    const tri: Array<[string, boolean | undefined]> = [
      ['true', true],
      ['FALSE', false],
      ['default', undefined],
    ];
    for (const [raw, want] of tri) {
      it(`enable-service-links ${raw} is ${want}`, () => expect(parseDefaultsConfig({ 'enable-service-links': raw }).enableServiceLinks).to.equal(want));
    }

    const bad: Array<[Record<string, string>, string]> = [
      [{ 'revision-timeout-seconds': 'abc' }, 'failed to parse "revision-timeout-seconds": invalid integer "abc"'],
      [{ 'revision-timeout-seconds': '700' }, 'revision-timeout-seconds (700) cannot be greater than max-revision-timeout-seconds (600)'],
      [{ 'revision-response-start-timeout-seconds': '400' }, 'revision-response-start-timeout-seconds (400) cannot be greater than revision-timeout-seconds (300)'],
      [{ 'revision-idle-timeout-seconds': '400' }, 'revision-idle-timeout-seconds (400) cannot be greater than revision-timeout-seconds (300)'],
      [{ 'container-concurrency': '1001' }, 'expected 0 <= 1001 <= 1000: container-concurrency'],
      [{ 'container-concurrency-max-limit': '0' }, 'expected 1 <= 0 <= 2147483647: container-concurrency-max-limit'],
      [{ 'allow-container-concurrency-zero': 'maybe' }, 'failed to parse "allow-container-concurrency-zero": invalid boolean "maybe"'],
      [{ 'container-name-template': '{{.Spec}}' }, 'error executing template: container-name-template: unsupported template action {{.Spec}}'],
    ];
    for (const [data, msg] of bad) {
      it(`rejects ${JSON.stringify(data)}`, () => expect(() => parseDefaultsConfig(data)).to.throw(msg));
    }
  });

  it('renderNameTemplate fills in ObjectMeta fields', () => {
    expect(renderNameTemplate('{{.Name}}-{{ .Namespace }}', { name: 'a', namespace: 'b' })).to.equal('a-b');
    expect(renderNameTemplate('user-container', { name: 'a' })).to.equal('user-container');
  });

  it("childName is Knative's kmeta.ChildName", () => {
    expect(childName('user-container', '-0')).to.equal('user-container-0');
    const long = 'a'.repeat(70);
    const n = childName(long, '-1');
    expect(n).to.have.length(63);
    expect(n.startsWith('a'.repeat(29))).to.equal(true);
    expect(n.endsWith('-1')).to.equal(true);
    expect(n).to.match(/^a{29}[0-9a-f]{32}-1$/);
  });

  describe('setServiceDefaults', () => {
    it('defaults helloworld-go on create, as Knative does', () => {
      const svc = helloworldGo();
      setServiceDefaults(svc, create(DEFAULT_DEFAULTS_CONFIG, 'alice'));
      expect(svc).to.deep.equal({
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: {
          name: 'helloworld-go',
          namespace: 'default',
          annotations: { 'serving.knative.dev/creator': 'alice', 'serving.knative.dev/lastModifier': 'alice' },
        },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'user-container',
                  image: 'ghcr.io/knative/helloworld-go:latest',
                  env: [{ name: 'TARGET', value: 'Go Sample v1' }],
                  resources: {},
                  readinessProbe: { tcpSocket: { port: 0 }, successThreshold: 1 },
                },
              ],
              enableServiceLinks: false,
              timeoutSeconds: 300,
              containerConcurrency: 0,
            },
          },
          traffic: [{ latestRevision: true, percent: 100 }],
        },
      });
    });

    it('does not set enableServiceLinks on update, nor touch what the user set', () => {
      const svc = helloworldGo();
      svc.spec.template.spec.timeoutSeconds = 60;
      svc.spec.template.spec.containerConcurrency = 5;
      setServiceDefaults(svc, { operation: 'UPDATE', config: DEFAULT_DEFAULTS_CONFIG });
      expect(svc.spec.template.spec.enableServiceLinks).to.equal(undefined);
      expect(svc.spec.template.spec.timeoutSeconds).to.equal(60);
      expect(svc.spec.template.spec.containerConcurrency).to.equal(5);
    });

    it('defaults timeoutSeconds 0 to the configured timeout', () => {
      const svc = helloworldGo();
      svc.spec.template.spec.timeoutSeconds = 0;
      setServiceDefaults(svc, create(parseDefaultsConfig({ 'revision-timeout-seconds': '120', 'revision-idle-timeout-seconds': '60' })));
      expect(svc.spec.template.spec).to.include({ timeoutSeconds: 120, idleTimeoutSeconds: 60 });
      // The response-start timeout defaults to the revision timeout, so it is not below it: left unset.
      expect(svc.spec.template.spec.responseStartTimeoutSeconds).to.equal(undefined);
    });

    it('names the container from the name template and the Service', () => {
      const svc = helloworldGo();
      setServiceDefaults(svc, create(parseDefaultsConfig({ 'container-name-template': '{{.Name}}' })));
      expect(svc.spec.template.spec.containers[0]?.name).to.equal('helloworld-go');
    });

    it('defaults the traffic targets it is given (byo traffic block)', () => {
      const svc = helloworldGo();
      svc.spec.traffic = [
        { tag: 'current', revisionName: 'foo', percent: 90 },
        { tag: 'candidate', revisionName: 'bar', percent: 10 },
        { tag: 'latest' },
      ];
      setServiceDefaults(svc, create());
      expect(svc.spec.traffic).to.deep.equal([
        { tag: 'current', revisionName: 'foo', percent: 90, latestRevision: false },
        { tag: 'candidate', revisionName: 'bar', percent: 10, latestRevision: false },
        { tag: 'latest', percent: 0, latestRevision: true },
      ]);
    });

    it('does not default a template that keeps its BYO name on update', () => {
      const old = helloworldGo();
      old.spec.template.metadata = { name: 'helloworld-go-v1' };
      setServiceDefaults(old, create());
      const next = helloworldGo();
      next.spec.template.metadata = { name: 'helloworld-go-v1' };
      setServiceDefaults(next, { operation: 'UPDATE', old, config: DEFAULT_DEFAULTS_CONFIG });
      expect(next.spec.template.spec.containers[0]?.name).to.equal(undefined);
      expect(next.spec.template.spec.timeoutSeconds).to.equal(undefined);
      // The traffic block is still defaulted.
      expect(next.spec.traffic).to.deep.equal([{ latestRevision: true, percent: 100 }]);
    });

    describe('creator and lastModifier', () => {
      const cases: Array<{ name: string; user?: string; op: 'CREATE' | 'UPDATE'; change: boolean; oldAnns?: Record<string, string>; want: Record<string, string> | undefined }> = [
        { name: 'create', user: 'u1', op: 'CREATE', change: false, want: { 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u1' } },
        { name: 'create without a user', op: 'CREATE', change: false, want: undefined },
        { name: 'update, no change, old object without annotations', user: 'u2', op: 'UPDATE', change: false, want: undefined },
        {
          name: 'update, no change',
          user: 'u2',
          op: 'UPDATE',
          change: false,
          oldAnns: { 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u1' },
          want: { 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u1' },
        },
        {
          name: 'update, spec changed',
          user: 'u2',
          op: 'UPDATE',
          change: true,
          oldAnns: { 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u1' },
          want: { 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u2' },
        },
      ];
      for (const c of cases) {
        it(c.name, () => {
          const old = helloworldGo();
          setServiceDefaults(old, create());
          if (c.oldAnns) old.metadata.annotations = { ...c.oldAnns };
          const next = clone(old);
          if (c.change) next.spec.template.spec.containers[0]!.image = 'ghcr.io/knative/helloworld-go:v2';
          if (c.op === 'CREATE') {
            const fresh = helloworldGo();
            setServiceDefaults(fresh, create(DEFAULT_DEFAULTS_CONFIG, c.user));
            expect(fresh.metadata.annotations).to.deep.equal(c.want);
          } else {
            setServiceDefaults(next, { operation: 'UPDATE', old, config: DEFAULT_DEFAULTS_CONFIG, ...(c.user ? { user: c.user } : {}) });
            expect(next.metadata.annotations).to.deep.equal(c.want);
          }
        });
      }

      it('are not propagated into the template (Knative does not)', () => {
        const svc = helloworldGo();
        setServiceDefaults(svc, create(DEFAULT_DEFAULTS_CONFIG, 'u1'));
        expect(svc.spec.template.metadata).to.equal(undefined);
      });
    });
  });

  describe('container names and probes', () => {
    it('numbers several containers, skipping the names users chose', () => {
      const rev: Revision = {
        metadata: { name: 'r' },
        spec: {
          containers: [
            { name: '' },
            { name: 'user-container-0', ports: [{ containerPort: 8888 }] },
            { name: 'user-container-3' },
            { name: '' },
            { name: 'user-container-5' },
            { name: '' },
            { name: '' },
            { name: 'user-container-4' },
          ],
        },
      };
      setRevisionDefaults(rev, create());
      expect(rev.spec.containers.map((c) => c.name)).to.deep.equal([
        'user-container-1',
        'user-container-0',
        'user-container-3',
        'user-container-2',
        'user-container-5',
        'user-container-6',
        'user-container-7',
        'user-container-4',
      ]);
      // Only the serving container (the one with a port) gets the default probe.
      expect(rev.spec.containers.map((c) => c.readinessProbe !== undefined)).to.deep.equal([false, true, false, false, false, false, false, false]);
    });

    it('a lone container whose default name is taken by an init container gets a number', () => {
      const rev: Revision = { metadata: { name: 'r' }, spec: { containers: [{ name: '', image: 'x' }], initContainers: [{ name: 'user-container', image: 'y' }] } };
      setRevisionDefaults(rev, create());
      expect(rev.spec.containers[0]?.name).to.equal('user-container-0');
    });

    it('keeps a probe handler, and fills in thresholds', () => {
      const rev: Revision = {
        metadata: { name: 'r' },
        spec: {
          containers: [
            { name: 'a', image: 'x', readinessProbe: { httpGet: { port: 0, path: '/healthz' }, periodSeconds: 5 }, livenessProbe: { grpc: { port: 9000 } } },
          ],
        },
      };
      setRevisionDefaults(rev, create());
      expect(rev.spec.containers[0]?.readinessProbe).to.deep.equal({ httpGet: { port: 0, path: '/healthz' }, periodSeconds: 5, successThreshold: 1, failureThreshold: 3, timeoutSeconds: 1 });
      expect(rev.spec.containers[0]?.livenessProbe).to.deep.equal({ grpc: { port: 9000, service: '' } });
    });

    it('makes mounts of non-writable volumes read-only', () => {
      const rev: Revision = {
        metadata: { name: 'r' },
        spec: {
          containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }, { name: 'tmp', mountPath: '/tmp' }] }],
          volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'tmp', emptyDir: {} }],
        },
      };
      setRevisionDefaults(rev, create());
      expect(rev.spec.containers[0]?.volumeMounts).to.deep.equal([{ name: 'cfg', mountPath: '/cfg', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }]);
    });
  });

  describe('setRevisionDefaults', () => {
    it('leaves a Revision alone on update (its spec is immutable)', () => {
      const rev: Revision = { metadata: { name: 'r' }, spec: { containers: [{ name: '', image: 'x' }] } };
      const before = clone(rev);
      setRevisionDefaults(rev, { operation: 'UPDATE', config: DEFAULT_DEFAULTS_CONFIG });
      expect(rev).to.deep.equal(before);
    });
  });

  describe('setConfigurationDefaults', () => {
    it('annotates a Configuration of its own, not one owned by a Service', () => {
      const own: Configuration = { metadata: { name: 'c' }, spec: { template: { spec: { containers: [{ name: '', image: 'x' }] } } } };
      setConfigurationDefaults(own, create(DEFAULT_DEFAULTS_CONFIG, 'u1'));
      expect(own.metadata.annotations).to.deep.equal({ 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u1' });
      expect(own.spec.template.spec.containers[0]?.name).to.equal('user-container');

      const owned: Configuration = {
        metadata: { name: 'c', ownerReferences: [{ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'c', uid: '1' }] },
        spec: { template: { spec: { containers: [{ name: '', image: 'x' }] } } },
      };
      setConfigurationDefaults(owned, create(DEFAULT_DEFAULTS_CONFIG, 'u1'));
      expect(owned.metadata.annotations).to.equal(undefined);
    });
  });

  describe('setRouteDefaults', () => {
    it('defaults targets but does not invent traffic (no implied configuration)', () => {
      const empty: Route = { metadata: { name: 'r' }, spec: {} };
      setRouteDefaults(empty, create());
      expect(empty.spec.traffic).to.equal(undefined);

      const route: Route = { metadata: { name: 'r' }, spec: { traffic: [{ configurationName: 'c', percent: 100 }, { revisionName: 'c-00001', tag: 'old' }] } };
      setRouteDefaults(route, create(DEFAULT_DEFAULTS_CONFIG, 'u1'));
      expect(route.spec.traffic).to.deep.equal([
        { configurationName: 'c', percent: 100, latestRevision: true },
        { revisionName: 'c-00001', tag: 'old', latestRevision: false, percent: 0 },
      ]);
      expect(route.metadata.annotations).to.deep.equal({ 'serving.knative.dev/creator': 'u1', 'serving.knative.dev/lastModifier': 'u1' });
    });
  });

  describe('idempotency', () => {
    const config = parseDefaultsConfig({ 'revision-idle-timeout-seconds': '30' });
    const services: Array<[string, () => Service]> = [
      ['helloworld-go', helloworldGo],
      [
        'multi-container with traffic',
        () => ({
          metadata: { name: 's' },
          spec: {
            template: {
              metadata: { name: 's-v2', annotations: { 'autoscaling.knative.dev/min-scale': '1' } },
              spec: {
                containers: [
                  { name: '', image: 'a', ports: [{ containerPort: 8080 }], readinessProbe: { periodSeconds: 3 } },
                  { name: '', image: 'b', volumeMounts: [{ name: 'v', mountPath: '/v' }] },
                ],
                volumes: [{ name: 'v', secret: { secretName: 'x' } }],
              },
            },
            traffic: [{ revisionName: 's-v1', percent: 50 }, { latestRevision: true, percent: 50, tag: 'next' }],
          },
        }),
      ],
    ];
    for (const [name, make] of services) {
      it(`applying the defaults twice changes nothing (${name})`, () => {
        const once = make();
        setServiceDefaults(once, create(config, 'u1'));
        const twice = clone(once);
        setServiceDefaults(twice, create(config, 'u1'));
        expect(twice).to.deep.equal(once);
      });

      it(`a re-apply of the same manifest is an empty diff (${name})`, () => {
        const live = make();
        setServiceDefaults(live, create(config, 'u1'));
        // kubectl apply merges the manifest into the live object; the merge of an unchanged manifest is the live object.
        const applied = clone(live);
        setServiceDefaults(applied, { operation: 'UPDATE', old: live, user: 'u2', config });
        expect(applied).to.deep.equal(live);
      });
    }

    it('for Configurations, Revisions and Routes too', () => {
      const cfg: Configuration = { metadata: { name: 'c' }, spec: { template: { spec: { containers: [{ name: '', image: 'x' }] } } } };
      const rev: Revision = { metadata: { name: 'r' }, spec: { containers: [{ name: '', image: 'x' }, { name: '', image: 'y', ports: [{ containerPort: 1 }] }] } };
      const route: Route = { metadata: { name: 'r' }, spec: { traffic: [{ configurationName: 'c', percent: 100 }] } };
      setConfigurationDefaults(cfg, create(config, 'u'));
      setRevisionDefaults(rev, create(config));
      setRouteDefaults(route, create(config, 'u'));
      const [c2, r2, ro2] = [clone(cfg), clone(rev), clone(route)];
      setConfigurationDefaults(c2, create(config, 'u'));
      setRevisionDefaults(r2, create(config));
      setRouteDefaults(ro2, create(config, 'u'));
      expect([c2, r2, ro2]).to.deep.equal([cfg, rev, route]);
    });
  });
});
