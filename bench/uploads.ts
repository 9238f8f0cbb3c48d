// Memory under a burst of uploads to a cold revision, against the local cluster (`kzero up` first), as root:
//   npm run bench:uploads [-- N [MiB]]     (default 1,000 uploads of 1 MiB, each on its own connection)
// A Service scaled to zero; N concurrent POSTs through the activator (127.0.0.1:8080) while its revision
// starts; the activator's RSS sampled from /proc before, at its peak (VmHWM, reset first) and after.
// Goal: growth within --max-pending-body-bytes plus 50 MiB, every request answered (200, or 503 past it).
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { status } from '../local/controlplane/cluster.js';
import { config, kubectl } from '../e2e/support/cluster.js';
import { waitServicesReady, withNamespace } from './namespace.js';

const ACTIVATOR_PORT = Number(process.env.KZERO_ACTIVATOR_PORT || 8080);
const ADMIN = 'http://127.0.0.1:9091/metrics';
/** A request not answered within this counts as unanswered. */
const DEADLINE_MS = 120_000;
const MiB = 1024 * 1024;

type Outcome = { status: number } | { error: string };

/** One upload on a connection of its own: the status line of the answer, or what went wrong. */
function upload(host: string, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: ACTIVATOR_PORT });
    let head = '';
    let settled = false;
    const done = (o: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(o);
    };
    const timer = setTimeout(() => done({ error: 'unanswered' }), DEADLINE_MS);
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      head += d;
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      if (m) done({ status: Number(m[1]) });
      else if (head.length > 64) done({ error: `not HTTP: ${JSON.stringify(head.slice(0, 40))}` });
    });
    s.on('error', (err: NodeJS.ErrnoException) => done({ error: err.code ?? err.message }));
    s.on('close', () => done({ error: 'closed without an answer' }));
    s.write(`POST /upload HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`);
    s.write(body);
  });
}

async function rssKiB(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!m) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(m[1]);
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(ADMIN)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${ADMIN} has no ${name}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 1000);
  const bodyMiB = Number(process.argv[3] ?? 1);
  const activator = (await status(config)).find((c) => c.name === 'kzero-activator');
  if (!activator?.pid) throw new Error('the activator is not running: `kzero up` first');
  const pid = activator.pid;
  await kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', '{"data":{"allow-zero-initial-scale":"true"}}']);
  await new Promise((r) => setTimeout(r, 2000));
  try {
    await withNamespace('bench-uploads', async (ns) => {
      await kubectl(['apply', '-f', '-'], JSON.stringify({
        apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'uploads', namespace: ns },
        spec: { template: { metadata: { annotations: { 'autoscaling.knative.dev/initial-scale': '0' } }, spec: { containers: [{ image: 'ghcr.io/knative/helloworld-go' }] } } },
      }));
      await waitServicesReady(ns, 1);
      const budget = await metric('kzero_activator_held_request_bytes_limit');
      const body = Buffer.alloc(bodyMiB * MiB, 0x78);
      const before = await rssKiB(pid, 'VmRSS');
      await writeFile(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
      let sampledPeak = before;
      let heldPeak = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          sampledPeak = Math.max(sampledPeak, await rssKiB(pid, 'VmRSS'));
          heldPeak = Math.max(heldPeak, await metric('kzero_activator_held_request_bytes').catch(() => 0));
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const t0 = performance.now();
      const outcomes = await Promise.all(Array.from({ length: n }, () => upload(`uploads.${ns}.localhost`, body)));
      const ms = Math.round(performance.now() - t0);
      sampling = false;
      await sampler;
      const peak = Math.max(sampledPeak, await rssKiB(pid, 'VmHWM'));
      await new Promise((r) => setTimeout(r, 5000));
      const after = await rssKiB(pid, 'VmRSS');
      const answered: Record<string, number> = {};
      const failed: Record<string, number> = {};
      for (const o of outcomes) {
        if ('status' in o) answered[o.status] = (answered[o.status] ?? 0) + 1;
        else failed[o.error] = (failed[o.error] ?? 0) + 1;
      }
      const mib = (kib: number): number => +(kib / 1024).toFixed(1);
      console.log(JSON.stringify({
        bench: 'cold-uploads', requests: n, bodyMiB, ms, answered, failed, unanswered: failed.unanswered ?? 0,
        rssBeforeMiB: mib(before), rssPeakMiB: mib(peak), rssAfterMiB: mib(after), rssGrowthMiB: mib(peak - before),
        budgetMiB: +(budget / MiB).toFixed(1), heldPeakMiB: +(heldPeak / MiB).toFixed(1),
        withinGoal: peak - before <= budget / 1024 + 50 * 1024 && Object.keys(failed).length === 0,
      }));
    });
  } finally {
    await kubectl(['patch', 'configmap', 'config-autoscaler', '-n', 'kzero-system', '--type=merge', '-p', '{"data":{"allow-zero-initial-scale":null}}']);
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
