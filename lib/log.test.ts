import { expect } from 'chai';
import { createLogger, parseLevel, type Level, type Logger, type LoggerOptions } from './log.js';

const NOW = new Date('2024-03-04T05:06:07.089Z');

function capture(level?: Level): { lines: string[]; log: Logger } {
  const lines: string[] = [];
  const options: LoggerOptions = { write: (line) => lines.push(line), now: () => NOW };
  if (level) options.level = level;
  return { lines, log: createLogger('unit', options) };
}

describe('log', () => {
  describe('createLogger', () => {
    it('writes one JSON object per line, with ts, level, component and msg first', () => {
      const { lines, log } = capture();
      log.info('hello', { n: 1 });
      expect(lines).to.deep.equal(['{"ts":"2024-03-04T05:06:07.089Z","level":"info","component":"unit","msg":"hello","n":1}\n']);
    });

    it('each call is its own line', () => {
      const { lines, log } = capture('debug');
      log.debug('a');
      log.warn('b');
      expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).to.deep.equal([
        { ts: NOW.toISOString(), level: 'debug', component: 'unit', msg: 'a' },
        { ts: NOW.toISOString(), level: 'warn', component: 'unit', msg: 'b' },
      ]);
      for (const l of lines) expect(l.indexOf('\n')).to.equal(l.length - 1);
    });

    it('keeps a message with newlines on one line', () => {
      const { lines, log } = capture();
      log.error('multi\nline');
      expect(lines).to.have.length(1);
      expect(lines[0]?.split('\n')).to.have.length(2);
      expect((JSON.parse(lines[0] ?? '') as { msg: string }).msg).to.equal('multi\nline');
    });

    const levels: Array<{ level: Level | undefined; written: Level[] }> = [
      { level: undefined, written: ['info', 'warn', 'error'] },
      { level: 'debug', written: ['debug', 'info', 'warn', 'error'] },
      { level: 'info', written: ['info', 'warn', 'error'] },
      { level: 'warn', written: ['warn', 'error'] },
      { level: 'error', written: ['error'] },
    ];
    for (const c of levels) {
      it(`level ${c.level ?? '(default)'} writes ${c.written.join(', ')}`, () => {
        const { lines, log } = capture(c.level);
        log.debug('m');
        log.info('m');
        log.warn('m');
        log.error('m');
        expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).to.deep.equal(c.written);
      });
    }

    const fields: Array<{ name: string; run: (log: Logger) => void; want: Record<string, unknown> }> = [
      {
        name: 'with() adds its fields to every line',
        run: (log) => log.with({ namespace: 'ns', name: 'svc' }).info('m', { extra: true }),
        want: { ts: NOW.toISOString(), level: 'info', component: 'unit', msg: 'm', namespace: 'ns', name: 'svc', extra: true },
      },
      {
        name: 'nested with() accumulates, the inner one wins',
        run: (log) => log.with({ a: 1, b: 1 }).with({ b: 2 }).info('m'),
        want: { ts: NOW.toISOString(), level: 'info', component: 'unit', msg: 'm', a: 1, b: 2 },
      },
      {
        name: 'call fields win over with() fields',
        run: (log) => log.with({ a: 1 }).info('m', { a: 'call' }),
        want: { ts: NOW.toISOString(), level: 'info', component: 'unit', msg: 'm', a: 'call' },
      },
      {
        name: 'an Error is logged by its message',
        run: (log) => log.error('failed', { error: new Error('boom') }),
        want: { ts: NOW.toISOString(), level: 'error', component: 'unit', msg: 'failed', error: 'boom' },
      },
      {
        name: 'an Error with a code is logged as message and code',
        run: (log) => log.warn('failed', { error: Object.assign(new Error('no such file'), { code: 'ENOENT' }) }),
        want: { ts: NOW.toISOString(), level: 'warn', component: 'unit', msg: 'failed', error: { message: 'no such file', code: 'ENOENT' } },
      },
      {
        name: 'nested Errors too',
        run: (log) => log.info('m', { details: { causes: [new TypeError('t1')] } }),
        want: { ts: NOW.toISOString(), level: 'info', component: 'unit', msg: 'm', details: { causes: ['t1'] } },
      },
      {
        name: 'Errors in with() fields too',
        run: (log) => log.with({ last: new Error('earlier') }).info('m'),
        want: { ts: NOW.toISOString(), level: 'info', component: 'unit', msg: 'm', last: 'earlier' },
      },
    ];
    for (const c of fields) {
      it(c.name, () => {
        const { lines, log } = capture();
        c.run(log);
        expect(lines).to.have.length(1);
        expect(JSON.parse(lines[0] ?? '')).to.deep.equal(c.want);
      });
    }

    it('with() does not change the parent logger', () => {
      const { lines, log } = capture();
      log.with({ child: true });
      log.info('m');
      expect(JSON.parse(lines[0] ?? '')).to.not.have.property('child');
    });

    it('a child logger keeps the level', () => {
      const { lines, log } = capture('error');
      log.with({ a: 1 }).warn('dropped');
      expect(lines).to.deep.equal([]);
    });
  });

  describe('parseLevel', () => {
    const ok: Array<{ value: string | undefined; fallback?: Level; want: Level }> = [
      { value: undefined, want: 'info' },
      { value: '', want: 'info' },
      { value: undefined, fallback: 'warn', want: 'warn' },
      { value: '', fallback: 'error', want: 'error' },
      { value: 'debug', want: 'debug' },
      { value: 'info', fallback: 'error', want: 'info' },
      { value: 'warn', want: 'warn' },
      { value: 'error', want: 'error' },
    ];
    for (const c of ok) {
      it(`${JSON.stringify(c.value)} (fallback ${c.fallback ?? 'default'}) -> ${c.want}`, () => {
        expect(c.fallback ? parseLevel(c.value, c.fallback) : parseLevel(c.value)).to.equal(c.want);
      });
    }

    for (const value of ['DEBUG', 'verbose', 'warning', ' info']) {
      it(`${JSON.stringify(value)} throws naming the value and the choices`, () => {
        expect(() => parseLevel(value)).to.throw(`invalid log level ${JSON.stringify(value)}: want one of debug, info, warn, error`);
      });
    }

    // Object.prototype members are not levels (a plain `in` check would accept them).
    for (const value of ['toString', 'constructor', 'valueOf', '__proto__']) {
      it(`${JSON.stringify(value)} (an Object.prototype member) throws`, () => {
        expect(() => parseLevel(value)).to.throw(`invalid log level ${JSON.stringify(value)}`);
      });
    }
  });
});
