// Loading the app's module and calling its handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../lib/errors.js';
import type { Logger } from '../lib/log.js';
import { PackageError } from './errors.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Imports `file` and returns its request listener: the default export (ESM default or CommonJS
 * module.exports), else a named export `handler`. A module that fails to load is a bad package.
 */
export async function loadHandler(file: string, relName: string): Promise<Handler> {
  let mod: Record<string, unknown>;
  try {
    mod = requireOrImport(file);
  } catch {
    // ESM (or something require() cannot take): the module loader, a few ms slower.
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      throw new PackageError(`loading entry point ${relName} failed: ${messageOf(err)}`);
    }
  }
  const def = mod.default;
  if (typeof def === 'function') return def as Handler;
  if (typeof mod.handler === 'function') return mod.handler as Handler;
  const cjsHandler = (def as { handler?: unknown } | null | undefined)?.handler;
  if (typeof cjsHandler === 'function') return cjsHandler as Handler;
  throw new PackageError(`entry point ${relName} does not export a function: want a default export or a named export "handler" of type (req, res) => void`);
}

/** CommonJS through require(): synchronous, and no module-loader round trips on the cold-start path. */
function requireOrImport(file: string): Record<string, unknown> {
  const exported: unknown = createRequire(file)(file);
  // A CommonJS module's exports play the part of the ESM default export.
  return typeof exported === 'function' ? { default: exported } : { default: exported, ...(exported as Record<string, unknown>) };
}

/** Calls the app; a throw or rejection answers 500 (if nothing was sent yet) and the process keeps serving. */
export function invoke(handler: Handler, req: IncomingMessage, res: ServerResponse, log: Logger): void {
  Promise.resolve()
    .then(() => handler(req, res))
    .catch((err: unknown) => {
      log.error('app handler failed', { method: req.method, url: req.url, error: messageOf(err) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('internal server error\n');
      else res.end();
    });
}
