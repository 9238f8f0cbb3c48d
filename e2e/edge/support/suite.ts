import { request } from 'undici';
import type { RecordedEvent, RecordSnapshot } from '../../../local/images/apps/recorder-log.js';
import { viaActivator } from '../../support/activator.js';
import { isReady, kubectl, listPods, testNamespace, waitForValue } from '../../support/cluster.js';
import { getService, waitForReady } from '../../support/serving.js';
import type { Hosts } from './expect.js';

// The edge suite's targets, deployed once for all its files: a recorder Service in namespace A (no
// concurrency limit) and one in namespace B (containerConcurrency 1, to see pod slots held or released),
// each pinned to one pod (min-scale = max-scale = 1) so no case waits for a cold start and every request
// lands where the record is read. The namespaces go in a root-level after hook, once every file has run.

export const RECORDER_IMAGE = 'kzero.dev/testing/recorder';
/** The recorder serves its record on $PORT + 1. */
const RECORD_PORT = 8081;
/** How long after a case the record is read: what a misbehaving edge forwards late arrives within milliseconds. */
const SETTLE_MS = 100;

export interface Recorder {
  ns: string;
  /** The Service's host, as routed by the activator. */
  host: string;
  podIp: string;
}

export interface Edge {
  a: Recorder;
  b: Recorder;
  hosts: Hosts;
}

const recorderService = (ns: string, containerConcurrency: number): string => JSON.stringify({
  apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { name: 'rec', namespace: ns },
  spec: {
    template: {
      metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '1', 'autoscaling.knative.dev/max-scale': '1' } },
      spec: { containerConcurrency, containers: [{ image: RECORDER_IMAGE }] },
    },
  },
});

async function record(rec: Recorder, method: 'GET' | 'DELETE'): Promise<RecordSnapshot> {
  const res = await request(`http://${rec.podIp}:${RECORD_PORT}/record`, { method, headersTimeout: 5000, bodyTimeout: 5000 });
  const body = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`record of the recorder in ${rec.ns} (${rec.podIp}): HTTP ${res.statusCode}: ${body}`);
  return JSON.parse(body) as RecordSnapshot;
}

/** Forgets what the recorder saw so far. */
export const clearRecord = async (rec: Recorder): Promise<void> => void (await record(rec, 'DELETE'));

/** What the recorder saw since it was last cleared, once late arrivals had their chance. */
export async function settledRecord(rec: Recorder): Promise<RecordedEvent[]> {
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const snap = await record(rec, 'GET');
  if (snap.dropped) throw new Error(`the recorder in ${rec.ns} dropped ${snap.dropped} events: its record is full`);
  return snap.events;
}

async function deployRecorder(prefix: string, containerConcurrency: number, cleanups: Array<() => Promise<void>>): Promise<Recorder> {
  const ns = await testNamespace(prefix);
  cleanups.push(ns.cleanup);
  await kubectl(['apply', '-f', '-'], recorderService(ns.name, containerConcurrency));
  const svc = await waitForReady(`Service rec in ${ns.name}`, () => getService(ns.name, 'rec'));
  const host = new URL(svc.status?.url ?? '').host;
  const pod = await waitForValue(`a Ready recorder pod in ${ns.name}`, async () => {
    const pods = await listPods(ns.name, 'serving.knative.dev/service=rec');
    return pods.find((p) => isReady(p) && p.status?.podIP && !p.metadata?.deletionTimestamp);
  });
  const rec: Recorder = { ns: ns.name, host, podIp: pod.status!.podIP! };
  // The activator serves it (its endpoints are known), and the record starts empty.
  await waitForValue(`${host} answering through the activator`, async () => ((await viaActivator(host)).status === 200 ? true : undefined));
  await clearRecord(rec);
  return rec;
}

const cleanups: Array<() => Promise<void>> = [];
let deployed: Promise<Edge> | undefined;

/** The suite's two recorders, deployed on first use. */
export function edge(): Promise<Edge> {
  deployed ??= Promise.all([deployRecorder('e2e-edge-a', 0, cleanups), deployRecorder('e2e-edge-b', 1, cleanups)]).then(([a, b]) => ({ a, b, hosts: { A: a.host, B: b.host } }));
  return deployed;
}

after(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
