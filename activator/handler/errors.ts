import type { Logger } from '../../lib/log.js';
import { ActivatorError } from '../errors.js';
import type { Middleware } from './context.js';

/** Maps errors to responses in one place: status from the catalogue, a plain message, a stable code. */
export function errorMiddleware(log: Logger): Middleware {
  return (next) => async (ctx) => {
    try {
      await next(ctx);
    } catch (err) {
      const e = err instanceof ActivatorError ? err : new ActivatorError('UPSTREAM', (err as Error).message);
      if (e.status >= 500) log.warn('activator: request failed', { host: ctx.host, revision: ctx.revision?.key, code: e.code, error: e.message });
      if (ctx.res.headersSent) {
        ctx.res.destroy();
        return;
      }
      ctx.res.writeHead(e.status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Kzero-Error': e.code, Connection: 'close' });
      ctx.res.end(e.message + '\n');
    }
  };
}
