// Data-plane benchmarks, against the local cluster (`kzero up` first), as root:
//   npm run bench:dataplane              (both)
//   npm run bench:dataplane -- cold      (first-byte latency of cold starts, Deployment path, 20 revisions)
//   npm run bench:dataplane -- warm      (warm path: direct to the pod vs the activator vs nginx, with wrk)
// Installs wrk and nginx from Debian if they are missing. Side by side in one run; quote the ratios.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackages } from '../local/host/packages.js';
import { kubectl, listPods, isReady, waitForValue } from '../e2e/support/cluster.js';
import { viaActivator, ACTIVATOR } from '../e2e/support/activator.js';
import { waitServicesReady, withNamespace } from './namespace.js';
import { percentile } from './stats.js';

const say = (line: string): void => console.error(`bench: ${line}`);

function ksvc(ns: string, name: string, initialScale: number): string {
  return JSON.stringify({
    apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name, namespace: ns },
    spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/initial-scale': String(initialScale) } }, spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go' }] } } },
  });
}

/** N revisions at zero pods, each woken by one request in turn: time to the first byte of the answer. */
async function cold(n = 20): Promise<void> {
  await kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', '{"data":{"allow-zero-initial-scale":"true"}}']);
  await new Promise((r) => setTimeout(r, 2000));
  try {
    await withNamespace('bench-cold', async (ns) => {
      for (let i = 0; i < n; i++) await kubectl(['apply', '-f', '-'], ksvc(ns, `cold-${i}`, 0));
      await waitServicesReady(ns, n);
      const ms: number[] = [];
      for (let i = 0; i < n; i++) {
        const a = await viaActivator(`cold-${i}.${ns}.localhost`);
        if (a.status !== 200) throw new Error(`cold-${i}: HTTP ${a.status}: ${a.body}`);
        ms.push(a.ms);
      }
      console.log(JSON.stringify({ bench: 'cold-start-deployment-path', coldStarts: n, p50Ms: Math.round(percentile(ms, 50)), p95Ms: Math.round(percentile(ms, 95)), minMs: Math.round(Math.min(...ms)), maxMs: Math.round(Math.max(...ms)) }));
    });
  } finally {
    await kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', '{"data":{"allow-zero-initial-scale":null}}']);
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out}`))));
  });
}

/** wrk's summary: requests/s and latency percentiles (ms). */
function parseWrk(out: string): { rps: number; p50Ms: number; p99Ms: number } {
  const unit = (v: string, u: string): number => Number(v) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[u]!;
  const pct = (p: string): number => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) throw new Error(`wrk output has no ${p}% latency:\n${out}`);
    return unit(m[1]!, m[2]!);
  };
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rps) throw new Error(`wrk output has no Requests/sec:\n${out}`);
  return { rps: Number(rps[1]), p50Ms: pct('50'), p99Ms: pct('99') };
}

/** The same loads (wrk, 16 connections and 1, 10 s each) on one warm pod: directly, through the activator, through nginx. */
async function warm(): Promise<void> {
  await ensureDebianPackages(['wrk', 'nginx-light'], say);
  await withNamespace('bench-warm', async (ns) => {
    await kubectl(['apply', '-f', '-'], ksvc(ns, 'warm', 1));
    await waitServicesReady(ns, 1);
    const pod = await waitForValue('a ready pod', async () => (await listPods(ns)).find(isReady));
    const podUrl = `http://${pod.status?.podIP}:8080/`;
    const host = `warm.${ns}.localhost`;
    const dir = await mkdtemp(join(tmpdir(), 'kzero-nginx-'));
    const conf = join(dir, 'nginx.conf');
    await writeFile(conf, `worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
http { access_log off; upstream pod { server ${pod.status?.podIP}:8080; keepalive 64; }
  server { listen 127.0.0.1:18080; location / { proxy_pass http://pod; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
`);
    const nginx = spawn('nginx', ['-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' });
    await waitForValue('nginx', async () => ((await fetch('http://127.0.0.1:18080/')).status === 200 ? true : undefined), 10_000, 100);
    const wrk = (url: string, connections: number, hostHeader?: string): Promise<string> =>
      run('wrk', ['-t', '1', '-c', String(connections), '-d', '10s', '--latency', ...(hostHeader ? ['-H', `Host: ${hostHeader}`] : []), url]);
    const paths = [['direct', podUrl, undefined], ['activator', `${ACTIVATOR}/`, host], ['nginx', 'http://127.0.0.1:18080/', undefined]] as const;
    try {
      // Two loads: 16 connections saturate the machine (throughput; latency there is mostly queueing), one
      // connection does not (what a hop adds to a request). Each path is measured in turn, twice, and the
      // better run of each kept.
      for (const connections of [16, 1]) {
        const results: Record<string, { rps: number; p50Ms: number; p99Ms: number }> = {};
        for (let round = 0; round < 2; round++) {
          for (const [name, url, h] of paths) {
            const r = parseWrk(await wrk(url, connections, h));
            if (!results[name] || r.rps > results[name]!.rps) results[name] = r;
          }
        }
        const d = results.direct!;
        const a = results.activator!;
        const x = results.nginx!;
        console.log(JSON.stringify({
          bench: 'warm-path', connections, seconds: 10, results,
          activatorAddedP50Ms: +(a.p50Ms - d.p50Ms).toFixed(3), nginxAddedP50Ms: +(x.p50Ms - d.p50Ms).toFixed(3),
          activatorAddedP99Ms: +(a.p99Ms - d.p99Ms).toFixed(3), nginxAddedP99Ms: +(x.p99Ms - d.p99Ms).toFixed(3),
          activatorThroughputVsNginx: +(a.rps / x.rps).toFixed(2),
        }));
      }
    } finally {
      nginx.kill('SIGTERM');
    }
  });
}

async function main(): Promise<void> {
  const parts = process.argv.slice(2);
  const want = (p: string): boolean => parts.length === 0 || parts.includes(p);
  if (want('cold')) await cold();
  if (want('warm')) await warm();
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
