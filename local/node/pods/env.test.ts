import { expect } from 'chai';
import type { V1ConfigMap, V1Container, V1EnvVar, V1Pod, V1Secret } from '@kubernetes/client-node';
import { ContainerConfigError, containerEnv, expand, fieldRef, type EnvSources, type PodFacts } from './env.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const configMaps: Record<string, V1ConfigMap> = {
  settings: { metadata: { name: 'settings' }, data: { MODE: 'fast', LEVEL: '3', SHARED: 'from-cm' } },
  empty: { metadata: { name: 'empty' } },
  raw: { metadata: { name: 'raw' }, data: { K: '$(PATH)' } },
};
const secrets: Record<string, V1Secret> = {
  creds: { metadata: { name: 'creds' }, data: { USER: b64('alice'), PASSWORD: b64('s3cr3t: ü'), SHARED: b64('from-secret') } },
};
const sources: EnvSources = {
  configMap: async (name) => configMaps[name],
  secret: async (name) => secrets[name],
};
const facts: PodFacts = { podIp: '10.244.3.4', hostIp: '10.244.0.1', apiserverHost: '10.244.0.1', apiserverPort: 6443, allocatable: { cpu: '2', memory: '1Gi' } };

const pod: V1Pod = {
  metadata: {
    name: 'web-1', namespace: 'prod', uid: 'uid-123',
    labels: { app: 'web', 'app.kubernetes.io/name': 'web-app' },
    annotations: { 'example.com/owner': 'team-a' },
  },
  spec: { nodeName: 'kzero-node', serviceAccountName: 'runner', containers: [{ name: 'c' }] },
};

const BASE = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOSTNAME: 'web-1',
  KUBERNETES_SERVICE_HOST: '10.244.0.1',
  KUBERNETES_SERVICE_PORT: '6443',
  KUBERNETES_SERVICE_PORT_HTTPS: '6443',
};

async function configError(p: Promise<unknown>): Promise<ContainerConfigError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(ContainerConfigError);
    return err as ContainerConfigError;
  }
  throw new Error('expected a ContainerConfigError, got none');
}

