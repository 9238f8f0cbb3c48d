import { expect } from 'chai';
import type { V1ConfigMap, V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';
import { builtinImageTable } from '../../images/builtin.js';
import { mergeImageTables, type ImageEntry } from '../../images/table.js';
import type { LaunchSpec } from './container.js';
import type { EnvSources, PodFacts } from './env.js';
import { prepareContainer } from './prepare.js';

const builtin = builtinImageTable('/usr/bin/node', '/apps', '/dist/runtime/main.js');
const extra = new Map<string, ImageEntry>([
  ['docker.io/library/scratch', { entrypoint: [], cmd: [], description: 'scratch (nothing to run)' }],
  ['ghcr.io/me/tool', { entrypoint: ['/opt/tool'], cmd: ['--help'], env: { GREETING: 'from-image', TOOL_HOME: '/opt' }, description: 'tool' }],
]);
const table = mergeImageTables(builtin, extra);

const configMaps: Record<string, V1ConfigMap> = { cfg: { data: { GREETING: 'hello', NAME: 'world' } } };
const secrets: Record<string, V1Secret> = {};
const sources: EnvSources = { configMap: async (n) => configMaps[n], secret: async (n) => secrets[n] };
const facts: PodFacts = { podIp: '10.244.0.9', hostIp: '10.244.0.1', apiserverHost: '10.244.0.1', apiserverPort: 6443, allocatable: { cpu: '2', memory: '1Gi' } };
const pod: V1Pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } };

const HELLO = 'ghcr.io/knative/helloworld-go';

