import type { Handler, Middleware } from './context.js';

/** The handler chain, outermost first: each middleware wraps the rest. */
export function buildHandlerChain(middlewares: readonly Middleware[], last: Handler): Handler {
  return middlewares.reduceRight<Handler>((next, mw) => mw(next), last);
}
