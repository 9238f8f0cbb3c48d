import { expect } from 'chai';
import type { V1Probe } from '@kubernetes/client-node';
import { initialTally, nextProbeAt, probeSpec, recordProbe, resolvePort, type ProbeKind, type ProbeSpec, type ProbeTally } from './probes.js';

const httpProbe: V1Probe = { httpGet: { port: 8080 } };

describe('probes', () => {
  describe('probeSpec', () => {
    const cases: Array<{ name: string; kind: ProbeKind; probe: V1Probe; want: ProbeSpec }> = [
      {
        name: 'readiness defaults',
        kind: 'readiness',
        probe: httpProbe,
        want: {
          kind: 'readiness',
          action: { type: 'http', port: 8080, path: '/', scheme: 'HTTP', headers: [] },
          initialDelayMs: 0,
          periodMs: 10_000,
          timeoutMs: 1_000,
          successThreshold: 1,
          failureThreshold: 3,
        },
      },
      {
        name: 'readiness with every field set',
        kind: 'readiness',
        probe: {
          httpGet: { port: 'http', path: '/healthz', host: '10.0.0.1', scheme: 'https', httpHeaders: [{ name: 'X-A', value: 'b' }] },
          initialDelaySeconds: 5,
          periodSeconds: 2,
          timeoutSeconds: 3,
          successThreshold: 2,
          failureThreshold: 4,
        },
        want: {
          kind: 'readiness',
          action: { type: 'http', port: 'http', path: '/healthz', host: '10.0.0.1', scheme: 'HTTPS', headers: [{ name: 'X-A', value: 'b' }] },
          initialDelayMs: 5_000,
          periodMs: 2_000,
          timeoutMs: 3_000,
          successThreshold: 2,
          failureThreshold: 4,
        },
      },
      {
        name: 'liveness forces successThreshold 1',
        kind: 'liveness',
        probe: { tcpSocket: { port: 9000 }, successThreshold: 5 },
        want: { kind: 'liveness', action: { type: 'tcp', port: 9000 }, initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 },
      },
      {
        name: 'startup forces successThreshold 1',
        kind: 'startup',
        probe: { exec: { command: ['cat', '/tmp/ok'] }, successThreshold: 3, failureThreshold: 30 },
        want: { kind: 'startup', action: { type: 'exec', command: ['cat', '/tmp/ok'] }, initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 30 },
      },
      {
        name: 'zero period/timeout/thresholds are raised to the minimum of 1',
        kind: 'readiness',
        probe: { tcpSocket: { port: 1, host: 'h' }, periodSeconds: 0, timeoutSeconds: 0, successThreshold: 0, failureThreshold: 0 },
        want: { kind: 'readiness', action: { type: 'tcp', port: 1, host: 'h' }, initialDelayMs: 0, periodMs: 1_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 1 },
      },
      {
        name: 'unknown scheme falls back to HTTP, empty path to /',
        kind: 'readiness',
        probe: { httpGet: { port: 80, scheme: 'gopher', path: '' } },
        want: { kind: 'readiness', action: { type: 'http', port: 80, path: '/', scheme: 'HTTP', headers: [] }, initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1_000, successThreshold: 1, failureThreshold: 3 },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(probeSpec(c.kind, c.probe, 'container app')).to.deep.equal(c.want);
      });
    }

    const bad: Array<{ name: string; kind: ProbeKind; probe: V1Probe }> = [
      { name: 'no action at all', kind: 'readiness', probe: { periodSeconds: 1 } },
      { name: 'exec with an empty command', kind: 'liveness', probe: { exec: { command: [] } } },
      { name: 'exec without command', kind: 'startup', probe: { exec: {} } },
    ];
    for (const c of bad) {
      it(`throws for ${c.name}`, () => {
        expect(() => probeSpec(c.kind, c.probe, 'container app')).to.throw(`container app ${c.kind}Probe: needs one of httpGet, tcpSocket or exec`);
      });
    }
  });

  describe('initialTally', () => {
    const cases: Array<{ kind: ProbeKind; result: ProbeTally['result'] }> = [
      { kind: 'liveness', result: 'success' },
      { kind: 'readiness', result: 'unknown' },
      { kind: 'startup', result: 'unknown' },
    ];
    for (const c of cases) {
      it(`${c.kind} starts as ${c.result}`, () => {
        expect(initialTally(c.kind)).to.deep.equal({ result: c.result, successes: 0, failures: 0 });
      });
    }
  });

  describe('recordProbe', () => {
    const spec = (kind: ProbeKind, successThreshold: number, failureThreshold: number): ProbeSpec => ({
      kind, action: { type: 'exec', command: ['true'] }, initialDelayMs: 0, periodMs: 1000, timeoutMs: 1000, successThreshold, failureThreshold,
    });
    const cases: Array<{ name: string; spec: ProbeSpec; outcomes: boolean[]; results: Array<ProbeTally['result']>; last: { successes: number; failures: number } }> = [
      {
        name: 'readiness, successThreshold 1: one success is enough',
        spec: spec('readiness', 1, 3), outcomes: [true], results: ['success'], last: { successes: 1, failures: 0 },
      },
      {
        name: 'readiness, successThreshold 2: needs two successes in a row',
        spec: spec('readiness', 2, 3), outcomes: [true, true], results: ['unknown', 'success'], last: { successes: 2, failures: 0 },
      },
      {
        name: 'readiness, successThreshold 2: a failure in between starts the count over',
        spec: spec('readiness', 2, 3), outcomes: [true, false, true, true], results: ['unknown', 'unknown', 'unknown', 'success'], last: { successes: 2, failures: 0 },
      },
      {
        name: 'failureThreshold 3: needs three failures in a row',
        spec: spec('readiness', 1, 3), outcomes: [true, false, false, false], results: ['success', 'success', 'success', 'failure'], last: { successes: 0, failures: 3 },
      },
      {
        name: 'failureThreshold 3: a success resets the failures',
        spec: spec('readiness', 1, 3), outcomes: [true, false, false, true, false, false], results: ['success', 'success', 'success', 'success', 'success', 'success'], last: { successes: 0, failures: 2 },
      },
      {
        name: 'liveness starts passing and flips only on the third failure',
        spec: spec('liveness', 1, 3), outcomes: [false, false, false], results: ['success', 'success', 'failure'], last: { successes: 0, failures: 3 },
      },
      {
        name: 'failed readiness comes back after successThreshold successes',
        spec: spec('readiness', 2, 1), outcomes: [false, true, true], results: ['failure', 'failure', 'success'], last: { successes: 2, failures: 0 },
      },
      {
        name: 'failures keep counting past the threshold',
        spec: spec('startup', 1, 2), outcomes: [false, false, false, false], results: ['unknown', 'failure', 'failure', 'failure'], last: { successes: 0, failures: 4 },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        let tally = initialTally(c.spec.kind);
        const results: Array<ProbeTally['result']> = [];
        c.outcomes.forEach((ok, i) => {
          tally = recordProbe(c.spec, tally, ok, 1000 * (i + 1));
          results.push(tally.result);
        });
        expect(results).to.deep.equal(c.results);
        expect(tally).to.deep.equal({ result: c.results[c.results.length - 1], ...c.last, lastRunAt: 1000 * c.outcomes.length });
      });
    }

    it('does not mutate the tally it is given', () => {
      const before = initialTally('readiness');
      recordProbe(spec('readiness', 1, 1), before, true, 5);
      expect(before).to.deep.equal({ result: 'unknown', successes: 0, failures: 0 });
    });
  });

  describe('nextProbeAt', () => {
    const s = probeSpec('readiness', { httpGet: { port: 80 }, initialDelaySeconds: 5, periodSeconds: 3 }, 'c');
    const cases: Array<{ name: string; tally: ProbeTally; startedAt: number; want: number }> = [
      { name: 'never ran: start + initial delay', tally: initialTally('readiness'), startedAt: 100_000, want: 105_000 },
      { name: 'ran before: last run + period', tally: { result: 'success', successes: 1, failures: 0, lastRunAt: 107_000 }, startedAt: 100_000, want: 110_000 },
      { name: 'lastRunAt 0 counts as having run', tally: { result: 'unknown', successes: 0, failures: 1, lastRunAt: 0 }, startedAt: 50_000, want: 3_000 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(nextProbeAt(s, c.tally, c.startedAt)).to.equal(c.want);
      });
    }

    it('without an initial delay the first probe is due at once', () => {
      expect(nextProbeAt(probeSpec('liveness', httpProbe, 'c'), initialTally('liveness'), 42)).to.equal(42);
    });
  });

  describe('resolvePort', () => {
    const ports = [{ containerPort: 8080, name: 'http' }, { containerPort: 9090, name: 'metrics' }, { containerPort: 7000 }];
    const cases: Array<{ name: string; port: number | string; want: number }> = [
      { name: 'numeric', port: 1234, want: 1234 },
      { name: 'numeric string', port: '8081', want: 8081 },
      { name: 'named', port: 'http', want: 8080 },
      { name: 'another named', port: 'metrics', want: 9090 },
    ];
    for (const c of cases) {
      it(c.name, () => {
        expect(resolvePort(c.port, ports, 'container app')).to.equal(c.want);
      });
    }

    const bad: Array<{ name: string; port: string; containerPorts: typeof ports }> = [
      { name: 'unknown name', port: 'grpc', containerPorts: ports },
      { name: 'no ports at all', port: 'http', containerPorts: [] },
      { name: 'empty name does not match an unnamed port', port: '', containerPorts: ports },
    ];
    for (const c of bad) {
      it(`throws for ${c.name}`, () => {
        expect(() => resolvePort(c.port, c.containerPorts, 'container app')).to.throw(`container app: no container port named ${JSON.stringify(c.port)}`);
      });
    }
  });
});