describe('prepareContainer', () => {
  const failures: Array<{ name: string; container: V1Container; reason: string; message: string | RegExp }> = [
    {
      name: 'unknown image -> ErrImagePull naming the image and the known ones',
      container: { name: 'c', image: 'ghcr.io/me/nope:v1' },
      reason: 'ErrImagePull',
      message: `failed to pull image "ghcr.io/me/nope:v1": not found: the process node's image table has no entry for it (known: ${[...table.keys()].join(', ')})`,
    },
    {
      name: 'same repository on another registry is unknown too',
      container: { name: 'c', image: 'quay.io/knative/helloworld-go' },
      reason: 'ErrImagePull',
      message: /^failed to pull image "quay\.io\/knative\/helloworld-go": not found/,
    },
    {
      name: 'invalid reference (whitespace) -> InvalidImageName',
      container: { name: 'c', image: 'Not Valid' },
      reason: 'InvalidImageName',
      message: 'Failed to apply default image tag "Not Valid": invalid image reference "Not Valid": contains whitespace',
    },
    {
      name: 'invalid reference (uppercase) -> InvalidImageName',
      container: { name: 'c', image: 'ghcr.io/Me/App' },
      reason: 'InvalidImageName',
      message: 'Failed to apply default image tag "ghcr.io/Me/App": invalid image reference "ghcr.io/Me/App": repository must be lowercase "Me"',
    },
    {
      name: 'no image at all -> InvalidImageName',
      container: { name: 'c' },
      reason: 'InvalidImageName',
      message: 'Failed to apply default image tag "": invalid image reference "": empty',
    },
    {
      name: 'missing configmap in envFrom -> CreateContainerConfigError',
      container: { name: 'c', image: HELLO, envFrom: [{ configMapRef: { name: 'missing' } }] },
      reason: 'CreateContainerConfigError',
      message: 'configmap "missing" not found',
    },
    {
      name: 'missing configmap key -> CreateContainerConfigError',
      container: { name: 'c', image: HELLO, env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'NOPE' } } }] },
      reason: 'CreateContainerConfigError',
      message: "couldn't find key NOPE in ConfigMap default/cfg",
    },
    {
      name: 'image with neither entrypoint nor cmd and no command -> CreateContainerError',
      container: { name: 'c', image: 'scratch:latest' },
      reason: 'CreateContainerError',
      message: 'no command to run for image "scratch (nothing to run)": it has no entrypoint or default cmd, so the container must set command',
    },
    {
      name: 'image is checked before the config: unknown image with a missing configmap -> ErrImagePull',
      container: { name: 'c', image: 'ghcr.io/me/nope', envFrom: [{ configMapRef: { name: 'missing' } }] },
      reason: 'ErrImagePull',
      message: /^failed to pull image "ghcr\.io\/me\/nope"/,
    },
  ];
  for (const c of failures) {
    it(c.name, async () => {
      const got = await prepareContainer(pod, c.container, table, facts, sources);
      expect(got).to.have.all.keys('reason', 'message');
      const failure = got as Extract<LaunchSpec, { reason: string }>;
      expect(failure.reason).to.equal(c.reason);
      if (typeof c.message === 'string') expect(failure.message).to.equal(c.message);
      else expect(failure.message).to.match(c.message);
    });
  }

  const launches: Array<{ name: string; container: V1Container; argv: string[]; env: Record<string, string> }> = [
    {
      name: 'helloworld: node runs the local app, TARGET reaches the env',
      container: { name: 'user-container', image: `${HELLO}:latest`, env: [{ name: 'TARGET', value: 'Knative' }] },
      argv: ['/usr/bin/node', '/apps/helloworld.js'],
      env: { TARGET: 'Knative' },
    },
    {
      name: 'helloworld from gcr.io with a digest',
      container: { name: 'c', image: `gcr.io/knative-samples/helloworld-go@sha256:${'a'.repeat(64)}`, env: [{ name: 'TARGET', value: 'Go Sample v1' }] },
      argv: ['/usr/bin/node', '/apps/helloworld.js'],
      env: { TARGET: 'Go Sample v1' },
    },
    {
      name: 'helloworld args expand $(VAR) and keep the entrypoint',
      container: { name: 'c', image: HELLO, env: [{ name: 'TARGET', value: 'you' }], args: ['--target=$(TARGET)', '$(NOPE)', '$$(TARGET)'] },
      argv: ['/usr/bin/node', '/apps/helloworld.js', '--target=you', '$(NOPE)', '$(TARGET)'],
      env: { TARGET: 'you' },
    },
    {
      name: 'busybox without a command runs its default cmd /bin/sh',
      container: { name: 'c', image: 'busybox' },
      argv: ['/bin/sh'],
      env: {},
    },
    {
      name: 'busybox command and args expand from envFrom and env',
      container: {
        name: 'c', image: 'busybox:1.36',
        envFrom: [{ configMapRef: { name: 'cfg' } }],
        env: [{ name: 'WHO', value: '$(NAME)!' }],
        command: ['/bin/sh', '-c'],
        args: ['echo $(GREETING) $(WHO) $$(HOME) $(POD_IP)'],
      },
      argv: ['/bin/sh', '-c', 'echo hello world! $(HOME) $(POD_IP)'],
      env: { GREETING: 'hello', NAME: 'world', WHO: 'world!' },
    },
    {
      name: 'command replaces entrypoint and cmd; image env expands in it',
      container: { name: 'c', image: 'ghcr.io/me/tool', command: ['$(TOOL_HOME)/bin/other', '$(GREETING)'] },
      argv: ['/opt/bin/other', 'from-image'],
      env: { GREETING: 'from-image', TOOL_HOME: '/opt' },
    },
    {
      name: 'container env overrides image env before expansion',
      container: { name: 'c', image: 'ghcr.io/me/tool', env: [{ name: 'GREETING', value: 'from-pod' }], args: ['$(GREETING)'] },
      argv: ['/opt/tool', 'from-pod'],
      env: { GREETING: 'from-pod', TOOL_HOME: '/opt' },
    },
  ];
  for (const c of launches) {
    it(c.name, async () => {
      const got = await prepareContainer(pod, c.container, table, facts, sources);
      expect(got).to.have.all.keys('argv', 'env');
      const launch = got as Extract<LaunchSpec, { argv: string[] }>;
      expect(launch.argv).to.deep.equal(c.argv);
      expect(launch.env).to.include(c.env);
      expect(launch.env).to.include({ HOSTNAME: 'p', KUBERNETES_SERVICE_HOST: '10.244.0.1', KUBERNETES_SERVICE_PORT: '6443' });
    });
  }

  it('an error from the sources that is not a config error is thrown, not turned into a reason', async () => {
    const broken: EnvSources = { configMap: async () => { throw new Error('apiserver down'); }, secret: async () => undefined };
    let caught: unknown;
    try {
      await prepareContainer(pod, { name: 'c', image: HELLO, envFrom: [{ configMapRef: { name: 'cfg' } }] }, table, facts, broken);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(Error);
    expect((caught as Error).message).to.equal('apiserver down');
  });
});
