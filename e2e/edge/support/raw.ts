import { connect, type Socket } from 'node:net';
import { readResponses, type WireRead } from './wire.js';

// A client that speaks raw bytes to the activator: it writes whatever a case says, keeps everything it
// gets, and never closes its side on its own (a server that waits for the client to go is seen holding on).

export const ACTIVATOR_PORT = Number(process.env.KZERO_ACTIVATOR_PORT || 8080);
/** The longest any wait on the activator lasts, unless a case says otherwise. */
export const WAIT_MS = 3000;

export class RawConnection {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private joined: Buffer | undefined;
  private readonly wakers = new Set<() => void>();
  /** The server ended the connection (FIN or reset), at this time (ms, performance.now()). */
  endedAt: number | undefined;
  /** A socket error (e.g. ECONNRESET, EPIPE) if there was one. */
  error: string | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d);
      this.bytes += d.length;
      this.joined = undefined;
      this.wake();
    });
    const ended = (): void => {
      this.endedAt ??= performance.now();
      this.wake();
    };
    socket.on('end', ended);
    socket.on('close', ended);
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err.code ?? err.message;
      ended();
    });
  }

  static open(port = ACTIVATOR_PORT, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, allowHalfOpen: true, noDelay: true });
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} took over ${WAIT_MS} ms`)), WAIT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  get ended(): boolean {
    return this.endedAt !== undefined;
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  /** Everything received so far. */
  get received(): Buffer {
    this.joined ??= Buffer.concat(this.chunks, this.bytes);
    return this.joined;
  }

  /** Writes `data` (strings as latin1); resolves once it is flushed, or the connection is gone. */
  write(data: string | Buffer): Promise<void> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve();
    return new Promise((resolve) => this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, () => resolve()));
  }

  /** Resolves true once `check` holds (checked on every event), false after `timeoutMs`. */
  until(check: () => boolean, timeoutMs = WAIT_MS): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.wakers.delete(waker);
        resolve(ok);
      };
      const waker = (): void => void (check() && done(true));
      const timer = setTimeout(() => done(check()), timeoutMs);
      this.wakers.add(waker);
    });
  }

  /** The responses so far, for requests sent with `methods`. */
  read(methods: readonly string[] = []): WireRead {
    return readResponses(this.received, methods, this.ended);
  }

  /** Waits until `n` final responses are complete (or a 101 came, or the bytes stopped making sense, or the end). */
  async responses(n: number, methods: readonly string[] = [], timeoutMs = WAIT_MS): Promise<WireRead> {
    await this.until(() => {
      const r = this.read(methods);
      const finals = r.responses.filter((x) => x.status >= 200 && x.complete).length;
      return finals >= n || r.upgraded || r.error !== undefined || this.ended;
    }, timeoutMs);
    return this.read(methods);
  }

  /** Waits for the server to end the connection; true if it did within `timeoutMs`. */
  closed(timeoutMs = WAIT_MS): Promise<boolean> {
    return this.until(() => this.ended, timeoutMs);
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}
