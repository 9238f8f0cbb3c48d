// A small, strict ustar reader over an in-memory archive. Pure: no I/O. It accepts regular files and
// directories (with GNU long names and pax path/size) and rejects everything that could escape the
// extraction directory or exhaust the host: links, devices, absolute or `..` paths, oversize archives.
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { PackageError } from '../errors.js';

export interface PackageLimits {
  /** Bytes of the compressed package (checked while fetching). */
  readonly maxBytes: number;
  /** Bytes of the uncompressed archive, and of all file contents together. */
  readonly maxUnpackedBytes: number;
  /** Entries in the archive, directories included. */
  readonly maxEntries: number;
}

export const DEFAULT_LIMITS: PackageLimits = Object.freeze({
  maxBytes: 50 * 1024 * 1024,
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxEntries: 10_000,
});

export type TarEntry =
  | { readonly type: 'dir'; readonly path: string }
  | { readonly type: 'file'; readonly path: string; readonly executable: boolean; readonly data: Buffer };

const BLOCK = 512;
const gunzipAsync = promisify(gunzip);

/** Below this a package is gunzipped on the main thread: faster than a thread-pool round trip on a busy node. */
const SYNC_GUNZIP_BYTES = 256 * 1024;

/** Gunzips a package, failing clearly (instead of exhausting memory) when it unpacks past the limit. */
export async function gunzipPackage(gz: Buffer, maxUnpackedBytes: number): Promise<Buffer> {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) throw new PackageError('code package is not gzip-compressed (want a .tar.gz)');
  try {
    const options = { maxOutputLength: maxUnpackedBytes };
    return gz.length < SYNC_GUNZIP_BYTES ? gunzipSync(gz, options) : await gunzipAsync(gz, options);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new PackageError(`code package unpacks to more than ${maxUnpackedBytes} bytes`);
    }
    throw new PackageError(`code package is not valid gzip: ${(err as Error).message}`);
  }
}

/** Parses an uncompressed tar archive into its entries, in archive order. Throws PackageError. */
export function parseTar(tar: Buffer, limits: PackageLimits = DEFAULT_LIMITS): TarEntry[] {
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let offset = 0;
  // Overrides carried by GNU 'L' and pax 'x' headers to the next real entry.
  let longName: string | undefined;
  let pax: { path?: string; size?: number } = {};
  for (;;) {
    if (offset + BLOCK > tar.length) throw new PackageError('truncated archive: no end-of-archive marker');
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((b) => b === 0)) break;
    const rawName = headerName(header);
    verifyChecksum(header, rawName);
    const type = String.fromCharCode(header[156] ?? 0);
    const size = pax.size ?? readNumber(header, 124, 12, rawName, 'size');
    const dataStart = offset + BLOCK;
    if (dataStart + size > tar.length) throw new PackageError(`truncated archive: entry "${rawName}" wants ${size} bytes past the end`);
    const data = tar.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'L') {
      longName = cString(data);
      continue;
    }
    if (type === 'x') {
      pax = parsePax(data, rawName);
      continue;
    }
    if (type === 'g') continue; // global pax header: nothing in it matters here
    const name = pax.path ?? longName ?? rawName;
    longName = undefined;
    pax = {};

    if (type === '1' || type === '2' || type === 'K') throw new PackageError(`unsafe entry "${name}": links are not allowed`);
    if (type === '3' || type === '4' || type === '6') throw new PackageError(`unsafe entry "${name}": devices and fifos are not allowed`);
    const path = safePath(name);
    if (path === '') continue; // the archive root itself ("./")
    if (entries.length >= limits.maxEntries) throw new PackageError(`too many entries: "${name}" is past the limit of ${limits.maxEntries}`);
    if (seen.has(path)) throw new PackageError(`duplicate entry "${name}"`);
    seen.add(path);
    if (type === '5') {
      entries.push({ type: 'dir', path });
    } else if (type === '0' || type === '\0' || type === '7') {
      total += size;
      if (total > limits.maxUnpackedBytes) throw new PackageError(`entry "${name}" takes the package past ${limits.maxUnpackedBytes} unpacked bytes`);
      const mode = readNumber(header, 100, 8, name, 'mode');
      entries.push({ type: 'file', path, executable: (mode & 0o111) !== 0, data });
    } else {
      throw new PackageError(`unsupported entry "${name}" of type ${JSON.stringify(type)}`);
    }
  }
  return entries;
}

/** The normalised relative path of an entry name; '' for the root. Rejects anything that could escape. */
export function safePath(name: string): string {
  if (name.includes('\0')) throw new PackageError(`unsafe entry "${name}": NUL in path`);
  if (name.startsWith('/')) throw new PackageError(`unsafe entry "${name}": absolute path`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new PackageError(`unsafe entry "${name}": ".." in path`);
  return parts.join('/');
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const magic = header.subarray(257, 262).toString('latin1');
  const prefix = magic === 'ustar' ? cString(header.subarray(345, 500)) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function verifyChecksum(header: Buffer, name: string): void {
  const want = readNumber(header, 148, 8, name, 'checksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (want !== unsigned && want !== signed) throw new PackageError(`checksum error in the header of entry "${name}"`);
}

/** An octal field, or GNU base-256 when the high bit of its first byte is set. */
function readNumber(header: Buffer, at: number, len: number, name: string, field: string): number {
  const raw = header.subarray(at, at + len);
  if (((raw[0] ?? 0) & 0x80) !== 0) {
    let n = (raw[0] ?? 0) & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + (raw[i] ?? 0);
    if (!Number.isSafeInteger(n)) throw new PackageError(`bad ${field} in the header of entry "${name}"`);
    return n;
  }
  const text = cString(raw).trim();
  if (!/^[0-7]*$/.test(text)) throw new PackageError(`bad ${field} in the header of entry "${name}"`);
  return text === '' ? 0 : parseInt(text, 8);
}

/** pax records: "<len> <key>=<value>\n"; only path and size matter here. */
function parsePax(data: Buffer, name: string): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const len = Number(data.subarray(at, space).toString('latin1'));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || at + len > data.length) throw new PackageError(`bad pax header "${name}"`);
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') {
      if (!/^[0-9]+$/.test(value)) throw new PackageError(`bad pax size ${JSON.stringify(value)} in "${name}"`);
      out.size = Number(value);
    }
    at += len;
  }
  return out;
}

function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.subarray(0, end < 0 ? buf.length : end).toString('utf8');
}
