import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RevisionTarget, RouteEntry } from '../routing/table.js';
import type { RevisionState } from '../revisions.js';

/** One request on its way through the handler chain. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  host: string;
  startedAt: number;
  route?: RouteEntry;
  target?: RevisionTarget;
  revision?: RevisionState;
  /** How the request reached a pod: warm, or after a cold start. */
  path?: 'warm' | 'cold';
}

export type Handler = (ctx: RequestContext) => Promise<void>;
export type Middleware = (next: Handler) => Handler;
