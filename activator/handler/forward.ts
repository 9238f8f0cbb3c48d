import { request, type Agent, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { ActivatorError } from '../errors.js';
import type { RequestContext } from './context.js';

// The last hop: stream the request to a pod and its response back, with Knative's three timeouts.

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

/** Request headers for the pod: hop-by-hop ones dropped, X-Forwarded-* and Forwarded added. Pure. */
export function upstreamHeaders(headers: IncomingHttpHeaders, clientIp: string, host: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionTokens = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((t) => t.trim()).filter(Boolean));
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || connectionTokens.has(k)) continue;
    out[k] = v;
  }
  const xff = headers['x-forwarded-for'];
  out['x-forwarded-for'] = xff ? `${Array.isArray(xff) ? xff.join(', ') : xff}, ${clientIp}` : clientIp;
  out['x-forwarded-proto'] = headers['x-forwarded-proto'] ?? 'http';
  // RFC 7239: values that are not plain tokens (IPv6, host:port) are quoted strings.
  const quote = (v: string): string => (/^[A-Za-z0-9._-]+$/.test(v) ? v : `"${v}"`);
  const forwarded = `for=${clientIp.includes(':') ? `"[${clientIp}]"` : clientIp};host=${quote(host)};proto=http`;
  out.forwarded = headers.forwarded ? `${headers.forwarded}, ${forwarded}` : forwarded;
  return out;
}

export interface ForwardLimits {
  /** No response headers by then: 504. */
  responseStartMs: number;
  /** The whole exchange; past it the connection is cut. */
  totalMs: number;
  /** No bytes either way for this long: the connection is cut (0 = no limit). */
  idleMs: number;
}

export function forward(ctx: RequestContext, ip: string, port: number, agent: Agent, limits: ForwardLimits): Promise<void> {
  const { req, res } = ctx;
  return new Promise<void>((resolve, reject) => {
    const upstream = request({
      host: ip, port, method: req.method, path: req.url, agent,
      headers: upstreamHeaders(req.headers, req.socket.remoteAddress ?? '', ctx.host),
    });
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(startTimer);
      clearTimeout(totalTimer);
      if (err) reject(err);
      else resolve();
    };
    // One timer when the two limits coincide (the common case): timers are a visible cost per request.
    const startTimer = limits.responseStartMs < limits.totalMs ? setTimeout(() => {
      upstream.destroy();
      finish(new ActivatorError('RESPONSE_TIMEOUT', `revision "${ctx.revision?.name}" did not start responding within ${Math.round(limits.responseStartMs / 1000)}s`));
    }, limits.responseStartMs) : undefined;
    const totalTimer = setTimeout(() => {
      upstream.destroy();
      if (!res.headersSent) finish(new ActivatorError('RESPONSE_TIMEOUT', `revision "${ctx.revision?.name}" did not respond within ${Math.round(limits.totalMs / 1000)}s`));
      else {
        res.destroy();
        finish();
      }
    }, limits.totalMs);
    let idle: NodeJS.Timeout | undefined;
    const touch = (): void => {
      if (!limits.idleMs) return;
      clearTimeout(idle);
      idle = setTimeout(() => {
        upstream.destroy();
        res.destroy();
        finish();
      }, limits.idleMs);
    };
    upstream.on('response', (up) => {
      clearTimeout(startTimer);
      const headers: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
      res.writeHead(up.statusCode ?? 502, up.statusMessage, headers);
      up.on('data', touch);
      up.pipe(res);
      up.on('end', () => {
        clearTimeout(idle);
        finish();
      });
      up.on('error', (err) => finish(err));
    });
    upstream.on('error', (err) => {
      clearTimeout(idle);
      finish(settled || res.headersSent ? undefined : new ActivatorError('UPSTREAM', `revision "${ctx.revision?.name}" pod ${ip}: ${err.message}`));
      if (res.headersSent) res.destroy();
    });
    res.on('close', () => {
      // The client went away: stop the upstream exchange too.
      if (!res.writableFinished) upstream.destroy();
      clearTimeout(idle);
      finish();
    });
    // A request without a body (most GETs) needs no stream plumbing.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      upstream.end();
    } else {
      req.on('data', touch);
      req.pipe(upstream);
    }
    touch();
  });
}
