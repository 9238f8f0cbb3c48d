import { createServer, type Server } from 'node:http';
import { bearerMatches } from '../lib/bearer-tokens.js';
import type { Logger } from '../lib/log.js';

export interface StatMessage {
  namespace: string;
  revision: string;
  concurrency: number;
  requests: number;
}

export interface AutoscalerApi {
  stats(stats: StatMessage[]): void;
  /** Scales a revision at zero up at once; the pods it claimed from a pool are served at once too. */
  poke(namespace: string, revision: string): Promise<{ pods: Array<{ name: string; ip: string }> }>;
}

const MAX_BODY = 1024 * 1024;

/**
 * The autoscaler's internal endpoints: POST /stats and /poke from activators, authenticated by any one of
 * `tokens` (lib/bearer-tokens.ts: more than one while a token is rotated).
 */
export function autoscalerServer(api: AutoscalerApi, tokens: readonly string[], log: Logger): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return void res.writeHead(200).end('ok\n');
    if (req.method !== 'POST' || (path !== '/stats' && path !== '/poke')) return void res.writeHead(404).end('not found\n');
    if (!bearerMatches(req.headers.authorization, tokens)) return void res.writeHead(401).end('unauthorized\n');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: { stats?: StatMessage[]; namespace?: string; revision?: string };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
      } catch {
        return void res.writeHead(400).end('invalid JSON\n');
      }
      // null, numbers, strings: not an object; the checks below then say what was wanted.
      if (body === null || typeof body !== 'object') body = {};
      if (path === '/stats') {
        if (!Array.isArray(body.stats)) return void res.writeHead(400).end('want {"stats": [...]}\n');
        api.stats(body.stats);
        return void res.writeHead(204).end();
      }
      if (!body.namespace || !body.revision) return void res.writeHead(400).end('want {"namespace", "revision"}\n');
      api.poke(body.namespace, body.revision).then(
        (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
        (err: unknown) => {
          log.warn('autoscaler: poke failed', { revision: `${body.namespace}/${body.revision}`, error: err });
          res.writeHead(500).end(`${(err as Error).message}\n`);
        },
      );
    });
  });
}
