// The warm runtime (image kzero.dev/runtime-node). Warm mode (KZERO_POOL set): Ready while waiting, loads a
// revision's code package on POST /specialize. Fallback mode: loads the package named by its env at start.
// This file only wires; see config.ts for the env, server.ts for the HTTP contract.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { messageOf } from '../lib/errors.js';
import { createLogger } from '../lib/log.js';
import { parseRuntimeConfig, type RuntimeConfig } from './config.js';
import { makeLoader } from './loader.js';
import { fetchPackage } from './package/fetch.js';
import { PackageSource } from './package/source.js';
import { prewarm } from './prewarm.js';
import { adminHandler, servingHandler } from './server.js';
import { Specializer } from './specialize.js';

// Kubernetes' default grace period is 30 s; stop well before the kubelet would SIGKILL.
const SHUTDOWN_DEADLINE_MS = 5_000;

/** One line to stderr and the termination log, then exit 1. */
function die(reason: string): never {
  const line = `kzero runtime: ${reason.replace(/\s*\n\s*/g, ' ')}`;
  process.stderr.write(line + '\n');
  // Only into a termination log the kubelet made (flag r+: never create one, e.g. on a host's /dev).
  try {
    writeFileSync('/dev/termination-log', line + '\n', { flag: 'r+' });
  } catch {
    // not in a container, or not writable: stderr is enough (FallbackToLogsOnError reads it)
  }
  process.exit(1);
}

let config: RuntimeConfig;
try {
  config = parseRuntimeConfig(process.env, tmpdir());
} catch (err) {
  die(messageOf(err));
}
const mode = config.mode;
const log = createLogger('runtime', { level: config.logLevel }).with(mode.kind === 'warm' ? { pool: `${mode.pool.namespace}/${mode.pool.name}`, pod: mode.pod } : {});
const source = new PackageSource(
  (url) => fetchPackage(url, { maxBytes: config.limits.maxBytes, timeoutMs: config.fetchTimeoutMs }),
  config.codeCacheDir,
);
const specializer = new Specializer(makeLoader({ config, env: process.env, log, source }), log);

function listen(server: Server, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      const bound = (server.address() as AddressInfo).port;
      log.info(`${what} listening`, { port: bound, mode: mode.kind });
      resolve(bound);
    });
  });
}

// A warm pod is Ready (claimable) only once its first-use compilation is done: a claim must not pay for it.
let warmedUp = mode.kind !== 'warm';
// The app later runs in this process and can read all of its memory and env: warm mode holds public keys only.
const auth = mode.kind === 'warm' ? { pool: mode.pool, pod: mode.pod, keys: mode.keys, now: Date.now } : undefined;
const admin = createServer(adminHandler({ specializer, auth, log, warmedUp: () => warmedUp }));
const serving = createServer(servingHandler({ specializer, holdMs: config.holdMs, log }));

async function start(): Promise<void> {
  await listen(admin, config.adminPort, 'admin');
  if (mode.kind === 'warm') {
    process.env.PORT = String(await listen(serving, config.port, 'serving'));
    if (!(await prewarm(config))) log.warn('the warm-up rehearsal did not run through: the first claim pays for first-use compilation');
    warmedUp = true;
    return;
  }
  // Fallback: listen only once the app is loaded, so that a probe on the serving port means ready.
  process.env.PORT = String(config.port);
  const revision = `${process.env.K_REVISION ?? 'unknown'}`;
  const outcome = await specializer.specialize({ revision, code: mode.code, env: {} });
  if (outcome.status !== 200) die(String(outcome.body.error));
  const bound = await listen(serving, config.port, 'serving');
  process.env.PORT = String(bound);
}

start().catch((err: unknown) => die(messageOf(err)));

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  log.info('stopping', { signal });
  let open = 2;
  const closed = (): void => void (--open === 0 && process.exit(0));
  for (const server of [serving, admin]) {
    if (!server.listening) closed();
    else server.close(closed);
    server.closeIdleConnections();
  }
  setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
