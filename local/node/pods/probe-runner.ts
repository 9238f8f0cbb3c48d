import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { ProbeAction } from './probes.js';
import { signalGroup, type Sandbox } from './sandbox.js';

/** Runs one probe against a container; resolves true on success. Never rejects: an error is a failure. */
export function runProbe(action: ProbeAction, ctx: { sandbox: Sandbox; port: (p: number | string) => number; env: Record<string, string>; cwd: string }, timeoutMs: number): Promise<boolean> {
  switch (action.type) {
    case 'http':
      return httpProbe(action, ctx.sandbox.podIp, ctx.port(action.port), timeoutMs);
    case 'tcp':
      return tcpProbe(action.host ?? ctx.sandbox.podIp, ctx.port(action.port), timeoutMs);
    case 'exec':
      return execProbe(ctx.sandbox, action.command, ctx.env, ctx.cwd, timeoutMs);
  }
}

function httpProbe(action: Extract<ProbeAction, { type: 'http' }>, podIp: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const send = action.scheme === 'HTTPS' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.20', Accept: '*/*' };
    for (const h of action.headers) headers[h.name] = h.value;
    const req = send({ host: action.host ?? podIp, port, path: action.path, method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

function execProbe(sandbox: Sandbox, command: string[], env: Record<string, string>, cwd: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const child = sandbox.spawn(command, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.resume();
    child.stderr?.resume();
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), timeoutMs);
    child.once('error', () => (clearTimeout(timer), resolve(false)));
    child.once('exit', (code) => (clearTimeout(timer), resolve(code === 0)));
  });
}