describe('env', () => {
  describe('containerEnv: order and precedence', () => {
    const cases: Array<{ name: string; container: V1Container; imageEnv: Record<string, string>; want: Array<[string, string]> }> = [
      {
        name: 'no env at all: PATH, HOSTNAME and the service env',
        container: { name: 'c' },
        imageEnv: {},
        want: Object.entries(BASE),
      },
      {
        name: 'image env comes after PATH/HOSTNAME and may override PATH',
        container: { name: 'c' },
        imageEnv: { PATH: '/opt/bin', LANG: 'C.UTF-8' },
        want: [['PATH', '/opt/bin'], ['HOSTNAME', 'web-1'], ['LANG', 'C.UTF-8'], ['KUBERNETES_SERVICE_HOST', '10.244.0.1'], ['KUBERNETES_SERVICE_PORT', '6443'], ['KUBERNETES_SERVICE_PORT_HTTPS', '6443']],
      },
      {
        name: 'the service env wins over the image env',
        container: { name: 'c' },
        imageEnv: { KUBERNETES_SERVICE_HOST: 'elsewhere' },
        want: Object.entries(BASE),
      },
      {
        name: 'image env < envFrom < env',
        container: {
          name: 'c',
          envFrom: [{ configMapRef: { name: 'settings' } }],
          env: [{ name: 'MODE', value: 'slow' }, { name: 'EXTRA', value: 'x' }],
        },
        imageEnv: { MODE: 'image', LEVEL: 'image', ONLY_IMAGE: '1' },
        want: [
          ['PATH', BASE.PATH], ['HOSTNAME', 'web-1'], ['MODE', 'slow'], ['LEVEL', '3'], ['ONLY_IMAGE', '1'],
          ['KUBERNETES_SERVICE_HOST', '10.244.0.1'], ['KUBERNETES_SERVICE_PORT', '6443'], ['KUBERNETES_SERVICE_PORT_HTTPS', '6443'],
          ['SHARED', 'from-cm'], ['EXTRA', 'x'],
        ],
      },
      {
        name: 'envFrom in order: a later source wins, secrets are base64-decoded',
        container: { name: 'c', envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'creds' } }] },
        imageEnv: {},
        want: [...Object.entries(BASE), ['MODE', 'fast'], ['LEVEL', '3'], ['SHARED', 'from-secret'], ['USER', 'alice'], ['PASSWORD', 's3cr3t: ü']],
      },
      {
        name: 'envFrom with a prefix',
        container: { name: 'c', envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }, { prefix: 'S_', secretRef: { name: 'creds' } }] },
        imageEnv: {},
        want: [...Object.entries(BASE), ['CFG_MODE', 'fast'], ['CFG_LEVEL', '3'], ['CFG_SHARED', 'from-cm'], ['S_USER', 'alice'], ['S_PASSWORD', 's3cr3t: ü'], ['S_SHARED', 'from-secret']],
      },
      {
        name: 'envFrom optional and missing: skipped',
        container: { name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: true } }, { secretRef: { name: 'nope', optional: true } }, { configMapRef: { name: 'empty' } }] },
        imageEnv: {},
        want: Object.entries(BASE),
      },
      {
        name: 'env values expand $(VAR) from what came before, and a later env entry overrides an earlier one',
        container: {
          name: 'c',
          envFrom: [{ configMapRef: { name: 'settings' } }],
          env: [
            { name: 'URL', value: 'http://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)/$(MODE)' },
            { name: 'LATER', value: '$(NOT_YET)' },
            { name: 'NOT_YET', value: 'now' },
            { name: 'MODE', value: 'first' },
            { name: 'MODE', value: '$(MODE)-second' },
            { name: 'EMPTY' },
          ],
        },
        imageEnv: {},
        want: [
          ...Object.entries(BASE), ['MODE', 'first-second'], ['LEVEL', '3'], ['SHARED', 'from-cm'],
          ['URL', 'http://10.244.0.1:6443/fast'], ['LATER', '$(NOT_YET)'], ['NOT_YET', 'now'], ['EMPTY', ''],
        ],
      },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const env = await containerEnv(pod, c.container, c.imageEnv, facts, sources);
        expect(Object.entries(env)).to.deep.equal(c.want);
      });
    }

    it('HOSTNAME is empty for a pod without a name', async () => {
      const env = await containerEnv({ spec: { containers: [] } }, { name: 'c' }, {}, facts, sources);
      expect(env.HOSTNAME).to.equal('');
    });

    it('does not mutate the image env it is given', async () => {
      const imageEnv = { MODE: 'image' };
      await containerEnv(pod, { name: 'c', env: [{ name: 'MODE', value: 'x' }] }, imageEnv, facts, sources);
      expect(imageEnv).to.deep.equal({ MODE: 'image' });
    });

    const envFromErrors: Array<{ name: string; container: V1Container; message: string }> = [
      { name: 'missing configmap', container: { name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }, message: 'configmap "nope" not found' },
      { name: 'missing configmap, optional false', container: { name: 'c', envFrom: [{ configMapRef: { name: 'nope', optional: false } }] }, message: 'configmap "nope" not found' },
      { name: 'missing secret', container: { name: 'c', envFrom: [{ secretRef: { name: 'gone' } }] }, message: 'secret "gone" not found' },
    ];
    for (const c of envFromErrors) {
      it(`envFrom: ${c.name} -> ContainerConfigError`, async () => {
        const err = await configError(containerEnv(pod, c.container, {}, facts, sources));
        expect(err.message).to.equal(c.message);
        expect(err.reason).to.equal('CreateContainerConfigError');
      });
    }
  });

  describe('containerEnv: valueFrom', () => {
    const one = async (e: V1EnvVar, container: Partial<V1Container> = {}, imageEnv: Record<string, string> = {}): Promise<Record<string, string>> =>
      containerEnv(pod, { name: 'c', ...container, env: [e] }, imageEnv, facts, sources);

    const found: Array<{ name: string; env: V1EnvVar; container?: Partial<V1Container>; want: string }> = [
      { name: 'fieldRef metadata.name', env: { name: 'V', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, want: 'web-1' },
      { name: 'fieldRef status.podIP', env: { name: 'V', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, want: '10.244.3.4' },
      { name: 'configMapKeyRef', env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'settings', key: 'LEVEL' } } }, want: '3' },
      { name: 'secretKeyRef is base64-decoded', env: { name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'PASSWORD' } } }, want: 's3cr3t: ü' },
      {
        name: 'valueFrom values are not expanded',
        env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'raw', key: 'K' } } },
        want: '$(PATH)',
      },
      {
        name: 'resourceFieldRef limits.cpu',
        env: { name: 'V', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        container: { resources: { limits: { cpu: '2' }, requests: { cpu: '1' } } },
        want: '2',
      },
      {
        name: 'resourceFieldRef requests.memory',
        env: { name: 'V', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
        container: { resources: { limits: { memory: '2048' }, requests: { memory: '1024' } } },
        want: '1024',
      },
      {
        name: 'resourceFieldRef limits.memory without resources -> node allocatable in bytes',
        env: { name: 'V', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        want: '1073741824',
      },
    ];
    for (const c of found) {
      it(c.name, async () => {
        const env = await one(c.env, c.container);
        expect(env.V).to.equal(c.want);
      });
    }

    const skipped: Array<{ name: string; env: V1EnvVar }> = [
      { name: 'configMapKeyRef optional, configmap missing', env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'nope', key: 'K', optional: true } } } },
      { name: 'configMapKeyRef optional, key missing', env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'settings', key: 'NOPE', optional: true } } } },
      { name: 'secretKeyRef optional, secret missing', env: { name: 'V', valueFrom: { secretKeyRef: { name: 'nope', key: 'K', optional: true } } } },
      { name: 'secretKeyRef optional, key missing', env: { name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'NOPE', optional: true } } } },
    ];
    for (const c of skipped) {
      it(`${c.name} -> variable not set`, async () => {
        const env = await one(c.env);
        expect(env).to.not.have.property('V');
        expect(Object.keys(env)).to.deep.equal(Object.keys(BASE));
      });
      it(`${c.name} -> an earlier value (image env) is kept`, async () => {
        const env = await one(c.env, {}, { V: 'image' });
        expect(env.V).to.equal('image');
      });
    }

    const errors: Array<{ name: string; env: V1EnvVar; message: string }> = [
      { name: 'configMapKeyRef, missing configmap', env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'x', key: 'K' } } }, message: 'configmap "x" not found' },
      { name: 'configMapKeyRef, missing key', env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'settings', key: 'NOPE' } } }, message: "couldn't find key NOPE in ConfigMap prod/settings" },
      { name: 'configMapKeyRef, configmap without data', env: { name: 'V', valueFrom: { configMapKeyRef: { name: 'empty', key: 'K' } } }, message: "couldn't find key K in ConfigMap prod/empty" },
      { name: 'secretKeyRef, missing secret', env: { name: 'V', valueFrom: { secretKeyRef: { name: 'y', key: 'K' } } }, message: 'secret "y" not found' },
      { name: 'secretKeyRef, missing key', env: { name: 'V', valueFrom: { secretKeyRef: { name: 'creds', key: 'NOPE' } } }, message: "couldn't find key NOPE in Secret prod/creds" },
      { name: 'fieldRef, unsupported path', env: { name: 'V', valueFrom: { fieldRef: { fieldPath: 'spec.hostname' } } }, message: 'env V: unsupported fieldRef "spec.hostname"' },
      { name: 'valueFrom with no source', env: { name: 'V', valueFrom: {} }, message: 'env V: valueFrom needs fieldRef, configMapKeyRef, secretKeyRef or resourceFieldRef' },
    ];
    for (const c of errors) {
      it(`${c.name} -> ContainerConfigError`, async () => {
        const err = await configError(one(c.env));
        expect(err.message).to.equal(c.message);
        expect(err.reason).to.equal('CreateContainerConfigError');
      });
    }

    // The kubelet converts quantities: value / divisor (default 1), rounded up.
    const quantities: Array<{ resource: string; divisor?: string; resources: NonNullable<V1Container['resources']>; want: string }> = [
      { resource: 'limits.cpu', resources: { limits: { cpu: '500m' } }, want: '1' },
      { resource: 'limits.cpu', divisor: '1m', resources: { limits: { cpu: '500m' } }, want: '500' },
      { resource: 'limits.memory', resources: { limits: { memory: '128Mi' } }, want: '134217728' },
      { resource: 'requests.memory', divisor: '1Mi', resources: { requests: { memory: '128Mi' } }, want: '128' },
      // Unset limits default to the node's allocatable; unset requests to 0.
      { resource: 'limits.memory', divisor: '1Mi', resources: {}, want: '1024' },
      { resource: 'limits.cpu', resources: {}, want: '2' },
      { resource: 'requests.cpu', resources: {}, want: '0' },
    ];
    for (const c of quantities) {
      it(`resourceFieldRef ${c.resource}=${JSON.stringify(c.resources)} divisor ${c.divisor ?? '1'} -> ${c.want}`, async () => {
        const env = await one({ name: 'V', valueFrom: { resourceFieldRef: { resource: c.resource, ...(c.divisor ? { divisor: c.divisor } : {}) } } }, { resources: c.resources });
        expect(env.V).to.equal(c.want);
      });
    }
  });

  describe('fieldRef', () => {
    const cases: Array<{ path: string; want: string; pod?: V1Pod }> = [
      { path: 'metadata.name', want: 'web-1' },
      { path: 'metadata.namespace', want: 'prod' },
      { path: 'metadata.uid', want: 'uid-123' },
      { path: "metadata.labels['app']", want: 'web' },
      { path: "metadata.labels['app.kubernetes.io/name']", want: 'web-app' },
      { path: "metadata.labels['missing']", want: '' },
      { path: "metadata.annotations['example.com/owner']", want: 'team-a' },
      { path: "metadata.annotations['missing']", want: '' },
      { path: 'spec.nodeName', want: 'kzero-node' },
      { path: 'spec.serviceAccountName', want: 'runner' },
      { path: 'status.podIP', want: '10.244.3.4' },
      { path: 'status.podIPs', want: '10.244.3.4' },
      { path: 'status.hostIP', want: '10.244.0.1' },
      { path: 'metadata.name', want: '', pod: {} },
      { path: "metadata.labels['app']", want: '', pod: { metadata: { name: 'bare' } } },
      { path: 'spec.nodeName', want: '', pod: { metadata: { name: 'bare' } } },
    ];
    for (const c of cases) {
      it(`${c.path}${c.pod ? ' (sparse pod)' : ''} -> ${JSON.stringify(c.want)}`, () => {
        expect(fieldRef(c.pod ?? pod, c.path, facts, 'V')).to.equal(c.want);
      });
    }

    for (const path of ['metadata.labels', 'metadata.labels[app]', 'status.phase', 'spec.hostname', '']) {
      it(`unsupported ${JSON.stringify(path)} -> ContainerConfigError naming the variable`, () => {
        let caught: unknown;
        try {
          fieldRef(pod, path, facts, 'MY_VAR');
        } catch (err) {
          caught = err;
        }
        expect(caught).to.be.instanceOf(ContainerConfigError);
        expect((caught as Error).message).to.equal(`env MY_VAR: unsupported fieldRef ${JSON.stringify(path)}`);
      });
    }
  });

  describe('expand', () => {
    const env = { A: 'alpha', B_2: 'beta', 'dotted.name': 'd', EMPTY: '' };
    const cases: Array<{ input: string; want: string }> = [
      { input: '$(A)', want: 'alpha' },
      { input: 'x-$(A)-$(B_2)-y', want: 'x-alpha-beta-y' },
      { input: '$(UNKNOWN)', want: '$(UNKNOWN)' },
      { input: '$(A)$(UNKNOWN)', want: 'alpha$(UNKNOWN)' },
      { input: '$$(A)', want: '$(A)' },
      { input: '$$$(A)', want: '$alpha' },
      { input: '$$', want: '$' },
      { input: 'cost: $5', want: 'cost: $5' },
      { input: '$(A', want: '$(A' },
      { input: '$A', want: '$A' },
      { input: '$(dotted.name)', want: 'd' },
      { input: '$(EMPTY)x', want: 'x' },
      { input: '', want: '' },
      { input: 'plain', want: 'plain' },
    ];
    for (const c of cases) {
      it(`${JSON.stringify(c.input)} -> ${JSON.stringify(c.want)}`, () => {
        expect(expand(c.input, env)).to.equal(c.want);
      });
    }

    // $(name) only expands the env's own keys, never Object.prototype members.
    const inherited = ['toString', 'constructor', 'hasOwnProperty', 'valueOf'];
    for (const name of inherited) {
      it(`$(${name}) is unknown and stays as written (not an Object.prototype member)`, () => {
        expect(expand(`$(${name})`, env)).to.equal(`$(${name})`);
      });
    }
  });
});
