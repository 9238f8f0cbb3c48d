import { HeadError, type Framing } from './head.js';

// Where a message body ends in a byte stream (pure). The activator forwards bodies as they come, so it
// only needs to know how many of the bytes it reads still belong to the current message: a length counts
// down; a chunked body is scanned (sizes, extensions, trailers) without being decoded.

const enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  Trailer,
  TrailerLf,
  EndLf,
}

/** The largest chunk size we accept: beyond this the number cannot be exact in a double. */
const MAX_CHUNK = 2 ** 53 - 1;
/** A chunk-size line (with extensions) or a trailer line longer than this is refused. */
const MAX_LINE = 4096;

export class BodyFramer {
  private remaining: number;
  private state = Chunk.Size;
  private size = 0;
  private line = 0;
  /** The body has ended (for `close` framing: never, until the sender closes). */
  done: boolean;

  constructor(private readonly framing: Framing, private readonly error: (message: string) => HeadError = (m) => new HeadError(400, m)) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.done = framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0);
  }

  /** How many bytes of `buf` from `offset` belong to the body (the rest is the next message). Throws HeadError on a malformed chunked body. */
  take(buf: Buffer, offset: number): number {
    if (this.done) return 0;
    const available = buf.length - offset;
    switch (this.framing.kind) {
      case 'close':
        return available;
      case 'length': {
        const n = Math.min(available, this.remaining);
        this.remaining -= n;
        if (this.remaining === 0) this.done = true;
        return n;
      }
      case 'chunked':
        return this.scan(buf, offset) - offset;
      default:
        return 0;
    }
  }

  private scan(buf: Buffer, start: number): number {
    let i = start;
    const end = buf.length;
    while (i < end && !this.done) {
      if (this.state === Chunk.Data) {
        const n = Math.min(end - i, this.remaining);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = Chunk.DataCr;
        continue;
      }
      const c = buf[i++]!;
      switch (this.state) {
        case Chunk.Size: {
          const digit = hex(c);
          if (digit >= 0) {
            if (this.line++ >= 16 || this.size * 16 + digit > MAX_CHUNK) throw this.error('chunk size too large');
            this.size = this.size * 16 + digit;
          } else if (this.line === 0) throw this.error('malformed chunk size');
          else if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) this.state = Chunk.Extension;
          else if (c === 0x0d) this.state = Chunk.SizeLf;
          else throw this.error('malformed chunk size');
          break;
        }
        case Chunk.Extension:
          if (c === 0x0d) this.state = Chunk.SizeLf;
          else if (c === 0x0a || ++this.line > MAX_LINE) throw this.error('malformed chunk extension');
          break;
        case Chunk.SizeLf:
          if (c !== 0x0a) throw this.error('chunk size line not ended by CRLF');
          this.line = 0;
          if (this.size === 0) this.state = Chunk.TrailerStart;
          else {
            this.remaining = this.size;
            this.size = 0;
            this.state = Chunk.Data;
          }
          break;
        case Chunk.DataCr:
          if (c !== 0x0d) throw this.error('chunk data not followed by CRLF');
          this.state = Chunk.DataLf;
          break;
        case Chunk.DataLf:
          if (c !== 0x0a) throw this.error('chunk data not followed by CRLF');
          this.state = Chunk.Size;
          break;
        case Chunk.TrailerStart:
          if (c === 0x0d) this.state = Chunk.EndLf;
          else {
            this.line = 1;
            this.state = Chunk.Trailer;
          }
          break;
        case Chunk.Trailer:
          if (c === 0x0d) this.state = Chunk.TrailerLf;
          else if (c === 0x0a || ++this.line > MAX_LINE) throw this.error('malformed trailer');
          break;
        case Chunk.TrailerLf:
          if (c !== 0x0a) throw this.error('trailer line not ended by CRLF');
          this.state = Chunk.TrailerStart;
          break;
        case Chunk.EndLf:
          if (c !== 0x0a) throw this.error('chunked body not ended by CRLF');
          this.done = true;
          break;
      }
    }
    return i;
  }
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
