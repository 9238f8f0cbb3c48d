import type { V1Container, V1HTTPGetAction, V1Probe } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { Revision } from '../../../api/serving/v1/types.js';
import {
  revision, withAnnotations, withContainer, withContainerPort, withEnv, withImage, withLabels, withRoutingState, withUID,
} from '../../../testing/builders.js';
import { DEFAULT_USER_PORT, servingContainerIndex, userPort } from '../../../api/serving/v1/serving-container.js';
import { makeDeployment, makePodAutoscaler, makePodSpec, revisionChildLabels } from './resources.js';

const revOwner = {
  apiVersion: 'serving.knative.dev/v1', kind: 'Revision', name: 'foo-00001', uid: 'rev-uid', controller: true, blockOwnerDeletion: true,
};

/** A Revision as the Configuration reconciler makes it (and the webhook defaults it). */
const rev = (...opts: Array<(r: Revision) => void>): Revision => revision('foo-00001',
  withUID('rev-uid'),
  withLabels({ 'serving.knative.dev/configuration': 'foo', 'serving.knative.dev/service': 'foo' }),
  withImage('img:v1'),
  ...opts);

const withProbe = (p: V1Probe) => (r: Revision): void => void (r.spec.containers[0]!.readinessProbe = p);
const withSpec = (s: Partial<Revision['spec']>) => (r: Revision): void => void Object.assign(r.spec, s);

const env = (port: number, extra: Array<{ name: string; value: string }> = []): Array<{ name: string; value: string }> => [
  ...extra,
  { name: 'PORT', value: String(port) },
  { name: 'K_REVISION', value: 'foo-00001' },
  { name: 'K_CONFIGURATION', value: 'foo' },
  { name: 'K_SERVICE', value: 'foo' },
];

