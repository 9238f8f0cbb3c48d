// Test helpers: an HTTP server for code packages and a runtime process spawned from dist/runtime/main.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '../../lib/errors.js';

export interface PackageServer {
  url(name: string): string;
  sha256(name: string): string;
  close(): Promise<void>;
}

/** Serves `packages` at /<name>; anything else is 404. */
export async function startPackageServer(packages: Record<string, Buffer>): Promise<PackageServer> {
  const server = createServer((req, res) => {
    const data = packages[(req.url ?? '/').slice(1)];
    if (data === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/gzip' }).end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (name) => `${base}/${name}`,
    sha256: (name) => createHash('sha256').update(packages[name] ?? '').digest('hex'),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export interface RuntimeProcess {
  readonly child: ChildProcess;
  readonly logs: Array<Record<string, unknown>>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
  /** Resolves with the first log line matching, waiting up to 5 s. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

/** Spawns the runtime with only `env` (plus PATH), ports 0 unless given. */
export function spawnRuntime(env: Record<string, string>): RuntimeProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: '0', KZERO_ADMIN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let rest = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  return {
    child,
    logs,
    exit,
    waitForLog: (match) => waitFor('runtime log line', () => logs.find(match), { timeoutMs: 5000, intervalMs: 5 }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exit;
    },
  };
}

/** The base URLs of a runtime's admin and serving servers, from its "listening" log lines. */
export async function runtimeUrls(rt: RuntimeProcess): Promise<{ admin: string; serving: string }> {
  const port = async (what: string): Promise<unknown> => (await rt.waitForLog((l) => l.msg === `${what} listening`)).port;
  return { admin: `http://127.0.0.1:${await port('admin')}`, serving: `http://127.0.0.1:${await port('serving')}` };
}
