/**
 * What the sample apps share: listen on $PORT like a Knative container, log
 * readiness as one JSON line, and shut down cleanly on SIGTERM so the
 * process node sees exit code 0 when it stops a pod.
 */
import http from 'node:http';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

const DEFAULT_PORT = 8080;
// Kubernetes' default grace period is 30 s; stop well before the kubelet would SIGKILL.
const SHUTDOWN_DEADLINE_MS = 5_000;

/** The port in $`variable` (default `fallback`); throws naming the app and the variable if it is not one. */
export function portFromEnv(app: string, variable = 'PORT', fallback = DEFAULT_PORT): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port > 65535) {
    throw new Error(`${app}: ${variable} must be an integer 0-65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

/** Logs `err` as the app's one JSON line and exits 1: for errors in its configuration at start. */
export function exitWith(err: unknown): never {
  console.error(JSON.stringify({ msg: err instanceof Error ? err.message : String(err) }));
  process.exit(1);
}

/** Starts `handler` on $PORT (default 8080) on all interfaces; exits the process on SIGTERM/SIGINT. */
export function serve(app: string, handler: Handler): http.Server {
  let port: number;
  try {
    port = portFromEnv(app);
  } catch (err) {
    exitWith(err);
  }
  const server = http.createServer((req, res) => {
    // A failing handler answers 500 instead of crashing the whole process. It runs at once, not in a
    // microtask: an app that records what its parser sees must see the request before a parse error after it.
    const failed = (err: unknown): void => {
      const message = err instanceof Error ? err.message : String(err);
      console.error(JSON.stringify({ msg: `${app}: request failed`, url: req.url, error: message }));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Internal error: ${message}\n`);
    };
    try {
      handler(req, res)?.catch(failed);
    } catch (err) {
      failed(err);
    }
  });

  server.on('error', (err) => {
    console.error(JSON.stringify({ msg: `${app}: server error`, error: err.message }));
    process.exit(1);
  });
  server.listen(port, '0.0.0.0', () => {
    const address = server.address();
    // Log the bound port, which differs from $PORT when that is 0.
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    console.log(JSON.stringify({ msg: `${app}: listening`, port: bound }));
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ msg: `${app}: stopping`, signal }));
    // close() waits for open connections; idle keep-alive ones would hold it forever.
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

/** Writes a plain-text response. */
export function reply(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}
