import type { V1Container } from '@kubernetes/client-node';
import { expect } from 'chai';
import { errorString } from '../../field-error.js';
import { DEFAULT_DEFAULTS_CONFIG, setConfigurationDefaults, setRevisionDefaults, setRouteDefaults, setServiceDefaults } from './defaults.js';
import type { Configuration, Revision, Route, Service } from './types.js';
import {
  isDNS1035Label,
  isQualifiedName,
  semanticEqual,
  shortDiff,
  validateConfiguration,
  validateRevision,
  validateRoute,
  validatePoolAnnotations,
  validateService,
  type ValidationContext,
} from './validation.js';

const DNS1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const T = 'spec.template.spec';
const DNS1123 =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const POOL_NAME_ERROR = (v: string): string => `invalid value: ${v}: kzero.dev/pool\n${DNS1123}`;
const C0 = `${T}.containers[0]`;

/** helloworld-go, verbatim from Knative's docs. */
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

/** The traffic-split example of Knative's docs (traffic management): two revisions, tags current/candidate/latest. */
function trafficSplit(): Service {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name: 'example-service', namespace: 'default' },
    spec: {
      template: { spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go:latest' } as V1Container] } },
      traffic: [
        { tag: 'current', revisionName: 'example-service-1', percent: 50 },
        { tag: 'candidate', revisionName: 'example-service-2', percent: 50 },
        { tag: 'latest', latestRevision: true, percent: 0 },
      ],
    },
  };
}

function baseCtx<T>(over: Partial<ValidationContext<T>> = {}): ValidationContext<T> {
  return { operation: 'CREATE', allowZeroInitialScale: false, maxRevisionTimeoutSeconds: 600, ...over };
}

/** A defaulted helloworld-go, changed by `mutate`. */
function svc(mutate: (s: Service) => void = () => {}): Service {
  const s = helloworldGo();
  setServiceDefaults(s, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG, user: 'alice' });
  mutate(s);
  return s;
}

const container = (s: Service, i = 0): V1Container => s.spec.template.spec.containers[i] as V1Container;

