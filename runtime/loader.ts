// The specialization pipeline: fetch -> verify -> unpack -> extract -> set env -> import, timed by stage.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import type { Logger } from '../lib/log.js';
import { loadHandler, type Handler } from './app.js';
import type { RuntimeConfig } from './config.js';
import { extractEntries } from './package/extract.js';
import { redact } from './package/fetch.js';
import type { PackageSource } from './package/source.js';
import { packageLayout } from './package/layout.js';
import { gunzipPackage, parseTar } from './package/tar.js';
import type { SpecializeRequest } from '../api/kzero/v1alpha1/specialize.js';

export interface Timings {
  readonly fetchMs: number;
  readonly extractMs: number;
  readonly loadMs: number;
  readonly totalMs: number;
}

export interface Loaded {
  readonly handler: Handler;
  readonly timings: Timings;
}

export type Loader = (req: SpecializeRequest) => Promise<Loaded>;

export interface LoaderDeps {
  readonly config: Pick<RuntimeConfig, 'codeDir' | 'limits'>;
  readonly env: Record<string, string | undefined>;
  readonly log: Logger;
  readonly source: PackageSource;
  readonly now?: () => number;
}

export function makeLoader({ config, env, log, source, now = () => performance.now() }: LoaderDeps): Loader {
  return async (req) => {
    const t0 = now();
    const gz = await source.get(req.code.url, req.code.sha256);
    const t1 = now();
    const entries = parseTar(await gunzipPackage(gz, config.limits.maxUnpackedBytes), config.limits);
    const layout = packageLayout(entries);
    const dir = await extractEntries(entries, config.codeDir);
    const t2 = now();
    applyEnv(req.env, env, log);
    const handler = await loadHandler(path.join(dir, layout.entry), layout.entry);
    const t3 = now();
    const ms = (a: number, b: number): number => Math.round((b - a) * 100) / 100;
    const timings = { fetchMs: ms(t0, t1), extractMs: ms(t1, t2), loadMs: ms(t2, t3), totalMs: ms(t0, t3) };
    log.info('code package loaded', { revision: req.revision, url: redact(req.code.url), bytes: gz.length, entries: entries.length, dir, entry: layout.entry, ...timings });
    return { handler, timings };
  };
}

/** Sets the revision's env; PORT stays the runtime's, which is the port the app is served on. */
export function applyEnv(vars: Readonly<Record<string, string>>, env: Record<string, string | undefined>, log: Logger): void {
  for (const [name, value] of Object.entries(vars)) {
    if (name === 'PORT') {
      if (value !== env.PORT) log.warn('ignoring PORT from the revision env: the runtime owns the serving port', { want: value, port: env.PORT });
      continue;
    }
    env[name] = value;
  }
}
