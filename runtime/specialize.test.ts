import { expect } from 'chai';
import { createLogger } from '../lib/log.js';
import { PackageError } from './errors.js';
import type { Loaded, Loader } from './loader.js';
import type { SpecializeRequest } from '../api/kzero/v1alpha1/specialize.js';
import { Specializer } from './specialize.js';

const log = createLogger('test', { write: () => undefined });
const req = (revision: string): SpecializeRequest => ({ revision, code: { url: 'http://h/p', sha256: '0'.repeat(64) }, env: {} });
const loaded: Loaded = { handler: () => undefined, timings: { fetchMs: 1, extractMs: 2, loadMs: 3, totalMs: 6 } };

/** A loader the test finishes by hand (before or after the Specializer calls it). */
function manualLoader(): { load: Loader; finish: (result: Loaded | Error) => void; calls: number } {
  let finish!: (result: Loaded | Error) => void;
  const result = new Promise<Loaded>((resolve, reject) => (finish = (r) => (r instanceof Error ? reject(r) : resolve(r))));
  result.catch(() => undefined); // a failure is the Specializer's to see, if it asks
  const state = {
    calls: 0,
    finish,
    load: (() => {
      state.calls++;
      return result;
    }) as Loader,
  };
  return state;
}

describe('Specializer', () => {
  it('waiting -> specializing -> serving; a retry of the running revision shares its outcome; others get 409', async () => {
    const l = manualLoader();
    const s = new Specializer(l.load, log);
    const settled = s.whenSettled(1000);
    const first = s.specialize(req('ns/a'));
    expect(s.state.phase).to.equal('specializing');
    const retry = s.specialize(req('ns/a'));
    expect(await s.specialize(req('ns/b'))).to.deep.include({ status: 409 });
    l.finish(loaded);
    const ok = { status: 200, body: { revision: 'ns/a', fetchMs: 1, extractMs: 2, loadMs: 3, totalMs: 6 } };
    expect(await first).to.deep.equal(ok);
    expect(await retry).to.deep.equal(ok);
    expect(l.calls).to.equal(1);
    expect((await settled)?.phase).to.equal('serving');
  });

  it('a failure is final: status from the error, the same for its revision again, 409 for others', async () => {
    const l = manualLoader();
    const s = new Specializer(l.load, log);
    const first = s.specialize(req('ns/a'));
    l.finish(new PackageError('bad'));
    expect(await first).to.deep.equal({ status: 422, body: { error: 'bad' } });
    expect(s.state).to.deep.include({ phase: 'failed', reason: 'bad' });
    expect(await s.specialize(req('ns/a'))).to.deep.equal({ status: 422, body: { error: 'bad' } });
    expect((await s.specialize(req('ns/b'))).status).to.equal(409);
  });

  it('start (a reservation) takes the revision at once: 202, again 202 for it, 409 for another; the load runs on', async () => {
    const l = manualLoader();
    const s = new Specializer(l.load, log);
    expect(s.start(req('ns/a'))).to.deep.equal({ status: 202, body: { revision: 'ns/a' } });
    expect(s.state.phase).to.equal('specializing');
    expect(s.start(req('ns/a'))).to.deep.equal({ status: 202, body: { revision: 'ns/a' } });
    expect(s.start(req('ns/b'))).to.deep.include({ status: 409 });
    const outcome = s.specialize(req('ns/a')); // the claimer then waits for the outcome
    l.finish(loaded);
    expect((await outcome).status).to.equal(200);
    expect(l.calls).to.equal(1);
    expect(s.start(req('ns/a')).status).to.equal(202);
  });

  it('start is exclusive to a claim: the same revision under another claim id gets 409, saying how long ago it was taken', () => {
    let now = 1_000;
    const s = new Specializer(manualLoader().load, log, () => now);
    expect(s.start({ ...req('ns/a'), claim: 'one' }).status).to.equal(202);
    now += 1_500;
    expect(s.start({ ...req('ns/a'), claim: 'one' }).status).to.equal(202);
    expect(s.start({ ...req('ns/a'), claim: 'two' })).to.deep.equal({ status: 409, body: { error: 'already claimed for ns/a by another claimer', takenMs: 1_500 } });
    expect(s.start(req('ns/b')).body).to.deep.include({ takenMs: 1_500 });
  });

  it('start after a failure answers the failure for the revision, 409 for another', async () => {
    const l = manualLoader();
    const s = new Specializer(l.load, log);
    s.start(req('ns/a'));
    l.finish(new PackageError('bad'));
    await s.whenSettled(1000);
    expect(s.start(req('ns/a'))).to.deep.equal({ status: 422, body: { error: 'bad' } });
    expect(s.start(req('ns/b')).status).to.equal(409);
  });

  it('whenSettled gives up at its deadline or on abort', async () => {
    const s = new Specializer(manualLoader().load, log);
    expect(await s.whenSettled(10)).to.equal(undefined);
    const abort = new AbortController();
    const waiting = s.whenSettled(10_000, abort.signal);
    abort.abort();
    expect(await waiting).to.equal(undefined);
  });
});
