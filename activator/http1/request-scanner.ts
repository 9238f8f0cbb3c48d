// Where the next request head ends in the bytes read so far (pure). Empty lines before a request line
// (RFC 9112 2.2) are dropped as they are seen and count toward the head limit; a head that comes in pieces
// is searched only where new bytes arrived. A CRLF flood or a slow head costs nothing per read.

/** Results of `scan` other than a head's end. */
export const enum Scan {
  /** No complete head yet: drop `start` bytes, append what is read next, scan again. */
  More = -1,
  /** Only empty lines, more of them than the head limit. */
  Flood = -2,
  /** The head (with the empty lines before it) is over the limit. */
  TooLarge = -3,
}

const CR = 0x0d;
const LF = 0x0a;

export class HeadScanner {
  /** Where the head starts in the buffer last scanned (empty lines before it are skipped). */
  start = 0;
  /** Empty-line bytes dropped before the head being read, over all reads. */
  private skipped = 0;
  /** The request line has begun: no more empty lines to skip. */
  private inHead = false;
  /** Bytes of the head already searched for its blank line. */
  private searched = 0;

  constructor(private readonly limit: number) {}

  /** The index in `buf` of the CRLF CRLF that ends the head, or a Scan code. */
  scan(buf: Buffer): number {
    let i = 0;
    if (!this.inHead) {
      while (i + 1 < buf.length && buf[i] === CR && buf[i + 1] === LF) i += 2;
      this.skipped += i;
      this.start = i;
      if (this.skipped > this.limit) return Scan.Flood;
      // Nothing but empty lines so far, perhaps the CR of the next one.
      if (i === buf.length || (i + 1 === buf.length && buf[i] === CR)) return Scan.More;
      this.inHead = true;
    } else this.start = 0;
    // The blank line may straddle what was searched and what is new.
    const end = buf.indexOf('\r\n\r\n', this.start + Math.max(0, this.searched - 3), 'latin1');
    if (this.skipped + (end < 0 ? buf.length : end) - this.start > this.limit) return Scan.TooLarge;
    if (end < 0) {
      this.searched = buf.length - this.start;
      return Scan.More;
    }
    this.skipped = 0;
    this.inHead = false;
    this.searched = 0;
    return end;
  }
}
