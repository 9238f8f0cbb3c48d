import { createServer, type Server } from 'node:http';
import { bearerMatches } from '../lib/bearer-tokens.js';
import { BodyTooLarge, readBody } from '../lib/http-server.js';
import type { Logger } from '../lib/log.js';
import { parsePoke, parseStats, type PokeAnswer, type RevisionStat } from '../api/kzero/v1alpha1/autoscaler-wire.js';

export interface AutoscalerApi {
  stats(stats: RevisionStat[]): void;
  /** Scales a revision at zero up at once; the pods it claimed from a pool are served at once too. */
  poke(namespace: string, revision: string): Promise<PokeAnswer>;
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
    readBody(req, MAX_BODY).then((raw) => {
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return void res.writeHead(400).end('invalid JSON\n');
      }
      if (path === '/stats') {
        const stats = parseStats(body);
        if (typeof stats === 'string') return void res.writeHead(400).end(`${stats}\n`);
        api.stats(stats);
        return void res.writeHead(204).end();
      }
      const poke = parsePoke(body);
      if (typeof poke === 'string') return void res.writeHead(400).end(`${poke}\n`);
      api.poke(poke.namespace, poke.revision).then(
        (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result)),
        (err: unknown) => {
          log.warn('autoscaler: poke failed', { revision: `${poke.namespace}/${poke.revision}`, error: err });
          res.writeHead(500).end(`${(err as Error).message}\n`);
        },
      );
    }, (err: unknown) => {
      if (err instanceof BodyTooLarge) res.writeHead(413, { connection: 'close' }).end(`${err.message}\n`);
      else req.destroy();
    });
  });
}
