/**
 * Reading report.json out of a downloaded artifact's zip without unpacking it (src/rerun/zip-entry.ts): only the
 * named entry is read, never past its limit; names are compared, never used as paths; and every corrupt, truncated,
 * lying or hostile archive is a named error. The archives are built here, byte by byte, so each case is exact.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import zlib from 'node:zlib';
import { readZipDirectory, readZipEntry, ZipEntryTooLargeError, ZipError, ZIP_LIMITS } from '../../src/rerun/zip-entry.ts';

interface EntrySpec {
  name: string;
  data: Buffer;
  method?: 0 | 8 | 12;
  /** Sizes and CRC go in a data descriptor after the data, as streaming writers (archiver) do. */
  descriptor?: boolean;
  /** Sizes and offset in a ZIP64 extra field, as for entries over 4 GiB. */
  zip64?: boolean;
  /** What the directory claims instead of the truth. */
  claim?: { size?: number; compressedSize?: number; crc32?: number; flags?: number };
  /** Compressed bytes to store instead of compressing `data`. */
  raw?: Buffer;
}

/** A zip as writers make them: local headers and data, the central directory, then the end records. */
function zip(entries: EntrySpec[], options: { comment?: string; zip64End?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const method = entry.method ?? 8;
    const compressed = entry.raw ?? (method === 8 ? zlib.deflateRawSync(entry.data) : entry.data);
    const crc = entry.claim?.crc32 ?? zlib.crc32(entry.data);
    const size = entry.claim?.size ?? entry.data.length;
    const compressedSize = entry.claim?.compressedSize ?? compressed.length;
    const flags = (entry.claim?.flags ?? 0x0800) | (entry.descriptor ? 0x0008 : 0);
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(entry.descriptor ? 0 : crc, 14);
    local.writeUInt32LE(entry.descriptor ? 0 : compressedSize, 18);
    local.writeUInt32LE(entry.descriptor ? 0 : size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, compressed);
    if (entry.descriptor) {
      const descriptor = Buffer.alloc(16);
      descriptor.writeUInt32LE(0x08074b50, 0);
      descriptor.writeUInt32LE(crc, 4);
      descriptor.writeUInt32LE(compressedSize, 8);
      descriptor.writeUInt32LE(size, 12);
      parts.push(descriptor);
    }
    const extra = entry.zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (entry.zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(compressedSize), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(45, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(flags, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(entry.zip64 ? 0xffffffff : compressedSize, 20);
    header.writeUInt32LE(entry.zip64 ? 0xffffffff : size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(extra.length, 30);
    header.writeUInt32LE(entry.zip64 ? 0xffffffff : offset, 42);
    central.push(header, name, extra);
    offset += local.length + name.length + compressed.length + (entry.descriptor ? 16 : 0);
  }
  const directory = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (options.zip64End) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const comment = Buffer.from(options.comment ?? '', 'utf8');
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(options.zip64End ? 0xffff : entries.length, 8);
  end.writeUInt16LE(options.zip64End ? 0xffff : entries.length, 10);
  end.writeUInt32LE(options.zip64End ? 0xffffffff : directory.length, 12);
  end.writeUInt32LE(options.zip64End ? 0xffffffff : offset, 16);
  end.writeUInt16LE(comment.length, 20);
  return Buffer.concat([...parts, directory, ...tail, end, comment]);
}

const REPORT = Buffer.from(JSON.stringify({ schemaVersion: 1, fixtures: ['a'.repeat(5000)] }));
const LIMIT = 1024 * 1024;

/** Writes the archive two folders deep in a private folder, so a test can watch the folder above the archive's too. */
function write(t: TestContext, bytes: Buffer): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-zip-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'download');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'artifact.zip');
  fs.writeFileSync(file, bytes);
  return file;
}

const read = (t: TestContext, bytes: Buffer, name = 'report.json', limit = LIMIT) => readZipEntry(write(t, bytes), name, limit);

describe('reading one entry of a zip', () => {
  it('reads a deflated entry and a stored one, and says when there is none', async (t) => {
    const file = write(t, zip([{ name: 'junit.xml', data: Buffer.from('<x/>') }, { name: 'report.json', data: REPORT }, { name: 'plan.txt', data: Buffer.from('p'), method: 0 }]));
    assert.deepEqual(Buffer.from((await readZipEntry(file, 'report.json', LIMIT))!), REPORT);
    assert.deepEqual(Buffer.from((await readZipEntry(file, 'plan.txt', LIMIT))!), Buffer.from('p'));
    assert.equal(await readZipEntry(file, 'missing.json', LIMIT), null);
    assert.deepEqual((await readZipDirectory(file)).entries.map((entry) => entry.name), ['junit.xml', 'report.json', 'plan.txt']);
  });

  it('reads what streaming writers make: data descriptors, ZIP64 sizes and end records, an archive comment', async (t) => {
    const entries: EntrySpec[] = [
      { name: 'failures/a/attempt-1.png', data: Buffer.alloc(3000, 7), descriptor: true },
      { name: 'report.json', data: REPORT, descriptor: true, zip64: true },
    ];
    const bytes = await read(t, zip(entries, { zip64End: true, comment: 'PK\x05\x06 looks like an end record' }));
    assert.deepEqual(Buffer.from(bytes!), REPORT);
  });

  it('only compares names: an entry named ../report.json or /report.json is not report.json, and nothing is written', async (t) => {
    const file = write(t, zip([{ name: '../report.json', data: REPORT }, { name: '/report.json', data: REPORT }, { name: 'dir/report.json', data: REPORT }]));
    const before = fs.readdirSync(path.dirname(path.dirname(file)));
    assert.equal(await readZipEntry(file, 'report.json', LIMIT), null);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['artifact.zip']);
    assert.deepEqual(fs.readdirSync(path.dirname(path.dirname(file))), before);
    assert.deepEqual(before, ['download']);
  });

  it('never inflates other entries: a bomb beside report.json costs nothing', async (t) => {
    const bomb = zlib.deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const entries: EntrySpec[] = [
      { name: 'failures/x/attempt-1.html', data: Buffer.alloc(0), raw: bomb, claim: { size: 64 * 1024 * 1024 } },
      { name: 'report.json', data: REPORT },
    ];
    assert.deepEqual(Buffer.from((await read(t, zip(entries)))!), REPORT);
  });

  it('a report.json that says it is over the limit is refused before anything is inflated', async (t) => {
    const big = Buffer.alloc(2 * LIMIT, 0x20);
    const error = await read(t, zip([{ name: 'report.json', data: big }])).catch((caught: unknown) => caught);
    assert.ok(error instanceof ZipEntryTooLargeError, String(error));
    assert.equal(error.size, 2 * LIMIT);
  });

  it('a zip bomb that lies about its size stops inflating at the limit', async (t) => {
    const zeros = Buffer.alloc(256 * 1024 * 1024);
    const bomb = zlib.deflateRawSync(zeros, { level: 9 });
    assert.ok(bomb.length < 300 * 1024, `a ${bomb.length}-byte bomb`);
    const entries: EntrySpec[] = [{ name: 'report.json', data: Buffer.from('{}'), raw: bomb }];
    const error = await read(t, zip(entries)).catch((caught: unknown) => caught);
    assert.ok(error instanceof ZipEntryTooLargeError, String(error));
    assert.match(error.message, /inflates to more than the 1048576-byte limit/);
  });
});

