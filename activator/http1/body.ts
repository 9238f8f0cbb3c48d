import { Ext, extStep } from './chunk-ext.js';
import { MAX_HEADERS, TCHAR } from './fields.js';
import type { Framing } from './head.js';
import { HeadError } from './head-error.js';

// Where a message body ends in a byte stream (pure). The activator forwards bodies as they come, so it
// only needs to know how many of the bytes it reads still belong to the current message: a length counts
// down; a chunked body is scanned (sizes, extensions, trailers) without being decoded. What it passes on
// must frame the same way for the next hop, so a chunked body is held to RFC 9112 section 7.1 exactly.

const enum Chunk {
  Size,
  Extension,
  SizeLf,
  Data,
  DataCr,
  DataLf,
  TrailerStart,
  TrailerName,
  TrailerValue,
  TrailerLf,
  EndLf,
}

/** The largest chunk size we accept: beyond this the number cannot be exact in a double. */
const MAX_CHUNK = 2 ** 53 - 1;
/** Hex digits of a chunk size, leading zeros included. */
const MAX_SIZE_DIGITS = 16;
/** A chunk-size line (with extensions) or a trailer line longer than this is refused. */
const MAX_LINE = 4096;
/** Trailer fields that frame a message: a parser that merges trailers into the head must not meet them. */
const FRAMING_FIELDS = new Set(['content-length', 'transfer-encoding']);

const CR = 0x0d;
const LF = 0x0a;

export class BodyFramer {
  private remaining: number;
  private state = Chunk.Size;
  private ext = Ext.SizeEnd;
  private size = 0;
  private line = 0;
  private trailers = 0;
  /** The name of the trailer field being read, as far as FRAMING_FIELDS needs it. */
  private trailerName = '';
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
      this.step(buf[i++]!);
    }
    return i;
  }

  private step(c: number): void {
    switch (this.state) {
      case Chunk.Size: {
        const digit = hex(c);
        if (digit >= 0) {
          if (this.line++ >= MAX_SIZE_DIGITS || this.size * 16 + digit > MAX_CHUNK) throw this.error('chunk size too large');
          this.size = this.size * 16 + digit;
          return;
        }
        const next = this.line === 0 ? Ext.Bad : extStep(Ext.SizeEnd, c);
        if (next === Ext.Bad) throw this.error('malformed chunk size');
        this.enterExtension(next);
        return;
      }
      case Chunk.Extension: {
        const next = extStep(this.ext, c);
        if (next === Ext.Bad || ++this.line > MAX_LINE) throw this.error('malformed chunk extension');
        this.enterExtension(next);
        return;
      }
      case Chunk.SizeLf:
        if (c !== LF) throw this.error('chunk size line not ended by CRLF');
        this.line = 0;
        if (this.size === 0) this.state = Chunk.TrailerStart;
        else {
          this.remaining = this.size;
          this.size = 0;
          this.state = Chunk.Data;
        }
        return;
      case Chunk.DataCr:
        if (c !== CR) throw this.error('chunk data not followed by CRLF');
        this.state = Chunk.DataLf;
        return;
      case Chunk.DataLf:
        if (c !== LF) throw this.error('chunk data not followed by CRLF');
        this.state = Chunk.Size;
        return;
      case Chunk.TrailerStart:
        if (c === CR) this.state = Chunk.EndLf;
        else if (c === 0x20 || c === 0x09) throw this.error('obsolete line folding in the trailers');
        else if (!TCHAR[c]) throw this.error('malformed trailer');
        else if (++this.trailers > MAX_HEADERS) throw this.error(`more than ${MAX_HEADERS} trailer fields`);
        else {
          this.line = 1;
          this.trailerName = String.fromCharCode(c);
          this.state = Chunk.TrailerName;
        }
        return;
      case Chunk.TrailerName:
        if (++this.line > MAX_LINE) throw this.error('trailer line too long');
        if (TCHAR[c]) {
          if (this.trailerName.length <= 17) this.trailerName += String.fromCharCode(c);
        } else if (c !== 0x3a /* : */) throw this.error('malformed trailer');
        else if (FRAMING_FIELDS.has(this.trailerName.toLowerCase())) throw this.error(`${this.trailerName} in the trailers`);
        else this.state = Chunk.TrailerValue;
        return;
      case Chunk.TrailerValue:
        if (++this.line > MAX_LINE) throw this.error('trailer line too long');
        if (c === CR) this.state = Chunk.TrailerLf;
        else if (c < 0x20 ? c !== 0x09 : c === 0x7f) throw this.error('malformed trailer');
        return;
      case Chunk.TrailerLf:
        if (c !== LF) throw this.error('trailer line not ended by CRLF');
        this.state = Chunk.TrailerStart;
        return;
      case Chunk.EndLf:
        if (c !== LF) throw this.error('chunked body not ended by CRLF');
        this.done = true;
        return;
    }
  }

  private enterExtension(next: Ext): void {
    if (next === Ext.Cr) this.state = Chunk.SizeLf;
    else {
      this.ext = next;
      this.state = Chunk.Extension;
    }
  }
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
