/**
 * Runs the compiled sample apps as real processes (as the process node does)
 * and talks HTTP to them.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { start, type App } from './testing/launch.js';

const HELLOWORLD = fileURLToPath(new URL('./helloworld.js', import.meta.url));
const AUTOSCALE = fileURLToPath(new URL('./autoscale.js', import.meta.url));

function get(port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe('sample apps', function () {
  this.timeout(15_000);
  const running: App[] = [];
  const launch = async (script: string, env?: Record<string, string>): Promise<App> => {
    const app = await start(script, env);
    running.push(app);
    return app;
  };
  afterEach(() => {
    for (const app of running.splice(0)) if (app.child.exitCode === null && app.child.signalCode === null) app.child.kill('SIGKILL');
  });

  describe('helloworld', () => {
    it('greets World by default on any path and logs a JSON start line', async () => {
      const app = await launch(HELLOWORLD);
      expect(await get(app.port, '/')).to.deep.equal({ status: 200, body: 'Hello World!\n' });
      expect(await get(app.port, '/any/path?x=1')).to.deep.equal({ status: 200, body: 'Hello World!\n' });
      const first = app.stdout().split('\n')[0] ?? '';
      expect(JSON.parse(first)).to.deep.equal({ msg: 'helloworld: listening', port: app.port });
    });

    it('greets $TARGET', async () => {
      const app = await launch(HELLOWORLD, { TARGET: 'Knative' });
      expect(await get(app.port, '/')).to.deep.equal({ status: 200, body: 'Hello Knative!\n' });
    });

    it('exits 0 on SIGTERM, even with an idle keep-alive connection open', async () => {
      const app = await launch(HELLOWORLD);
      const agent = new http.Agent({ keepAlive: true });
      try {
        expect((await get(app.port, '/', agent)).status).to.equal(200);
        const t0 = Date.now();
        app.child.kill('SIGTERM');
        expect(await app.exited).to.deep.equal({ code: 0, signal: null });
        // well under the 5 s deadline: the idle connection did not hold shutdown
        expect(Date.now() - t0).to.be.below(3_000);
      } finally {
        agent.destroy();
      }
    });

    it('exits 1 naming PORT when it is invalid', async () => {
      const child = spawn(process.execPath, [HELLOWORLD], { env: { ...process.env, PORT: 'http' }, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).to.equal(1);
      expect(err).to.match(/PORT must be an integer 0-65535, got .*http/);
    });
  });

  describe('autoscale', () => {
    let app: App;
    before(async () => {
      app = await start(AUTOSCALE);
    });
    after(() => {
      app.child.kill('SIGKILL');
    });

    it('sleeps at least the requested time', async () => {
      const t0 = Date.now();
      const res = await get(app.port, '/?sleep=100');
      expect(Date.now() - t0).to.be.at.least(100);
      expect(res.status).to.equal(200);
      const m = /^Slept for (\d+\.\d\d) milliseconds\.\n$/.exec(res.body);
      expect(m, res.body).to.not.equal(null);
      expect(Number(m?.[1])).to.be.at.least(99.5);
    });

    it('finds the largest prime', async () => {
      expect(await get(app.port, '/?prime=10000')).to.deep.equal({ status: 200, body: 'The largest prime less than 10000 is 9973.\n' });
      expect((await get(app.port, '/?prime=2')).body).to.equal('There are no primes smaller than 2.\n');
    });

    it('allocates memory', async () => {
      expect(await get(app.port, '/?bloat=5')).to.deep.equal({ status: 200, body: 'Allocated 5 Mb of memory.\n' });
    });

    it('answers one line per param, in order', async () => {
      const res = await get(app.port, '/?bloat=1&prime=10&sleep=1');
      expect(res.status).to.equal(200);
      expect(res.body).to.match(/^Slept for [\d.]+ milliseconds\.\nThe largest prime less than 10 is 7\.\nAllocated 1 Mb of memory\.\n$/);
    });

    it('answers something without params', async () => {
      const res = await get(app.port, '/');
      expect(res.status).to.equal(200);
      expect(res.body).to.match(/^Hello from autoscale!/);
    });

    for (const [query, param] of [
      ['sleep=abc', 'sleep'],
      ['prime=-5', 'prime'],
      ['bloat=1.5', 'bloat'],
      ['sleep=', 'sleep'],
      ['sleep=99999999999', 'sleep'],
    ] as const) {
      it(`rejects ?${query} with 400 naming ${param}`, async () => {
        const res = await get(app.port, `/?${query}`);
        expect(res.status).to.equal(400);
        expect(res.body).to.include(`param ${param}`);
      });
    }

    it('exits 0 on SIGTERM', async () => {
      const own = await launch(AUTOSCALE);
      own.child.kill('SIGTERM');
      expect(await own.exited).to.deep.equal({ code: 0, signal: null });
    });
  });
});
