import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { PackageError } from '../errors.js';
import { packTar, packTarGz, tarHeader, type PackEntry } from './pack.js';
import { gunzipPackage, parseTar, DEFAULT_LIMITS } from './tar.js';

const files = (entries: ReturnType<typeof parseTar>): Record<string, string> =>
  Object.fromEntries(entries.flatMap((e) => (e.type === 'file' ? [[e.path, e.data.toString()]] : [])));

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len++;
  return `${len}${body}`;
}

describe('parseTar', () => {
  it('round-trips packTarGz, long names included', async () => {
    const long = `${'d'.repeat(60)}/${'f'.repeat(80)}.js`;
    const gz = packTarGz({ 'index.js': 'module.exports = () => {}', 'lib/a.txt': Buffer.from([0, 1, 2]), [long]: 'x' });
    const entries = parseTar(await gunzipPackage(gz, DEFAULT_LIMITS.maxUnpackedBytes));
    expect(entries.map((e) => e.path)).to.deep.equal(['index.js', 'lib/a.txt', long]);
    expect(files(entries)['index.js']).to.equal('module.exports = () => {}');
    expect((entries[1] as { data: Buffer }).data).to.deep.equal(Buffer.from([0, 1, 2]));
  });

  it('accepts directories, ./ prefixes, executables, pax path and size, and ignores global pax headers', () => {
    const pax = paxRecord('path', 'pax/renamed.js') + paxRecord('mtime', '1.5');
    const tar = packTar([
      { name: './', type: '5' },
      { name: './app/', type: '5' },
      { name: './app/run.sh', data: '#!/bin/sh', mode: 0o755 },
      { name: 'pax_global_header', type: 'g', data: paxRecord('comment', 'hi') },
      { name: 'PaxHeader/x', type: 'x', data: pax },
      { name: 'short-name', data: 'from pax' },
    ]);
    const entries = parseTar(tar);
    expect(entries).to.deep.include({ type: 'dir', path: 'app' });
    expect(entries.find((e) => e.path === 'app/run.sh')).to.include({ executable: true });
    expect(files(entries)).to.deep.equal({ 'app/run.sh': '#!/bin/sh', 'pax/renamed.js': 'from pax' });
  });

  const bad: Array<[string, PackEntry[], RegExp]> = [
    ['absolute paths', [{ name: '/etc/passwd', data: 'x' }], /unsafe entry "\/etc\/passwd": absolute path/],
    ['.. segments', [{ name: 'a/../../x', data: 'x' }], /unsafe entry "a\/..\/..\/x": ".." in path/],
    ['symlinks', [{ name: 'link', type: '2', linkname: '/etc' }], /unsafe entry "link": links are not allowed/],
    ['hard links', [{ name: 'hard', type: '1', linkname: 'index.js' }], /unsafe entry "hard": links are not allowed/],
    ['character devices', [{ name: 'tty', type: '3' }], /unsafe entry "tty": devices and fifos/],
    ['block devices', [{ name: 'sda', type: '4' }], /unsafe entry "sda": devices and fifos/],
    ['fifos', [{ name: 'pipe', type: '6' }], /unsafe entry "pipe": devices and fifos/],
    ['unknown types', [{ name: 'weird', type: 'Z' }], /unsupported entry "weird" of type "Z"/],
    ['duplicates', [{ name: 'a.js' }, { name: './a.js' }], /duplicate entry ".\/a.js"/],
    ['.. in a pax path', [{ name: 'h', type: 'x', data: paxRecord('path', '../evil') }, { name: 'ok' }], /unsafe entry "..\/evil"/],
  ];
  for (const [what, entries, why] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => parseTar(packTar(entries))).to.throw(PackageError, why);
    });
  }

  it('rejects an archive over the size limit, naming the entry', () => {
    const tar = packTar([{ name: 'a', data: 'x'.repeat(600) }, { name: 'b', data: 'x'.repeat(600) }]);
    expect(() => parseTar(tar, { ...DEFAULT_LIMITS, maxUnpackedBytes: 1000 })).to.throw(PackageError, /entry "b" takes the package past 1000 unpacked bytes/);
  });
  it('rejects too many entries', () => {
    const tar = packTar([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    expect(() => parseTar(tar, { ...DEFAULT_LIMITS, maxEntries: 2 })).to.throw(PackageError, /too many entries: "c" is past the limit of 2/);
  });
  it('rejects a checksum error', () => {
    const tar = packTar([{ name: 'index.js', data: 'x' }]);
    tar[0] = 'j'.charCodeAt(0);
    expect(() => parseTar(tar)).to.throw(PackageError, /checksum error in the header of entry "jndex.js"/);
  });
  it('rejects a truncated archive', () => {
    const tar = packTar([{ name: 'index.js', data: 'x'.repeat(2000) }]);
    expect(() => parseTar(tar.subarray(0, 1024))).to.throw(PackageError, /truncated archive: entry "index.js" wants 2000 bytes/);
    expect(() => parseTar(tar.subarray(0, 512 + 2048))).to.throw(PackageError, /truncated archive: no end-of-archive marker/);
  });
  it('rejects a bad size field', () => {
    const header = tarHeader({ name: 'a', type: '0', size: 0 });
    header.write('zz', 124, 'latin1');
    let sum = 0;
    header.fill(0x20, 148, 156);
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0', 148, 'latin1');
    expect(() => parseTar(Buffer.concat([header, Buffer.alloc(1024)]))).to.throw(PackageError, /bad size in the header of entry "a"/);
  });
});

describe('gunzipPackage', () => {
  it('fails clearly on a gzip bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    expect(bomb.length).to.be.below(20_000);
    const err = await gunzipPackage(bomb, 1024 * 1024).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PackageError).with.property('message', 'code package unpacks to more than 1048576 bytes');
  });
  it('rejects what is not gzip', async () => {
    const err = await gunzipPackage(packTar([{ name: 'a' }]), 1000).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(PackageError).with.property('message').match(/not gzip-compressed/);
  });
});
