// Runs a compiled sample app as a real process (as the process node does), for the apps' tests.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

const READY_DEADLINE_MS = 5_000;

/** A port that was free a moment ago: the OS picks it, we release it for the app. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      if (typeof address !== 'object' || address === null) return reject(new Error('no port from listen(0)'));
      srv.close(() => resolve(address.port));
    });
  });
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface App {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
}

/** Starts `script` with $PORT free and resolves once it listens there and on `alsoListening`. */
export async function start(script: string, env: Record<string, string> = {}, alsoListening: number[] = []): Promise<App> {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    }),
  );
  for (const p of [port, ...alsoListening]) {
    if (!(await listening(p, () => done))) {
      child.kill('SIGKILL');
      throw new Error(`${script} not listening on ${p} (exited: ${done}); stderr: ${err}`);
    }
  }
  return { child, port, exited, stdout: () => out };
}

/** Whether something listens on `port` within the deadline (false at once when `gone` says the app exited). */
async function listening(port: number, gone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (!(await tryConnect(port))) {
    if (gone() || Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20)); // pace the retries, not a readiness guess
  }
  return true;
}