describe('archives that cannot be trusted are named errors', () => {
  const corrupt = async (t: TestContext, bytes: Buffer, message: RegExp) => {
    const error = await read(t, bytes).catch((caught: unknown) => caught);
    assert.ok(error instanceof ZipError, `expected a ZipError, got ${String(error)}`);
    assert.match(error.message, message);
  };
  const good = zip([{ name: 'junit.xml', data: Buffer.from('<x/>') }, { name: 'report.json', data: REPORT }]);

  it('not a zip at all, empty, or cut short', async (t) => {
    await corrupt(t, Buffer.from('{"schemaVersion": 1}'.repeat(3)), /no end of central directory record/);
    await corrupt(t, Buffer.alloc(0), /too short to be a zip/);
    await corrupt(t, good.subarray(0, good.length - 30), /no end of central directory record/);
    await corrupt(t, good.subarray(40), /central directory runs past the end|corrupt/);
  });

  it('a central directory or local header that is not where the end record says', async (t) => {
    const shifted = Buffer.from(good);
    shifted.writeUInt32LE(shifted.readUInt32LE(shifted.length - 6) + 3, shifted.length - 6);
    await corrupt(t, shifted, /central directory runs past the end|central directory is corrupt/);
    await corrupt(t, zip([{ name: 'report.json', data: REPORT }]).fill(0, 0, 4), /local header of report\.json is corrupt/);
  });

  it('data that does not match its checksum or its size', async (t) => {
    await corrupt(t, zip([{ name: 'report.json', data: REPORT, claim: { crc32: 12345 } }]), /does not match its checksum/);
    await corrupt(t, zip([{ name: 'report.json', data: REPORT, claim: { size: 10 } }]), /is \d+ bytes, but the archive says 10/);
    await corrupt(t, zip([{ name: 'report.json', data: REPORT, raw: Buffer.from('not deflate at all') }]), /cannot be inflated/);
  });

  it('entries this reader will not read: encrypted, another compression method, twice the same name', async (t) => {
    await corrupt(t, zip([{ name: 'report.json', data: REPORT, claim: { flags: 0x0801 } }]), /report\.json is encrypted/);
    await corrupt(t, zip([{ name: 'report.json', data: REPORT, method: 12 }]), /compressed with method 12/);
    await corrupt(t, zip([{ name: 'report.json', data: REPORT }, { name: 'report.json', data: Buffer.from('{}') }]), /2 entries named report\.json/);
  });

  it('more entries or a bigger directory than any smoke artifact', async (t) => {
    const many = Buffer.from(good);
    many.writeUInt16LE(0xffff, many.length - 14);
    many.writeUInt16LE(0xffff, many.length - 12);
    await corrupt(t, many, /ZIP64 end record locator is missing/);
    const lying = zip([{ name: 'report.json', data: REPORT }], { zip64End: true });
    // The ZIP64 record says a billion entries.
    lying.writeBigUInt64LE(1_000_000_000n, lying.length - 22 - 20 - 56 + 32);
    await corrupt(t, lying, new RegExp(`more than the ${ZIP_LIMITS.maxEntries}`));
  });
});
