import { Agent, request } from 'undici';

// Requests through the local activator, with the Host header naming the Route: its public listener
// (127.0.0.1:8080), or its cluster-local one (127.0.0.1:8081), which also serves cluster-local Routes and names.

export const ACTIVATOR = `http://127.0.0.1:${process.env.KZERO_ACTIVATOR_PORT || 8080}`;
export const ACTIVATOR_LOCAL = `http://127.0.0.1:${process.env.KZERO_ACTIVATOR_LOCAL_PORT || 8081}`;
const agent = new Agent({ connections: 1024, headersTimeout: 120_000, bodyTimeout: 120_000 });

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

export async function viaActivator(host: string, path = '/', listener = ACTIVATOR): Promise<Answer> {
  const t0 = performance.now();
  const res = await request(`${listener}${path}`, { headers: { host }, dispatcher: agent });
  const body = await res.body.text();
  return { status: res.statusCode, body, headers: res.headers, ms: performance.now() - t0 };
}
