import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeRest, LineSplitter } from './rest.js';

describe('kube/LineSplitter', () => {
  const events = ['{"type":"ADDED","object":{"metadata":{"name":"a"}}}', '{"type":"MODIFIED","object":{"metadata":{"name":"ü"}}}', '{"type":"DELETED"}'];
  const stream = Buffer.from(events.map((e) => `${e}\n`).join(''));

  for (const size of [1, 2, 7, 50, stream.length]) {
    it(`gives whole lines, fed in pieces of ${size} bytes (multi-byte characters split across pieces included)`, () => {
      const lines = new LineSplitter();
      const out: string[] = [];
      for (let i = 0; i < stream.length; i += size) out.push(...lines.push(stream.subarray(i, i + size)));
      expect(out).to.deep.equal(events);
    });
  }

  it('keeps an unfinished last line until its newline comes; skips empty lines', () => {
    const lines = new LineSplitter();
    expect(lines.push(Buffer.from('\n\n{"a":1}\n{"b"'))).to.deep.equal(['{"a":1}']);
    expect(lines.push(Buffer.from(':2}\n'))).to.deep.equal(['{"b":2}']);
  });
});

describe('kube/KubeRest with an in-cluster token file', () => {
  it('sends the token the file holds now, read again once a minute (the kubelet rotates it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kzero-token-'));
    const tokenPath = join(dir, 'token');
    writeFileSync(tokenPath, 'first\n');
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      // client-node takes a plain http server only with skipTLSVerify.
      clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
      users: [{ name: 'u', authProvider: { name: 'tokenFile', config: { tokenFile: tokenPath } } }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    let now = 1_000_000;
    const rest = await KubeRest.fromKubeConfig(kc, 1, () => now);
    try {
      await rest.request('GET', '/api');
      writeFileSync(tokenPath, 'second\n');
      now += 30_000;
      await rest.request('GET', '/api');
      now += 30_000;
      await rest.request('GET', '/api');
      expect(seen).to.deep.equal(['Bearer first', 'Bearer first', 'Bearer second']);
    } finally {
      await rest.close();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
