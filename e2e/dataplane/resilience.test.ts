import { expect } from 'chai';
import { request } from 'node:http';
import type { Socket } from 'node:net';
import { kubectl, testNamespace, config } from '../support/cluster.js';
import { viaActivator } from '../support/activator.js';
import { getService, waitForReady } from '../support/serving.js';
import { kzero } from '../support/cli.js';
import { stopDaemon } from '../../local/controlplane/daemon.js';

// The activator tunnels upgraded connections, and keeps serving from its cache while the API server is away.

const autoscale = (ns: string): string => JSON.stringify({
  apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'echo', namespace: ns },
  spec: { template: { spec: { containers: [{ image: 'ghcr.io/knative/autoscale-go' }] } } },
});

function upgrade(host: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(process.env.KZERO_ACTIVATOR_PORT || 8080), path: '/', headers: { host, connection: 'Upgrade', upgrade: 'websocket' } });
    req.on('upgrade', (_res, socket) => resolve(socket));
    req.on('response', (res) => reject(new Error(`no upgrade: HTTP ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('data plane: upgrades and API server outages', function () {
  let ns: { name: string; cleanup: () => Promise<void> };
  before(async () => {
    ns = await testNamespace('e2e-resil');
    await kubectl(['apply', '-f', '-'], autoscale(ns.name));
    await waitForReady('Service echo', () => getService(ns.name, 'echo'));
  });
  after(async () => ns?.cleanup());

  it('tunnels an upgraded (WebSocket-style) connection both ways', async () => {
    const socket = await upgrade(`echo.${ns.name}.localhost`);
    const echoed = new Promise<string>((resolve) => socket.once('data', (d: Buffer) => resolve(d.toString())));
    socket.write('ping over the tunnel');
    expect(await echoed).to.equal('ping over the tunnel');
    socket.destroy();
  });

  it('keeps serving warm revisions while the API server is down', async () => {
    const host = `echo.${ns.name}.localhost`;
    expect((await viaActivator(host)).status).to.equal(200);
    await stopDaemon(config.dirs.run, 'kube-apiserver');
    try {
      for (let i = 0; i < 20; i++) expect((await viaActivator(host, '/?sleep=5')).status).to.equal(200);
    } finally {
      const up = await kzero(['up'], false);
      expect(up.code, up.output).to.equal(0);
    }
    expect((await viaActivator(host)).status).to.equal(200);
  });
});
