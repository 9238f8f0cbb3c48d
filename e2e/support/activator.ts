import { Agent, request } from 'undici';

// Requests through the local activator (127.0.0.1:8080), with the Host header naming the Route.

export const ACTIVATOR = `http://127.0.0.1:${process.env.KZERO_ACTIVATOR_PORT || 8080}`;
const agent = new Agent({ connections: 1024, headersTimeout: 120_000, bodyTimeout: 120_000 });

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  ms: number;
}

export async function viaActivator(host: string, path = '/'): Promise<Answer> {
  const t0 = performance.now();
  const res = await request(`${ACTIVATOR}${path}`, { headers: { host }, dispatcher: agent });
  const body = await res.body.text();
  return { status: res.statusCode, body, headers: res.headers, ms: performance.now() - t0 };
}