describe('serving validation', () => {
  describe('Knative samples', () => {
    it('helloworld-go passes after defaults', () => {
      const s = helloworldGo();
      setServiceDefaults(s, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG, user: 'alice' });
      expect(errorString(validateService(s, baseCtx()))).to.equal('');
    });

    it('the traffic-split sample passes after defaults, with its revisions existing', () => {
      const s = trafficSplit();
      setServiceDefaults(s, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG });
      const existing = new Set(['example-service-1', 'example-service-2']);
      expect(errorString(validateService(s, baseCtx({ revisionExists: (n) => existing.has(n) })))).to.equal('');
    });

    it('the traffic-split sample names what is missing when its revisions do not exist', () => {
      const s = trafficSplit();
      setServiceDefaults(s, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG });
      expect(errorString(validateService(s, baseCtx({ revisionExists: (n) => n === 'example-service-1' })))).to.equal(
        'revision "example-service-2" not found: spec.traffic[1].revisionName',
      );
    });
  });

  describe('Service', () => {
    const cases: Array<{ name: string; svc: Service; ctx?: Partial<ValidationContext<Service>>; want: string }> = [
      // metadata
      { name: 'name missing', svc: svc((s) => delete s.metadata.name), want: 'name or generateName is required: metadata.name' },
      { name: 'generateName instead of a name', svc: svc((s) => ((s.metadata.name = undefined), (s.metadata.generateName = 'hello-'))), want: '' },
      { name: 'name not a DNS-1035 label', svc: svc((s) => (s.metadata.name = 'Hello')), want: `not a DNS 1035 label: [${DNS1035}]: metadata.name` },
      { name: 'name starting with a digit', svc: svc((s) => (s.metadata.name = '1hello')), want: `not a DNS 1035 label: [${DNS1035}]: metadata.name` },
      { name: 'name over 63 characters', svc: svc((s) => (s.metadata.name = 'a'.repeat(64))), want: 'not a DNS 1035 label: [must be no more than 63 characters]: metadata.name' },
      {
        name: 'generateName not a prefix',
        svc: svc((s) => ((s.metadata.name = undefined), (s.metadata.generateName = '1hello-'))),
        want: `not a DNS 1035 label prefix: [${DNS1035}]: metadata.generateName`,
      },
      {
        name: 'autoscaling annotation on the Service',
        svc: svc((s) => (s.metadata.annotations = { 'autoscaling.knative.dev/min-scale': '1' })),
        want: 'invalid key name "autoscaling.knative.dev/min-scale": metadata.annotations\nautoscaling annotations must be put under "spec.template.metadata.annotations" to work',
      },
      {
        name: 'rollout-duration not a duration',
        svc: svc((s) => (s.metadata.annotations = { 'serving.knative.dev/rollout-duration': 'three hours' })),
        want: 'invalid value: three hours: metadata.annotations.serving.knative.dev/rollout-duration',
      },
      {
        name: 'rollout-duration below a second',
        svc: svc((s) => (s.metadata.annotations = { 'serving.knative.dev/rolloutDuration': '1.5s' })),
        want: 'rollout-duration=1.5s is not at second precision: metadata.annotations.serving.knative.dev/rolloutDuration',
      },
      {
        name: 'rollout-duration negative',
        svc: svc((s) => (s.metadata.annotations = { 'serving.knative.dev/rollout-duration': '-1m' })),
        want: 'rollout-duration=-1m must be positive: metadata.annotations.serving.knative.dev/rollout-duration',
      },

      // traffic
      { name: 'traffic sums to 95', svc: svc((s) => (s.spec.traffic = [{ latestRevision: true, percent: 95 }])), want: 'Traffic targets sum to 95, want 100: spec.traffic' },
      {
        name: 'percent over 100',
        svc: svc((s) => (s.spec.traffic = [{ latestRevision: true, percent: 120 }])),
        want: 'Traffic targets sum to 120, want 100: spec.traffic\nexpected 0 <= 120 <= 100: spec.traffic[0].percent',
      },
      {
        name: 'percent negative',
        svc: svc((s) => (s.spec.traffic = [{ latestRevision: true, percent: 101 }, { tag: 'x', latestRevision: true, percent: -1 }])),
        want: 'expected 0 <= -1 <= 100: spec.traffic[1].percent\nexpected 0 <= 101 <= 100: spec.traffic[0].percent',
      },
      { name: 'percent not an integer', svc: svc((s) => (s.spec.traffic = [{ latestRevision: true, percent: 99.5 }, { tag: 'x', latestRevision: true, percent: 0.5 }])), want: 'invalid value: 0.5: spec.traffic[1].percent\ninvalid value: 99.5: spec.traffic[0].percent' },
      {
        name: 'duplicate tags',
        svc: svc(
          (s) =>
            (s.spec.traffic = [
              { tag: 'x', latestRevision: true, percent: 50 },
              { tag: 'y', latestRevision: true, percent: 0 },
              { tag: 'x', revisionName: 'helloworld-go-00001', latestRevision: false, percent: 50 },
            ]),
        ),
        want: 'Multiple definitions for "x": spec.traffic[0].tag, spec.traffic[2].tag',
      },
      {
        name: 'tag not a DNS-1035 label',
        svc: svc((s) => (s.spec.traffic = [{ tag: 'Bad_Tag', latestRevision: true, percent: 100 }])),
        want: `invalid value: not a DNS 1035 label: [${DNS1035}]: spec.traffic[0].tag`,
      },
      {
        name: 'configurationName in a Service',
        svc: svc((s) => (s.spec.traffic = [{ configurationName: 'other', latestRevision: true, percent: 100 }])),
        want: 'must not set the field(s): spec.traffic[0].configurationName',
      },
      {
        name: 'latestRevision false without revisionName',
        svc: svc((s) => (s.spec.traffic = [{ latestRevision: false, percent: 100 }])),
        want: 'may not set revisionName "" when latestRevision is false: spec.traffic[0].latestRevision',
      },
      {
        name: 'latestRevision true with revisionName',
        svc: svc((s) => (s.spec.traffic = [{ revisionName: 'foo', latestRevision: true, percent: 100 }])),
        want: 'may not set revisionName "foo" when latestRevision is true: spec.traffic[0].latestRevision',
      },
      {
        name: 'tag-only target with percent 0',
        svc: svc((s) => (s.spec.traffic = [{ latestRevision: true, percent: 100 }, { tag: 'latest', latestRevision: true, percent: 0 }])),
        want: '',
      },
      {
        name: 'revisionName not a qualified name',
        svc: svc((s) => (s.spec.traffic = [{ revisionName: 'foo_', latestRevision: false, percent: 100 }])),
        want: `invalid key name "foo_": spec.traffic[0].revisionName\n${QUALIFIED}`,
      },
      { name: 'url in spec', svc: svc((s) => (s.spec.traffic = [{ latestRevision: true, percent: 100, url: 'http://x', tag: 't' }])), want: 'must not set the field(s): spec.traffic[0].url' },
      {
        name: 'kzero: pinned revision does not exist',
        svc: svc((s) => (s.spec.traffic = [{ revisionName: 'helloworld-go-00009', latestRevision: false, percent: 100 }])),
        ctx: { revisionExists: () => false },
        want: 'revision "helloworld-go-00009" not found: spec.traffic[0].revisionName',
      },
      {
        name: 'kzero: pinned revision exists',
        svc: svc((s) => (s.spec.traffic = [{ revisionName: 'helloworld-go-00001', latestRevision: false, percent: 100 }])),
        ctx: { revisionExists: (n) => n === 'helloworld-go-00001' },
        want: '',
      },
      {
        name: "kzero: the template's own BYO name need not exist yet",
        svc: svc((s) => {
          s.spec.template.metadata = { name: 'helloworld-go-v2' };
          s.spec.traffic = [{ revisionName: 'helloworld-go-v2', latestRevision: false, percent: 100 }];
        }),
        ctx: { revisionExists: () => false },
        want: '',
      },

      // template name
      {
        name: 'BYO name without the Service prefix',
        svc: svc((s) => (s.spec.template.metadata = { name: 'foo' })),
        want: 'invalid value: "foo" must have prefix "helloworld-go-": spec.template.metadata.name',
      },
      { name: 'BYO name with the prefix', svc: svc((s) => (s.spec.template.metadata = { name: 'helloworld-go-first' })), want: '' },
      {
        name: 'BYO name not a DNS-1035 label',
        svc: svc((s) => (s.spec.template.metadata = { name: 'helloworld-go-V1' })),
        want: `invalid value: not a DNS 1035 label: [${DNS1035}]: spec.template.metadata.name`,
      },
      {
        name: 'BYO name with a generateName parent',
        svc: svc((s) => {
          s.metadata = { generateName: 'helloworld-' };
          s.spec.template.metadata = { name: 'helloworld-x' };
        }),
        want: 'must not set the field(s): spec.template.metadata.name',
      },

      // containers
      { name: 'no containers', svc: svc((s) => (s.spec.template.spec.containers = [])), want: `missing field(s): ${T}.containers` },
      {
        name: 'two containers, no port',
        svc: svc((s) => {
          delete container(s).readinessProbe;
          s.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox' });
        }),
        want: `missing field(s): ${T}.containers[*].ports`,
      },
      {
        name: 'two containers, each with a port',
        svc: svc((s) => {
          container(s).ports = [{ containerPort: 8080 }];
          s.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', ports: [{ containerPort: 9000 }] });
        }),
        want: `more than one container port is set: ${T}.containers[*].ports\nOnly a single port is allowed across all containers`,
      },
      {
        name: 'one container, two ports',
        svc: svc((s) => (container(s).ports = [{ containerPort: 8080 }, { containerPort: 8081 }])),
        want: `more than one container port is set: ${T}.containers[*].ports\nOnly a single port is allowed across all containers`,
      },
      {
        name: 'two containers, one port',
        svc: svc((s) => {
          container(s).ports = [{ containerPort: 8080 }];
          s.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', env: [{ name: 'PORT', value: '1' }] });
        }),
        want: '',
      },
      {
        name: 'duplicate container names',
        svc: svc((s) => {
          container(s).ports = [{ containerPort: 8080 }];
          s.spec.template.spec.containers.push({ name: 'user-container', image: 'busybox' });
        }),
        want: `duplicate container name "user-container": ${T}.containers[1].name`,
      },
      { name: 'reserved env var PORT', svc: svc((s) => container(s).env?.push({ name: 'PORT', value: '9' })), want: `"PORT" is a reserved environment variable: ${C0}.env[1].name` },
      { name: 'reserved env var K_SERVICE', svc: svc((s) => (container(s).env = [{ name: 'K_SERVICE', value: 'x' }])), want: `"K_SERVICE" is a reserved environment variable: ${C0}.env[0].name` },
      {
        name: 'reserved env var K_REVISION in a sidecar',
        svc: svc((s) => {
          container(s).ports = [{ containerPort: 8080 }];
          s.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', env: [{ name: 'K_REVISION', value: '1' }] });
        }),
        want: `"K_REVISION" is a reserved environment variable: ${T}.containers[1].env[0].name`,
      },
      { name: 'env var without a name', svc: svc((s) => (container(s).env = [{ name: '', value: 'x' }])), want: `missing field(s): ${C0}.env[0].name` },
      {
        name: 'env var from fieldRef (feature off)',
        svc: svc((s) => (container(s).env = [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }])),
        want: `must not set the field(s): ${C0}.env[0].valueFrom.fieldRef`,
      },
      {
        name: 'env var from fieldRef (feature on)',
        svc: svc((s) => (container(s).env = [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }])),
        ctx: { features: { fieldRef: true } },
        want: '',
      },
      {
        name: 'envFrom with neither source',
        svc: svc((s) => (container(s).envFrom = [{ prefix: 'X' }])),
        want: `expected exactly one, got neither: ${C0}.envFrom[0].configMapRef, ${C0}.envFrom[0].secretRef`,
      },
      ...[8012, 8013, 8022, 9090, 9091, 8008].map((port) => ({
        name: `reserved port ${port}`,
        svc: svc((s) => (container(s).ports = [{ containerPort: port }])),
        want: `invalid value: ${port} is a reserved port: ${C0}.ports[0].containerPort\n${port} is a reserved port, please use a different value`,
      })),
      { name: 'port out of range', svc: svc((s) => (container(s).ports = [{ containerPort: 70000 }])), want: `expected 0 <= 70000 <= 65535: ${C0}.ports[0].containerPort` },
      { name: 'port protocol UDP', svc: svc((s) => (container(s).ports = [{ containerPort: 8080, protocol: 'UDP' }])), want: `invalid value: UDP: ${C0}.ports[0].protocol` },
      {
        name: 'port name not h2c/http1',
        svc: svc((s) => (container(s).ports = [{ containerPort: 8080, name: 'grpc' }])),
        want: `Port name grpc is not allowed: ${C0}.ports[0]\nName must be empty, or one of: 'h2c', 'http1'`,
      },
      { name: 'port named h2c', svc: svc((s) => (container(s).ports = [{ containerPort: 8080, name: 'h2c' }])), want: '' },
      { name: 'image missing', svc: svc((s) => delete container(s).image), want: `missing field(s): ${C0}.image` },
      { name: 'reserved container name', svc: svc((s) => (container(s).name = 'queue-proxy')), want: `"queue-proxy" is a reserved container name: ${C0}.name` },
      {
        name: 'kzero: container name not a DNS-1123 label',
        svc: svc((s) => (container(s).name = 'User')),
        want: `invalid value: User: ${C0}.name\na lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      },
      { name: 'containerConcurrency over 1000', svc: svc((s) => (s.spec.template.spec.containerConcurrency = 1001)), want: `expected 0 <= 1001 <= 1000: ${T}.containerConcurrency` },
      { name: 'containerConcurrency negative', svc: svc((s) => (s.spec.template.spec.containerConcurrency = -1)), want: `expected 0 <= -1 <= 1000: ${T}.containerConcurrency` },
      {
        name: 'containerConcurrency 0 when zero is not allowed',
        svc: svc((s) => (s.spec.template.spec.containerConcurrency = 0)),
        ctx: { allowContainerConcurrencyZero: false },
        want: `expected 1 <= 0 <= 1000: ${T}.containerConcurrency`,
      },
      { name: 'timeoutSeconds over the maximum', svc: svc((s) => (s.spec.template.spec.timeoutSeconds = 601)), want: `expected 0 <= 601 <= 600: ${T}.timeoutSeconds` },
      { name: 'timeoutSeconds negative', svc: svc((s) => (s.spec.template.spec.timeoutSeconds = -1)), want: `expected 0 <= -1 <= 600: ${T}.timeoutSeconds` },
      {
        name: 'timeoutSeconds over a larger maximum',
        svc: svc((s) => (s.spec.template.spec.timeoutSeconds = 900)),
        ctx: { maxRevisionTimeoutSeconds: 900 },
        want: '',
      },
      {
        name: 'kzero: responseStartTimeoutSeconds over timeoutSeconds',
        svc: svc((s) => (s.spec.template.spec.responseStartTimeoutSeconds = 400)),
        want: `expected 0 <= 400 <= 300: ${T}.responseStartTimeoutSeconds`,
      },
      {
        name: 'kzero: idleTimeoutSeconds over timeoutSeconds',
        svc: svc((s) => ((s.spec.template.spec.timeoutSeconds = 100), (s.spec.template.spec.idleTimeoutSeconds = 101))),
        want: `expected 0 <= 101 <= 100: ${T}.idleTimeoutSeconds`,
      },
      {
        name: 'readiness probe on another named port',
        svc: svc((s) => (container(s).readinessProbe = { httpGet: { port: 'admin' }, successThreshold: 1 })),
        want: `invalid value: admin: ${C0}.readinessProbe.httpGet.port\nProbe port must match container port`,
      },
      {
        name: 'readiness probe with two handlers',
        svc: svc((s) => (container(s).readinessProbe = { httpGet: { port: 0 }, tcpSocket: { port: 0 }, successThreshold: 1 })),
        want: `expected exactly one, got both: ${C0}.readinessProbe.httpGet, ${C0}.readinessProbe.tcpSocket`,
      },
      {
        name: 'readiness probe thresholds without periodSeconds',
        svc: svc((s) => (container(s).readinessProbe = { tcpSocket: { port: 0 }, successThreshold: 1, failureThreshold: 3 })),
        want: `failureThreshold is disallowed when periodSeconds is zero: ${C0}.readinessProbe.failureThreshold`,
      },
      {
        name: 'liveness probe without a handler',
        svc: svc((s) => (container(s).livenessProbe = { periodSeconds: 1 })),
        want: `expected exactly one, got neither: ${C0}.livenessProbe.exec, ${C0}.livenessProbe.grpc, ${C0}.livenessProbe.httpGet, ${C0}.livenessProbe.tcpSocket`,
      },
      {
        name: 'probe on a sidecar',
        svc: svc((s) => {
          container(s).ports = [{ containerPort: 8080 }];
          s.spec.template.spec.containers.push({ name: 'sidecar', image: 'busybox', readinessProbe: { exec: { command: ['true'] } } });
        }),
        want: `must not set the field(s): ${T}.containers[1].readinessProbe.exec`,
      },
      {
        name: 'init containers (feature off)',
        svc: svc((s) => (s.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox' }])),
        want: 'pod spec support for init-containers is off, but found 1 init containers: ',
      },
      {
        name: 'init containers (feature on)',
        svc: svc((s) => (s.spec.template.spec.initContainers = [{ name: 'init', image: 'busybox' }])),
        ctx: { features: { initContainers: true } },
        want: '',
      },
      {
        name: 'volume mount of no volume',
        svc: svc((s) => (container(s).volumeMounts = [{ name: 'v', mountPath: '/v', readOnly: true }])),
        want: `volumeMount has no matching volume: ${C0}.volumeMounts[0].name`,
      },
      {
        name: 'writable mount of a secret',
        svc: svc((s) => {
          container(s).volumeMounts = [{ name: 'v', mountPath: '/v', readOnly: false }];
          s.spec.template.spec.volumes = [{ name: 'v', secret: { secretName: 's' } }];
        }),
        want: `volume mount should be readOnly for this type of volume: ${C0}.volumeMounts[0].readOnly`,
      },
      {
        name: 'volume not mounted',
        svc: svc((s) => (s.spec.template.spec.volumes = [{ name: 'v', secret: { secretName: 's' } }])),
        want: `volume with name "v" not mounted: ${T}.volumes[0].name`,
      },

      // template annotations
      {
        name: 'template autoscaling annotation out of range',
        svc: svc((s) => (s.spec.template.metadata = { annotations: { 'autoscaling.knative.dev/target-utilization-percentage': '0' } })),
        want: 'expected 1 <= 0 <= 100: spec.template.metadata.annotations.autoscaling.knative.dev/target-utilization-percentage',
      },
      {
        name: 'template initial-scale 0 when the cluster allows it',
        svc: svc((s) => (s.spec.template.metadata = { annotations: { 'autoscaling.knative.dev/initial-scale': '0' } })),
        ctx: { allowZeroInitialScale: true },
        want: '',
      },
      {
        name: 'template max-scale over max-scale-limit',
        svc: svc((s) => (s.spec.template.metadata = { annotations: { 'autoscaling.knative.dev/maxScale': '50' } })),
        ctx: { maxScaleLimit: 10 },
        want: 'expected 1 <= 50 <= 10: spec.template.metadata.annotations.autoscaling.knative.dev/maxScale',
      },
      {
        name: 'kzero: template autoscaling typo',
        svc: svc((s) => (s.spec.template.metadata = { annotations: { 'autoscaling.knative.dev/max-scael': '5' } })),
        want: 'unknown autoscaling annotation: spec.template.metadata.annotations.autoscaling.knative.dev/max-scael\ndid you mean "autoscaling.knative.dev/max-scale"?',
      },
      {
        name: 'template progress-deadline below a second',
        svc: svc((s) => (s.spec.template.metadata = { annotations: { 'serving.knative.dev/progress-deadline': '10.5s' } })),
        want: 'progress-deadline=10.5s is not at second precision: spec.template.metadata.annotations.serving.knative.dev/progress-deadline',
      },

      // labels: Knative checks none on a Service.
      { name: 'serving labels on a Service', svc: svc((s) => (s.metadata.labels = { 'serving.knative.dev/service': 'other' })), want: '' },

      // several at once
      {
        name: 'several problems, sorted and one a line',
        svc: svc((s) => {
          s.spec.template.spec.containerConcurrency = 2000;
          s.spec.traffic = [{ latestRevision: true, percent: 90 }];
          container(s).env = [{ name: 'PORT', value: '1' }];
        }),
        want: `"PORT" is a reserved environment variable: ${C0}.env[0].name\nTraffic targets sum to 90, want 100: spec.traffic\nexpected 0 <= 2000 <= 1000: ${T}.containerConcurrency`,
      },
    ];
    for (const c of cases) {
      it(c.name, () => expect(errorString(validateService(c.svc, baseCtx(c.ctx)))).to.equal(c.want));
    }
  });

  describe('Service updates', () => {
    const withName = (name: string, image: string): Service =>
      svc((s) => {
        s.spec.template.metadata = { name };
        container(s).image = image;
      });

    it('rejects a template change that keeps its BYO name', () => {
      const old = withName('helloworld-go-v1', 'helloworld:bar');
      const next = withName('helloworld-go-v1', 'helloworld:foo');
      expect(errorString(validateService(next, baseCtx({ operation: 'UPDATE', old })))).to.equal(
        'Saw the following changes without a name change (-old +new): spec.template.metadata.name\n' +
          '{*v1.RevisionTemplateSpec}.spec.containers[0].image:\n\t-: "helloworld:bar"\n\t+: "helloworld:foo"\n',
      );
    });

    it('accepts a template change with a new name', () => {
      const old = withName('helloworld-go-v1', 'helloworld:bar');
      const next = withName('helloworld-go-v2', 'helloworld:foo');
      expect(validateService(next, baseCtx({ operation: 'UPDATE', old }))).to.equal(undefined);
    });

    it('accepts any template change without a BYO name', () => {
      const old = svc();
      const next = svc((s) => (container(s).image = 'other'));
      next.metadata.annotations = { ...next.metadata.annotations, 'serving.knative.dev/lastModifier': 'bob' };
      expect(validateService(next, baseCtx({ operation: 'UPDATE', old }))).to.equal(undefined);
    });

    it('rejects a changed creator', () => {
      const old = svc();
      const next = svc((s) => (s.metadata.annotations = { ...s.metadata.annotations, 'serving.knative.dev/creator': 'mallory' }));
      expect(errorString(validateService(next, baseCtx({ operation: 'UPDATE', old })))).to.equal('annotation value is immutable: metadata.annotations.serving.knative.dev/creator');
    });

    it('rejects a changed lastModifier when the spec did not change', () => {
      const old = svc();
      const next = svc((s) => (s.metadata.annotations = { ...s.metadata.annotations, 'serving.knative.dev/lastModifier': 'bob' }));
      expect(errorString(validateService(next, baseCtx({ operation: 'UPDATE', old })))).to.equal('invalid value: bob: metadata.annotations.serving.knative.dev/lastModifier');
    });

    it('defaults then validation on a re-apply: no error', () => {
      const old = svc((s) => (s.spec.template.metadata = { name: 'helloworld-go-v1' }));
      const next = structuredClone(old);
      setServiceDefaults(next, { operation: 'UPDATE', old, user: 'bob', config: DEFAULT_DEFAULTS_CONFIG });
      expect(validateService(next, baseCtx({ operation: 'UPDATE', old }))).to.equal(undefined);
    });
  });

  describe('Configuration', () => {
    const cfg = (mutate: (c: Configuration) => void = () => {}): Configuration => {
      const c: Configuration = { metadata: { name: 'cfg' }, spec: { template: { spec: { containers: [{ image: 'busybox' } as V1Container] } } } };
      setConfigurationDefaults(c, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG, user: 'u' });
      mutate(c);
      return c;
    };
    const owner = { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'cfg', uid: 'x' };
    const cases: Array<{ name: string; cfg: Configuration; ctx?: Partial<ValidationContext<Configuration>>; want: string }> = [
      { name: 'valid', cfg: cfg(), want: '' },
      { name: 'service label without an owner', cfg: cfg((c) => (c.metadata.labels = { 'serving.knative.dev/service': 'cfg' })), want: 'missing field(s): metadata.labels.serving.knative.dev/service' },
      {
        name: 'service label with its owner',
        cfg: cfg((c) => ((c.metadata.labels = { 'serving.knative.dev/service': 'cfg' }), (c.metadata.ownerReferences = [owner]))),
        want: '',
      },
      {
        name: 'autoscaling annotation on the Configuration',
        cfg: cfg((c) => (c.metadata.annotations = { 'autoscaling.knative.dev/window': '10s' })),
        want: 'invalid key name "autoscaling.knative.dev/window": metadata.annotations\nautoscaling annotations must be put under "spec.template.metadata.annotations" to work',
      },
      { name: 'BYO name without the prefix', cfg: cfg((c) => (c.spec.template.metadata = { name: 'x-1' })), want: 'invalid value: "x-1" must have prefix "cfg-": spec.template.metadata.name' },
      { name: 'template problems', cfg: cfg((c) => (c.spec.template.spec.timeoutSeconds = 1000)), want: `expected 0 <= 1000 <= 600: ${T}.timeoutSeconds` },
    ];
    for (const c of cases) {
      it(c.name, () => expect(errorString(validateConfiguration(c.cfg, baseCtx(c.ctx)))).to.equal(c.want));
    }

    it('an owned Configuration may change lastModifier freely (the Service owns it)', () => {
      const old = cfg((c) => (c.metadata.ownerReferences = [owner]));
      const next = structuredClone(old);
      next.metadata.annotations = { ...next.metadata.annotations, 'serving.knative.dev/lastModifier': 'other' };
      expect(validateConfiguration(next, baseCtx({ operation: 'UPDATE', old }))).to.equal(undefined);
      delete next.metadata.ownerReferences;
      delete old.metadata.ownerReferences;
      expect(errorString(validateConfiguration(next, baseCtx({ operation: 'UPDATE', old })))).to.equal('invalid value: other: metadata.annotations.serving.knative.dev/lastModifier');
    });
  });

  describe('Revision', () => {
    const rev = (mutate: (r: Revision) => void = () => {}): Revision => {
      const r: Revision = { metadata: { name: 'cfg-00001' }, spec: { containers: [{ image: 'busybox' } as V1Container] } };
      setRevisionDefaults(r, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG });
      mutate(r);
      return r;
    };
    const cases: Array<{ name: string; rev: Revision; ctx?: Partial<ValidationContext<Revision>>; want: string }> = [
      { name: 'valid', rev: rev(), want: '' },
      { name: 'name not a DNS-1035 label', rev: rev((r) => (r.metadata.name = '1-cfg')), want: `not a DNS 1035 label: [${DNS1035}]: metadata.name` },
      {
        name: 'configuration label without an owner',
        rev: rev((r) => (r.metadata.labels = { 'serving.knative.dev/configuration': 'cfg' })),
        want: 'missing field(s): metadata.labels.serving.knative.dev/configuration',
      },
      {
        name: 'autoscaling annotations are validated on a Revision',
        rev: rev((r) => (r.metadata.annotations = { 'autoscaling.knative.dev/min-scale': '-1' })),
        want: 'expected 0 <= -1 <= 2147483647: metadata.annotations.autoscaling.knative.dev/min-scale',
      },
      { name: 'spec problems', rev: rev((r) => (r.spec.containerConcurrency = 5000)), want: 'expected 0 <= 5000 <= 1000: spec.containerConcurrency' },
    ];
    for (const c of cases) {
      it(c.name, () => expect(errorString(validateRevision(c.rev, baseCtx(c.ctx)))).to.equal(c.want));
    }

    it('its spec is immutable', () => {
      const old = rev();
      const next = rev((r) => ((r.spec.containers[0] as V1Container).image = 'other'));
      expect(errorString(validateRevision(next, baseCtx({ operation: 'UPDATE', old })))).to.equal(
        'Immutable fields changed (-old +new): spec\n{v1.RevisionSpec}.containers[0].image:\n\t-: "busybox"\n\t+: "other"\n',
      );
      const relabelled = structuredClone(old);
      relabelled.metadata.labels = { 'serving.knative.dev/routingState': 'active' };
      expect(validateRevision(relabelled, baseCtx({ operation: 'UPDATE', old }))).to.equal(undefined);
    });
  });

  describe('pool annotations', () => {
    const SHA = 'ab'.repeat(32);
    const URL = 'https://code.example/hello.tgz';
    const pooled = { 'kzero.dev/pool': 'node', 'kzero.dev/code': URL, 'kzero.dev/code-sha256': SHA };
    const cases: Array<{ name: string; annotations: Record<string, string> | undefined; want: string }> = [
      { name: 'none', annotations: undefined, want: '' },
      { name: 'unrelated annotations', annotations: { 'autoscaling.knative.dev/min-scale': '1' }, want: '' },
      { name: 'pool, code and sha', annotations: pooled, want: '' },
      { name: 'an http URL and an upper-case sha', annotations: { ...pooled, 'kzero.dev/code': 'http://code.local/x.tgz', 'kzero.dev/code-sha256': SHA.toUpperCase() }, want: '' },
      { name: 'pool without code', annotations: { 'kzero.dev/pool': 'node', 'kzero.dev/code-sha256': SHA }, want: 'missing field(s): kzero.dev/code' },
      { name: 'pool without sha', annotations: { 'kzero.dev/pool': 'node', 'kzero.dev/code': URL }, want: 'missing field(s): kzero.dev/code-sha256' },
      { name: 'pool alone', annotations: { 'kzero.dev/pool': 'node' }, want: 'missing field(s): kzero.dev/code, kzero.dev/code-sha256' },
      { name: 'a short sha', annotations: { ...pooled, 'kzero.dev/code-sha256': 'abc' }, want: 'invalid value: abc: kzero.dev/code-sha256\nwant 64 hex digits' },
      { name: 'a sha that is not hex', annotations: { ...pooled, 'kzero.dev/code-sha256': 'z'.repeat(64) }, want: `invalid value: ${'z'.repeat(64)}: kzero.dev/code-sha256\nwant 64 hex digits` },
      { name: 'a non-http URL', annotations: { ...pooled, 'kzero.dev/code': 'file:///etc/passwd' }, want: 'invalid value: file:///etc/passwd: kzero.dev/code\nwant the http(s) URL of a tar.gz code package' },
      { name: 'not a URL', annotations: { ...pooled, 'kzero.dev/code': 'hello.tgz' }, want: 'invalid value: hello.tgz: kzero.dev/code\nwant the http(s) URL of a tar.gz code package' },
      { name: 'a bad pool name', annotations: { ...pooled, 'kzero.dev/pool': 'Node_1' }, want: POOL_NAME_ERROR('Node_1') },
      { name: 'code without pool', annotations: { 'kzero.dev/code': URL, 'kzero.dev/code-sha256': SHA }, want: 'only meaningful with kzero.dev/pool: kzero.dev/code' },
      { name: 'sha without pool', annotations: { 'kzero.dev/code-sha256': SHA }, want: 'only meaningful with kzero.dev/pool: kzero.dev/code-sha256' },
    ];
    for (const c of cases) it(c.name, () => expect(errorString(validatePoolAnnotations(c.annotations))).to.equal(c.want));

    it('several problems are all reported', () => {
      expect(errorString(validatePoolAnnotations({ 'kzero.dev/pool': 'node', 'kzero.dev/code': 'ftp://x/y.tgz' }))).to.equal(
        'invalid value: ftp://x/y.tgz: kzero.dev/code\nwant the http(s) URL of a tar.gz code package\nmissing field(s): kzero.dev/code-sha256',
      );
    });

    it('on a Service, the path is the template\'s annotations', () => {
      const s = svc((x) => (x.spec.template.metadata = { ...x.spec.template.metadata, annotations: { 'kzero.dev/pool': 'node', 'kzero.dev/code': URL } }));
      expect(errorString(validateService(s, baseCtx()))).to.equal('missing field(s): spec.template.metadata.annotations.kzero.dev/code-sha256');
    });

    it('on a Service, valid pool annotations pass', () => {
      const s = svc((x) => (x.spec.template.metadata = { ...x.spec.template.metadata, annotations: pooled }));
      expect(errorString(validateService(s, baseCtx()))).to.equal('');
    });

    it('on a Revision, the path is metadata.annotations', () => {
      const r: Revision = { metadata: { name: 'cfg-00001', annotations: { 'kzero.dev/code': URL } }, spec: { containers: [{ image: 'busybox' } as V1Container] } };
      setRevisionDefaults(r, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG });
      expect(errorString(validateRevision(r, baseCtx()))).to.equal('only meaningful with kzero.dev/pool: metadata.annotations.kzero.dev/code');
    });
  });

  describe('Route', () => {
    const route = (traffic: Route['spec']['traffic'], meta: Partial<Route['metadata']> = {}): Route => {
      const r: Route = { metadata: { name: 'r', ...meta }, spec: { ...(traffic ? { traffic } : {}) } };
      setRouteDefaults(r, { operation: 'CREATE', config: DEFAULT_DEFAULTS_CONFIG });
      return r;
    };
    const cases: Array<{ name: string; route: Route; ctx?: Partial<ValidationContext<Route>>; want: string }> = [
      { name: 'valid', route: route([{ configurationName: 'cfg', percent: 100 }]), want: '' },
      { name: 'no traffic', route: route(undefined), want: 'Traffic targets sum to 0, want 100: spec.traffic' },
      {
        name: 'neither revisionName nor configurationName',
        route: route([{ percent: 100 }]),
        want: 'expected exactly one, got neither: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
      },
      {
        name: 'both revisionName and configurationName',
        route: route([{ revisionName: 'cfg-00001', configurationName: 'cfg', percent: 100 }]),
        want: 'expected exactly one, got both: spec.traffic[0].configurationName, spec.traffic[0].revisionName',
      },
      {
        name: 'configurationName not a qualified name',
        route: route([{ configurationName: '-cfg', percent: 100 }]),
        want: `invalid key name "-cfg": spec.traffic[0].configurationName\n${QUALIFIED}`,
      },
      {
        name: 'split between a revision and a configuration',
        route: route([
          { revisionName: 'cfg-00001', percent: 40, tag: 'old' },
          { configurationName: 'cfg', percent: 60 },
        ]),
        want: '',
      },
      {
        name: 'kzero: a missing revision',
        route: route([{ revisionName: 'cfg-00002', percent: 100 }]),
        ctx: { revisionExists: (n) => n === 'cfg-00001' },
        want: 'revision "cfg-00002" not found: spec.traffic[0].revisionName',
      },
      {
        name: 'service label without an owner',
        route: route([{ configurationName: 'cfg', percent: 100 }], { labels: { 'serving.knative.dev/service': 'svc' } }),
        want: 'missing field(s): metadata.labels.serving.knative.dev/service',
      },
      {
        name: 'autoscaling annotation on the Route',
        route: route([{ configurationName: 'cfg', percent: 100 }], { annotations: { 'autoscaling.knative.dev/class': 'kpa.autoscaling.knative.dev' } }),
        want: 'invalid key name "autoscaling.knative.dev/class": metadata.annotations\nautoscaling annotations must be put under "spec.template.metadata.annotations" to work',
      },
    ];
    for (const c of cases) {
      it(c.name, () => expect(errorString(validateRoute(c.route, baseCtx(c.ctx)))).to.equal(c.want));
    }
  });

  describe('helpers', () => {
    it('isDNS1035Label / isQualifiedName', () => {
      expect(isDNS1035Label('my-name')).to.deep.equal([]);
      expect(isDNS1035Label('abc-')).to.deep.equal([DNS1035]);
      expect(isQualifiedName('example.com/MyName')).to.deep.equal([]);
      expect(isQualifiedName('a/b/c')).to.have.length(1);
      expect(isQualifiedName('')).to.deep.equal(['name part must be non-empty', QUALIFIED]);
    });

    it('semanticEqual treats undefined properties as absent', () => {
      expect(semanticEqual({ a: 1, b: undefined }, { a: 1 })).to.equal(true);
      expect(semanticEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).to.equal(true);
      expect(semanticEqual({ a: [] }, {})).to.equal(false);
      expect(semanticEqual(1, '1')).to.equal(false);
    });

    it('shortDiff lists changed, added and removed leaves', () => {
      expect(shortDiff({ a: 1, b: [1, 2] }, { a: 2, b: [1], c: 'x' }, '{T}')).to.equal('{T}.a:\n\t-: 1\n\t+: 2\n{T}.b[1]:\n\t-: 2\n{T}.c:\n\t+: "x"\n');
      expect(shortDiff({ a: 1 }, { a: 1 }, '{T}')).to.equal('');
    });
  });
});
