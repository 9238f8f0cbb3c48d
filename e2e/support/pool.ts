import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { packTarGz } from '../../runtime/package/pack.js';
import type { V1Pod } from '@kubernetes/client-node';
import { config, isReady, listPods, waitForValue } from './cluster.js';

// Warm pools in e2e tests and benchmarks: code packages served to pods from the host (the bridge address,
// which every pod reaches), and the PodPool and pool-backed Service manifests.

export const RUNTIME_IMAGE = 'kzero.dev/runtime-node';

/** An HTTP server for code packages on the bridge; packages are served at /<name>.tgz. */
export class CodeServer {
  private readonly packages = new Map<string, Buffer>();
  private server: Server | undefined;
  private port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const body = this.packages.get((req.url ?? '').slice(1));
      if (!body) return void res.writeHead(404).end('no such package\n');
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, config.bridgeIp, resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Serves `files` as a tar.gz; returns its URL and sha256. */
  add(name: string, files: Record<string, string | Buffer>): { url: string; sha256: string } {
    const body = packTarGz(files);
    this.packages.set(`${name}.tgz`, body);
    return { url: `http://${config.bridgeIp}:${this.port}/${name}.tgz`, sha256: createHash('sha256').update(body).digest('hex') };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A function that answers with who it is: its revision, its pod (HOSTNAME) and its GREETING env. */
export const helloFunction = {
  'index.js': `module.exports = (req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ revision: process.env.K_REVISION, pod: process.env.HOSTNAME, greeting: process.env.GREETING || 'hello' }));
};
`,
};

export function podPool(ns: string, name: string, opts: { minReady: number; maxReady?: number; refillSeconds?: number }): string {
  return JSON.stringify({
    apiVersion: 'kzero.dev/v1alpha1', kind: 'PodPool', metadata: { name, namespace: ns },
    spec: {
      minReady: opts.minReady, maxReady: opts.maxReady ?? opts.minReady,
      ...(opts.refillSeconds !== undefined ? { autosizing: { refillSeconds: opts.refillSeconds } } : {}),
      template: { spec: { containers: [{ name: 'runtime', image: RUNTIME_IMAGE }] } },
    },
  });
}

/** A Knative Service whose Revision is served from `pool` with the code at `code` (it starts at zero pods). */
export function poolService(ns: string, name: string, pool: string, code: { url: string; sha256: string }, env: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name, namespace: ns },
    spec: {
      template: {
        metadata: { annotations: { 'kzero.dev/pool': pool, 'kzero.dev/code': code.url, 'kzero.dev/code-sha256': code.sha256 } },
        spec: { containers: [{ image: RUNTIME_IMAGE, env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })) }] },
      },
    },
  });
}

/** The pool's warm pods that are Ready to be claimed. */
export async function warmPods(ns: string, pool: string): Promise<V1Pod[]> {
  return (await listPods(ns, `kzero.dev/pool=${pool},kzero.dev/pool-state=warm`)).filter((p) => isReady(p) && !p.metadata?.deletionTimestamp);
}

/** The pods claimed for a Revision, once there are some: the claim patch lands just after the first response. */
export function claimedPods(ns: string, revision: string): Promise<V1Pod[]> {
  return waitForValue(`a pod claimed for ${revision}`, async () => {
    const pods = await listPods(ns, `serving.knative.dev/revision=${revision}`);
    return pods.length > 0 ? pods : undefined;
  }, 10_000, 50);
}
