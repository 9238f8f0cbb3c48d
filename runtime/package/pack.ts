// A tiny ustar writer, so that tests, e2e tests and benchmarks can build code packages in-process.
// It writes what it is given without judging it: tests use it to build unsafe archives too.
import { gzipSync } from 'node:zlib';

export interface PackEntry {
  name: string;
  /** The ustar type flag: '0' file (default), '5' directory, '2' symlink, ... */
  type?: string;
  data?: string | Buffer;
  /** Default 0o644 for files, 0o755 for directories. */
  mode?: number;
  linkname?: string;
}

const BLOCK = 512;

/** A .tar.gz holding `files` (path -> content) as regular 0644 files, in key order. */
export function packTarGz(files: Record<string, string | Buffer>): Buffer {
  return gzipSync(packTar(Object.entries(files).map(([name, data]) => ({ name, data }))));
}

/** An uncompressed tar of `entries`, with GNU long-name headers for names over 100 bytes. */
export function packTar(entries: PackEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
    const name = Buffer.from(entry.name);
    if (name.length > 100) {
      blocks.push(tarHeader({ name: '././@LongLink', type: 'L', size: name.length + 1 }), pad(Buffer.concat([name, Buffer.alloc(1)])));
    }
    const type = entry.type ?? '0';
    const mode = entry.mode ?? (type === '5' ? 0o755 : 0o644);
    blocks.push(tarHeader({ name: entry.name, type, size: data.length, mode, linkname: entry.linkname ?? '' }), pad(data));
  }
  blocks.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(blocks);
}

/** One 512-byte ustar header with a correct checksum; the name is cut at 100 bytes. */
export function tarHeader(h: { name: string; type: string; size: number; mode?: number; linkname?: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name.slice(0, 100), 0, 100, 'utf8');
  octal(block, 100, 8, h.mode ?? 0o644);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, h.size);
  octal(block, 136, 12, 0);
  block.write(h.type, 156, 1, 'latin1');
  block.write(h.linkname ?? '', 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of block) sum += b;
  octal(block, 148, 7, sum);
  return block;
}

function octal(block: Buffer, at: number, len: number, value: number): void {
  block.write(value.toString(8).padStart(len - 1, '0') + '\0', at, len, 'latin1');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
