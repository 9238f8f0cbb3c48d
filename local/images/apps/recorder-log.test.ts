import { expect } from 'chai';
import { RecordLog, type RecordedRequest } from './recorder-log.js';
import { scriptFor, SCRIPTS } from './recorder-scripts.js';

const head = (url: string, upgrade = false) => ({ method: 'POST', url, version: '1.1', headers: ['Host', 'h'], upgrade });

describe('RecordLog', () => {
  it('keeps requests and errors in order, with bodies as received and trailers once ended', () => {
    const log = new RecordLog(10, 1024);
    const a = log.request(1, head('/a'));
    log.body(a, Buffer.from('hel'));
    log.body(a, Buffer.from('lo'));
    log.error(2, 'HPE_INVALID_CHUNK_SIZE');
    log.end(a, ['X-T', 'v']);
    log.request(1, head('/b'));
    expect(log.snapshot()).to.deep.equal({
      events: [
        { kind: 'request', seq: 1, conn: 1, method: 'POST', url: '/a', version: '1.1', headers: ['Host', 'h'], trailers: ['X-T', 'v'], body: Buffer.from('hello').toString('base64'), bodyBytes: 5, complete: true, upgrade: false },
        { kind: 'error', seq: 2, conn: 2, code: 'HPE_INVALID_CHUNK_SIZE' },
        { kind: 'request', seq: 3, conn: 1, method: 'POST', url: '/b', version: '1.1', headers: ['Host', 'h'], trailers: [], body: '', bodyBytes: 0, complete: false, upgrade: false },
      ],
      dropped: 0,
    });
  });

  it('copies body chunks, so a parser reusing its buffer cannot change the record', () => {
    const log = new RecordLog(10, 1024);
    const a = log.request(1, head('/a'));
    const chunk = Buffer.from('abc');
    log.body(a, chunk);
    chunk.write('xyz');
    const e = log.snapshot().events[0] as RecordedRequest;
    expect(Buffer.from(e.body, 'base64').toString()).to.equal('abc');
  });

  it('captures at most the body limit but counts every byte', () => {
    const log = new RecordLog(10, 4);
    const a = log.request(1, head('/a'));
    log.body(a, Buffer.from('abc'));
    log.body(a, Buffer.from('defg'));
    const [e] = log.snapshot().events;
    expect(e).to.deep.include({ body: Buffer.from('abcd').toString('base64'), bodyBytes: 7 });
  });

  it('counts what it drops once full, and starts over when cleared', () => {
    const log = new RecordLog(2, 16);
    log.request(1, head('/a'));
    log.error(1, 'E');
    expect(log.request(1, head('/c'))).to.equal(undefined);
    log.error(1, 'E');
    expect(log.snapshot().events.length).to.equal(2);
    expect(log.snapshot().dropped).to.equal(2);
    log.clear();
    expect(log.snapshot()).to.deep.equal({ events: [], dropped: 0 });
    log.request(1, head('/d'));
    expect(log.snapshot().events.map((e) => e.seq)).to.deep.equal([3]);
  });

  it('an upgrade request is complete at its head: the parser reads no body for it', () => {
    const log = new RecordLog(2, 16);
    log.request(1, head('/ws', true));
    expect(log.snapshot().events[0]).to.deep.include({ upgrade: true, complete: true });
  });
});

describe('recorder scripts', () => {
  it('finds a script by the path after /__respond/, ignoring the query', () => {
    expect(scriptFor('/__respond/cl-differ')).to.equal(SCRIPTS['cl-differ']);
    expect(scriptFor('/__respond/hangup?x=1')).to.equal(SCRIPTS.hangup);
  });

  for (const path of ['/__respond/', '/__respond/nope', '/__respond/toString', '/cl-differ', '/x/__respond/cl-differ']) {
    it(`has no script for ${path}`, () => {
      expect(scriptFor(path)).to.equal(undefined);
    });
  }

  it('frames every head with CRLF CRLF except the one that means not to', () => {
    for (const [name, s] of Object.entries(SCRIPTS)) {
      if (name === 'bare-lf' || name === 'hangup') continue;
      expect(s.bytes.includes('\r\n\r\n'), name).to.equal(true);
    }
    expect(SCRIPTS['bare-lf'].bytes.includes('\r')).to.equal(false);
  });

  it('sends a head over 64 KiB and more than 100 fields where it says so', () => {
    expect(SCRIPTS['big-head'].bytes.indexOf('\r\n\r\n')).to.be.above(64 * 1024);
    const fields = SCRIPTS['many-fields'].bytes.split('\r\n\r\n')[0]!.split('\r\n').length - 1;
    expect(fields).to.equal(101);
  });
});
