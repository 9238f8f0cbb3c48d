// What the recorder app saw (pure): every request its HTTP parser produced and every parse error, in order,
// bounded, as the JSON its record port serves. The adversarial e2e suite reads it to know exactly what
// reached the pod through the activator.

/** One request as the pod's parser framed it. */
export interface RecordedRequest {
  kind: 'request';
  seq: number;
  /** Which of the pod's connections it came on (numbered from 1 in accept order). */
  conn: number;
  method: string;
  url: string;
  version: string;
  /** Raw header pairs as parsed: [name, value, name, value, ...]. */
  headers: string[];
  /** Raw trailer pairs of a chunked body. */
  trailers: string[];
  /** The body bytes (up to the capture limit), base64. */
  body: string;
  /** All body bytes received, captured or not. */
  bodyBytes: number;
  /** The body ended as framed; false if the connection died or the parser failed first. */
  complete: boolean;
  /** It arrived as an upgrade request (node's 'upgrade' event). */
  upgrade: boolean;
}

/** Bytes the pod's parser rejected (node's 'clientError'). */
export interface RecordedError {
  kind: 'error';
  seq: number;
  conn: number;
  /** llhttp's code, e.g. HPE_INVALID_CHUNK_SIZE. */
  code: string;
}

export type RecordedEvent = RecordedRequest | RecordedError;

/** What the record port answers. */
export interface RecordSnapshot {
  events: RecordedEvent[];
  /** Events not kept because the log was full. */
  dropped: number;
}

/** A request as it is being received: the body is kept as chunks until the capture limit. */
interface OpenRequest {
  event: RecordedRequest;
  chunks: Buffer[];
  captured: number;
}

export class RecordLog {
  private seq = 0;
  private dropped = 0;
  private readonly entries: Array<OpenRequest | RecordedError> = [];

  /** Keeps at most `maxEvents` events, and at most `maxBodyBytes` of each body. */
  constructor(private readonly maxEvents: number, private readonly maxBodyBytes: number) {}

  /** A request whose head was parsed; returns the handle for its body, or undefined if the log is full. */
  request(conn: number, head: { method: string; url: string; version: string; headers: string[]; upgrade: boolean }): OpenRequest | undefined {
    if (this.full()) return undefined;
    const open: OpenRequest = {
      event: { kind: 'request', seq: ++this.seq, conn, ...head, trailers: [], body: '', bodyBytes: 0, complete: head.upgrade },
      chunks: [],
      captured: 0,
    };
    this.entries.push(open);
    return open;
  }

  body(open: OpenRequest | undefined, chunk: Buffer): void {
    if (!open) return;
    open.event.bodyBytes += chunk.length;
    const room = this.maxBodyBytes - open.captured;
    if (room <= 0) return;
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
    open.chunks.push(Buffer.from(part)); // a copy: the parser reuses its buffers
    open.captured += part.length;
  }

  end(open: OpenRequest | undefined, trailers: string[]): void {
    if (!open) return;
    open.event.trailers = trailers;
    open.event.complete = true;
  }

  error(conn: number, code: string): void {
    if (!this.full()) this.entries.push({ kind: 'error', seq: ++this.seq, conn, code });
  }

  snapshot(): RecordSnapshot {
    const events = this.entries.map((e): RecordedEvent => ('kind' in e ? e : { ...e.event, body: Buffer.concat(e.chunks).toString('base64') }));
    return { events, dropped: this.dropped };
  }

  clear(): void {
    this.entries.length = 0;
    this.dropped = 0;
  }

  private full(): boolean {
    if (this.entries.length < this.maxEvents) return false;
    this.dropped++;
    return true;
  }
}
