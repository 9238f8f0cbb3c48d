import type { V1Probe } from '@kubernetes/client-node';

// Probe bookkeeping (pure): defaults, thresholds and when the next probe is due, as the kubelet does it.

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export type ProbeAction =
  | { type: 'http'; port: number | string; path: string; host?: string; scheme: 'HTTP' | 'HTTPS'; headers: Array<{ name: string; value: string }> }
  | { type: 'tcp'; port: number | string; host?: string }
  | { type: 'exec'; command: string[] };

export interface ProbeSpec {
  kind: ProbeKind;
  action: ProbeAction;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

export type ProbeResult = 'unknown' | 'success' | 'failure';

export interface ProbeTally {
  result: ProbeResult;
  successes: number;
  failures: number;
  lastRunAt?: number;
}

export function probeSpec(kind: ProbeKind, probe: V1Probe, objectRef: string): ProbeSpec {
  return {
    kind,
    action: probeAction(probe, `${objectRef} ${kind}Probe`),
    initialDelayMs: (probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, probe.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, probe.timeoutSeconds ?? 1) * 1000,
    // Liveness and startup probes must have successThreshold 1 (API validation enforces it too).
    successThreshold: kind === 'readiness' ? Math.max(1, probe.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, probe.failureThreshold ?? 3),
  };
}

function probeAction(probe: V1Probe, where: string): ProbeAction {
  if (probe.httpGet) {
    const scheme = (probe.httpGet.scheme ?? 'HTTP').toUpperCase();
    return {
      type: 'http',
      port: probe.httpGet.port,
      path: probe.httpGet.path || '/',
      scheme: scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      headers: (probe.httpGet.httpHeaders ?? []).map((h) => ({ name: h.name, value: h.value })),
      ...(probe.httpGet.host ? { host: probe.httpGet.host } : {}),
    };
  }
  if (probe.tcpSocket) return { type: 'tcp', port: probe.tcpSocket.port, ...(probe.tcpSocket.host ? { host: probe.tcpSocket.host } : {}) };
  if (probe.exec?.command?.length) return { type: 'exec', command: probe.exec.command };
  throw new Error(`${where}: needs one of httpGet, tcpSocket or exec`);
}

/** The state before any probe ran: liveness counts as passing (as in the kubelet), the others as not yet. */
export function initialTally(kind: ProbeKind): ProbeTally {
  return { result: kind === 'liveness' ? 'success' : 'unknown', successes: 0, failures: 0 };
}

/** Applies one probe outcome; the result flips only after successThreshold/failureThreshold in a row. */
export function recordProbe(spec: ProbeSpec, tally: ProbeTally, ok: boolean, now: number): ProbeTally {
  const successes = ok ? tally.successes + 1 : 0;
  const failures = ok ? 0 : tally.failures + 1;
  let result = tally.result;
  if (ok && successes >= spec.successThreshold) result = 'success';
  if (!ok && failures >= spec.failureThreshold) result = 'failure';
  return { result, successes, failures, lastRunAt: now };
}

/** When the next probe is due for a container that started at `startedAt`. */
export function nextProbeAt(spec: ProbeSpec, tally: ProbeTally, startedAt: number): number {
  if (tally.lastRunAt === undefined) return startedAt + spec.initialDelayMs;
  return tally.lastRunAt + spec.periodMs;
}

/** Resolves a named or numeric probe port against the container's ports. */
export function resolvePort(port: number | string, containerPorts: ReadonlyArray<{ name?: string; containerPort: number }>, where: string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = containerPorts.find((p) => p.name === port);
  if (!named) throw new Error(`${where}: no container port named ${JSON.stringify(port)}`);
  return named.containerPort;
}