describe('revision/resources', () => {
  describe('makeDeployment', () => {
    it('the whole Deployment', () => {
      const r = rev(
        withContainerPort(9000, 'h2c'), withEnv('A', 'b'),
        withSpec({ containerConcurrency: 10, timeoutSeconds: 120, responseStartTimeoutSeconds: 60, idleTimeoutSeconds: 30 }),
        withAnnotations({ 'autoscaling.knative.dev/min-scale': '1', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'serving.knative.dev/creator': 'bob' }),
      );
      const labels = {
        'serving.knative.dev/configuration': 'foo',
        'serving.knative.dev/service': 'foo',
        'serving.knative.dev/revision': 'foo-00001',
        'serving.knative.dev/revisionUID': 'rev-uid',
        app: 'foo-00001',
      };
      const annotations = { 'autoscaling.knative.dev/min-scale': '1', 'serving.knative.dev/creator': 'bob' };
      expect(makeDeployment(r, { replicas: 3, progressDeadlineSeconds: 600 })).to.deep.equal({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'foo-00001-deployment', namespace: 'default', labels, annotations, ownerReferences: [revOwner] },
        spec: {
          replicas: 3,
          selector: { matchLabels: { 'serving.knative.dev/revisionUID': 'rev-uid' } },
          progressDeadlineSeconds: 600,
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
          template: {
            metadata: { labels, annotations },
            spec: {
              containers: [{
                name: 'user-container',
                image: 'img:v1',
                ports: [{ name: 'h2c', containerPort: 9000, protocol: 'TCP' }],
                env: env(9000, [{ name: 'A', value: 'b' }]),
                readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 },
                terminationMessagePolicy: 'FallbackToLogsOnError',
              }],
              enableServiceLinks: false,
              terminationGracePeriodSeconds: 120,
            },
          },
        },
      });
    });

    const replicas: Array<{ replicas: number; deadline: number }> = [{ replicas: 0, deadline: 60 }, { replicas: 1, deadline: 600 }, { replicas: 7, deadline: 1 }];
    for (const c of replicas) {
      it(`replicas ${c.replicas} and progress deadline ${c.deadline}s from the options`, () => {
        const d = makeDeployment(rev(), { replicas: c.replicas, progressDeadlineSeconds: c.deadline });
        expect([d.spec?.replicas, d.spec?.progressDeadlineSeconds]).to.deep.equal([c.replicas, c.deadline]);
      });
    }

    it('selects its pods by the Revision UID only', () => {
      const d = makeDeployment(rev(withLabels({ extra: 'x' })), { replicas: 1, progressDeadlineSeconds: 600 });
      expect(d.spec?.selector).to.deep.equal({ matchLabels: { 'serving.knative.dev/revisionUID': 'rev-uid' } });
      expect(d.spec?.template.metadata?.labels).to.include({ 'serving.knative.dev/revisionUID': 'rev-uid', extra: 'x' });
    });
  });

  describe('makePodSpec', () => {
    const userContainer = (r: Revision): V1Container => makePodSpec(r).containers[0]!;

    const cases: Array<{ name: string; rev: Revision; want: Partial<V1Container> }> = [
      {
        name: 'no port: default port 8080, named user-port, with PORT and K_* env',
        rev: rev(),
        want: { ports: [{ name: 'user-port', containerPort: 8080, protocol: 'TCP' }], env: env(8080), readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } },
      },
      {
        name: 'user port 9000: ports, PORT and probe follow it',
        rev: rev(withContainerPort(9000)),
        want: { ports: [{ name: 'user-port', containerPort: 9000, protocol: 'TCP' }], env: env(9000), readinessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1 } },
      },
      {
        name: 'user env comes first, then PORT and K_*',
        rev: rev(withEnv('X', '1'), withEnv('Y', '2')),
        want: { env: env(8080, [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }]) },
      },
      {
        name: 'httpGet probe keeps its path and gets the user port, no period forced',
        rev: rev(withContainerPort(9000), withProbe({ httpGet: { path: '/healthz' } as V1HTTPGetAction })),
        want: { readinessProbe: { httpGet: { path: '/healthz', port: 9000 } } },
      },
      {
        name: 'httpGet probe with port 0 (the webhook default) gets the user port',
        rev: rev(withProbe({ httpGet: { path: '/ready', port: 0, httpHeaders: [{ name: 'X', value: 'y' }] }, periodSeconds: 5, successThreshold: 1 })),
        want: { readinessProbe: { httpGet: { path: '/ready', port: 8080, httpHeaders: [{ name: 'X', value: 'y' }] }, periodSeconds: 5, successThreshold: 1 } },
      },
      {
        name: 'defaulted tcpSocket probe (port 0, no period): user port and period 1',
        rev: rev(withContainerPort(9000), withProbe({ tcpSocket: { port: 0 }, successThreshold: 1 })),
        want: { readinessProbe: { tcpSocket: { port: 9000 }, successThreshold: 1, periodSeconds: 1 } },
      },
      {
        name: 'tcpSocket probe keeps its own period and threshold',
        rev: rev(withProbe({ tcpSocket: { port: 0 }, periodSeconds: 10, failureThreshold: 5 })),
        want: { readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10, failureThreshold: 5 } },
      },
      {
        name: 'probe with only timings: tcp on the user port',
        rev: rev(withProbe({ initialDelaySeconds: 3 })),
        want: { readinessProbe: { initialDelaySeconds: 3, tcpSocket: { port: 8080 }, periodSeconds: 1 } },
      },
      {
        name: 'exec probe is kept as is',
        rev: rev(withProbe({ exec: { command: ['/bin/ready'] }, periodSeconds: 2 })),
        want: { readinessProbe: { exec: { command: ['/bin/ready'] }, periodSeconds: 2 } },
      },
      {
        name: 'a user terminationMessagePolicy is kept',
        rev: rev((r) => void (r.spec.containers[0]!.terminationMessagePolicy = 'File')),
        want: { terminationMessagePolicy: 'File' },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const got = userContainer(c.rev) as unknown as Record<string, unknown>;
        for (const [k, v] of Object.entries(c.want)) expect(got[k], k).to.deep.equal(v);
      });
    }

    // A gRPC readiness probe keeps its handler.
    it('a gRPC probe keeps its handler', () => {
      const got = userContainer(rev(withContainerPort(9000, 'h2c'), withProbe({ grpc: { port: 9000, service: '' }, periodSeconds: 2 })));
      expect(got.readinessProbe).to.deep.equal({ grpc: { port: 9000, service: '' }, periodSeconds: 2 });
    });

    const grace: Array<{ name: string; rev: Revision; want: number }> = [
      { name: 'from timeoutSeconds', rev: rev(withSpec({ timeoutSeconds: 45 })), want: 45 },
      { name: '300 without a timeout', rev: rev(), want: 300 },
      { name: 'an explicit terminationGracePeriodSeconds wins', rev: rev(withSpec({ timeoutSeconds: 45, terminationGracePeriodSeconds: 10 })), want: 10 },
    ];
    for (const c of grace) it(`terminationGracePeriodSeconds: ${c.name}`, () => expect(makePodSpec(c.rev).terminationGracePeriodSeconds).to.equal(c.want));

    it('Knative-only fields are stripped from the pod spec', () => {
      const spec = makePodSpec(rev(withSpec({ containerConcurrency: 10, timeoutSeconds: 120, responseStartTimeoutSeconds: 60, idleTimeoutSeconds: 30 })));
      expect(Object.keys(spec).sort()).to.deep.equal(['containers', 'enableServiceLinks', 'terminationGracePeriodSeconds']);
    });

    const links: Array<{ value: boolean | undefined; want: boolean }> = [{ value: undefined, want: false }, { value: true, want: true }, { value: false, want: false }];
    for (const c of links) {
      it(`enableServiceLinks ${String(c.value)} -> ${c.want}`, () => {
        const r = rev((x) => {
          if (c.value !== undefined) x.spec.enableServiceLinks = c.value;
        });
        expect(makePodSpec(r).enableServiceLinks).to.equal(c.want);
      });
    }

    it('other pod fields pass through', () => {
      const spec = makePodSpec(rev(withSpec({ serviceAccountName: 'sa', nodeSelector: { disk: 'ssd' }, volumes: [{ name: 'v', emptyDir: {} }] })));
      expect([spec.serviceAccountName, spec.nodeSelector, spec.volumes]).to.deep.equal(['sa', { disk: 'ssd' }, [{ name: 'v', emptyDir: {} }]]);
    });

    it('with a sidecar, only the container with the port is the serving one', () => {
      const sidecar: V1Container = { name: 'sidecar', image: 'side:1' };
      const r = rev(withContainer({ ...sidecar }), (x) => {
        x.spec.containers.reverse();
        x.spec.containers[1]!.ports = [{ containerPort: 7000 }];
      });
      expect(servingContainerIndex(r.spec)).to.equal(1);
      expect(userPort(r)).to.equal(7000);
      const spec = makePodSpec(r);
      expect(spec.containers[0]).to.deep.equal(sidecar);
      expect(spec.containers[1]?.env).to.deep.equal(env(7000));
    });

    it('the Revision is not changed', () => {
      const r = rev(withContainerPort(9000), withProbe({ httpGet: { path: '/' } as V1HTTPGetAction }));
      const before = structuredClone(r);
      makePodSpec(r);
      makeDeployment(r, { replicas: 1, progressDeadlineSeconds: 1 });
      expect(r).to.deep.equal(before);
    });

    it('DEFAULT_USER_PORT is 8080', () => expect(DEFAULT_USER_PORT).to.equal(8080));
  });

  describe('makePodAutoscaler', () => {
    it('the whole PodAutoscaler, with only the autoscaling annotations', () => {
      const r = rev(
        withSpec({ containerConcurrency: 10 }),
        withAnnotations({ 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/target': '50', 'serving.knative.dev/creator': 'bob', 'kubectl.kubernetes.io/last-applied-configuration': '{}' }),
      );
      expect(makePodAutoscaler(r)).to.deep.equal({
        apiVersion: 'kzero.dev/v1alpha1',
        kind: 'PodAutoscaler',
        metadata: {
          name: 'foo-00001',
          namespace: 'default',
          labels: revisionChildLabels(r),
          annotations: { 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/target': '50' },
          ownerReferences: [revOwner],
        },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo-00001-deployment' },
          containerConcurrency: 10,
          protocolType: 'http1',
          reachability: 'Reachable',
        },
      });
    });

    it('containerConcurrency defaults to 0 (unlimited)', () => expect(makePodAutoscaler(rev()).spec.containerConcurrency).to.equal(0));

    const reach: Array<{ name: string; rev: Revision; want: string }> = [
      { name: 'no routing state', rev: rev(), want: 'Reachable' },
      { name: 'active', rev: rev(withRoutingState('active')), want: 'Reachable' },
      { name: 'pending', rev: rev(withRoutingState('pending')), want: 'Reachable' },
      { name: 'reserve', rev: rev(withRoutingState('reserve')), want: 'Unreachable' },
    ];
    for (const c of reach) it(`reachability: ${c.name} -> ${c.want}`, () => expect(makePodAutoscaler(c.rev).spec.reachability).to.equal(c.want));
  });

  it('revisionChildLabels: the Revision\'s labels plus revision, revisionUID and app', () => {
    expect(revisionChildLabels(rev())).to.deep.equal({
      'serving.knative.dev/configuration': 'foo',
      'serving.knative.dev/service': 'foo',
      'serving.knative.dev/revision': 'foo-00001',
      'serving.knative.dev/revisionUID': 'rev-uid',
      app: 'foo-00001',
    });
  });
});
