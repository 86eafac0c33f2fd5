/**
 * Reads one named file out of a zip archive on disk, and nothing else: a downloaded smoke artifact is untrusted, so
 * it is never unpacked. The central directory (at the end of the file) says where the entry is; only that entry is
 * read and inflated, into memory, and never past a byte limit. No entry name is ever used as a path, so names such
 * as `../../etc/x` mean nothing here, and a zip bomb costs at most the limit.
 *
 * Enough of the format for what upload-artifact and @actions/artifact write (stored and deflated entries, data
 * descriptors, ZIP64 records), and every length in the file is checked against the file before it is believed.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const inflateRaw = promisify(zlib.inflateRaw);

const SIGNATURE = {
  localHeader: 0x04034b50,
  centralHeader: 0x02014b50,
  end: 0x06054b50,
  zip64End: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;
const END_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_END_SIZE = 56;
const MAX_COMMENT = 0xffff;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const ZIP64_EXTRA_ID = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

/**
 * A smoke artifact holds report.json, junit.xml, report.html and three evidence files per failed attempt: even a
 * report at its limits (20,000 fixtures) lists far fewer entries, in far less directory, than these.
 */
export const ZIP_LIMITS = { maxEntries: 200_000, maxCentralDirectoryBytes: 64 * 1024 * 1024 } as const;

/** The archive is not one this reader can trust: corrupt, truncated, encrypted, or not a zip at all. */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

/** The entry inflates to more than the limit (or says it would): it is not read further. */
export class ZipEntryTooLargeError extends Error {
  readonly size: number | null;
  constructor(name: string, limit: number, size: number | null) {
    super(`${name} ${size === null ? 'inflates to' : `is ${size} bytes,`} more than the ${limit}-byte limit`);
    this.name = 'ZipEntryTooLargeError';
    this.size = size;
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  /** Where the central directory starts: every entry's data lies before it. */
  centralDirectoryOffset: number;
}

/** Reads the central directory of the zip at `file`; throws ZipError when it is not a readable zip. */
export async function readZipDirectory(file: string): Promise<ZipDirectory> {
  const handle = await open(file, 'r');
  try {
    return await directoryOf(handle);
  } finally {
    await handle.close();
  }
}

/**
 * The bytes of the entry called exactly `name`, or null when the archive has none. Throws ZipError for a corrupt
 * archive or entry, ZipEntryTooLargeError when it would be more than `maxBytes`.
 */
export async function readZipEntry(file: string, name: string, maxBytes: number): Promise<Uint8Array | null> {
  const handle = await open(file, 'r');
  try {
    const directory = await directoryOf(handle);
    const found = directory.entries.filter((entry) => entry.name === name);
    if (found.length === 0) return null;
    if (found.length > 1) throw new ZipError(`it holds ${found.length} entries named ${name}, so which one counts is unclear`);
    return await entryBytes(handle, found[0]!, directory.centralDirectoryOffset, maxBytes);
  } finally {
    await handle.close();
  }
}

async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, offset);
  if (bytesRead !== length) throw new ZipError(`it ends early: ${length} bytes were expected at offset ${offset}`);
  return buffer;
}

async function directoryOf(handle: FileHandle): Promise<ZipDirectory> {
  const { size: fileSize } = await handle.stat();
  if (fileSize < END_SIZE) throw new ZipError(`it is ${fileSize} bytes, too short to be a zip`);
  const tailLength = Math.min(fileSize, END_SIZE + MAX_COMMENT);
  const tail = await readAt(handle, fileSize - tailLength, tailLength);
  const endAt = findEndRecord(tail);
  if (endAt < 0) throw new ZipError('it has no end of central directory record: it is not a zip, or it was cut short');
  const end = tail.subarray(endAt);
  const endOffset = fileSize - tailLength + endAt;
  let entryCount = end.readUInt16LE(10);
  let directorySize = end.readUInt32LE(12);
  let directoryOffset = end.readUInt32LE(16);
  if (end.readUInt16LE(4) !== 0 || end.readUInt16LE(6) !== 0 || end.readUInt16LE(8) !== entryCount) {
    throw new ZipError('it spans several disks, which an artifact never does');
  }
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    ({ entryCount, directorySize, directoryOffset } = await zip64End(handle, endOffset));
  }
  if (entryCount > ZIP_LIMITS.maxEntries) throw new ZipError(`it lists ${entryCount} entries, more than the ${ZIP_LIMITS.maxEntries} a smoke artifact could hold`);
  if (directorySize > ZIP_LIMITS.maxCentralDirectoryBytes) {
    throw new ZipError(`its central directory is ${directorySize} bytes, more than the ${ZIP_LIMITS.maxCentralDirectoryBytes} a smoke artifact could need`);
  }
  if (directoryOffset + directorySize > endOffset) throw new ZipError('its central directory runs past the end of the file');
  const directory = await readAt(handle, directoryOffset, directorySize);
  return { entries: parseCentralDirectory(directory, entryCount, directoryOffset), centralDirectoryOffset: directoryOffset };
}

/** The last end record whose comment runs exactly to the end of the file. */
function findEndRecord(tail: Buffer): number {
  for (let at = tail.length - END_SIZE; at >= 0; at -= 1) {
    if (tail.readUInt32LE(at) === SIGNATURE.end && at + END_SIZE + tail.readUInt16LE(at + 20) === tail.length) return at;
  }
  return -1;
}

async function zip64End(handle: FileHandle, endOffset: number) {
  if (endOffset < ZIP64_LOCATOR_SIZE) throw new ZipError('its ZIP64 end record is missing');
  const locator = await readAt(handle, endOffset - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
  if (locator.readUInt32LE(0) !== SIGNATURE.zip64Locator) throw new ZipError('its ZIP64 end record locator is missing');
  const recordOffset = safeNumber(locator.readBigUInt64LE(8), 'the ZIP64 end record offset');
  if (recordOffset + ZIP64_END_SIZE > endOffset) throw new ZipError('its ZIP64 end record is outside the file');
  const record = await readAt(handle, recordOffset, ZIP64_END_SIZE);
  if (record.readUInt32LE(0) !== SIGNATURE.zip64End) throw new ZipError('its ZIP64 end record is corrupt');
  return {
    entryCount: safeNumber(record.readBigUInt64LE(32), 'the number of entries'),
    directorySize: safeNumber(record.readBigUInt64LE(40), 'the central directory size'),
    directoryOffset: safeNumber(record.readBigUInt64LE(48), 'the central directory offset'),
  };
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError(`${what} is out of range`);
  return Number(value);
}

function parseCentralDirectory(directory: Buffer, entryCount: number, directoryOffset: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < entryCount; index += 1) {
    if (at + CENTRAL_HEADER_SIZE > directory.length || directory.readUInt32LE(at) !== SIGNATURE.centralHeader) {
      throw new ZipError(`its central directory is corrupt at entry ${index + 1} of ${entryCount}`);
    }
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const next = at + CENTRAL_HEADER_SIZE + nameLength + extraLength + commentLength;
    if (next > directory.length) throw new ZipError(`its central directory is cut short at entry ${index + 1} of ${entryCount}`);
    const flags = directory.readUInt16LE(at + 8);
    const nameBytes = directory.subarray(at + CENTRAL_HEADER_SIZE, at + CENTRAL_HEADER_SIZE + nameLength);
    const extra = directory.subarray(at + CENTRAL_HEADER_SIZE + nameLength, at + CENTRAL_HEADER_SIZE + nameLength + extraLength);
    const sizes = withZip64Sizes(
      { compressedSize: directory.readUInt32LE(at + 20), size: directory.readUInt32LE(at + 24), localHeaderOffset: directory.readUInt32LE(at + 42) },
      extra,
    );
    if (sizes.localHeaderOffset + LOCAL_HEADER_SIZE > directoryOffset) throw new ZipError(`entry ${index + 1} starts past the end of the data`);
    entries.push({
      // Names are only compared, never used as paths. Without the UTF-8 flag they are CP437, which agrees with
      // UTF-8 on the ASCII names compared here.
      name: (flags & FLAG_UTF8) !== 0 ? nameBytes.toString('utf8') : nameBytes.toString('latin1'),
      method: directory.readUInt16LE(at + 10),
      flags,
      crc32: directory.readUInt32LE(at + 16),
      ...sizes,
    });
    at = next;
  }
  return entries;
}

/** ZIP64 puts the sizes that do not fit in 32 bits in an extra field, in this order, only for those that do not fit. */
function withZip64Sizes(sizes: { compressedSize: number; size: number; localHeaderOffset: number }, extra: Buffer) {
  const needed = (['size', 'compressedSize', 'localHeaderOffset'] as const).filter((key) => sizes[key] === 0xffffffff);
  if (needed.length === 0) return sizes;
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (at + 4 + length > extra.length) break;
    if (id === ZIP64_EXTRA_ID) {
      if (length < needed.length * 8) break;
      const found = { ...sizes };
      needed.forEach((key, index) => {
        found[key] = safeNumber(extra.readBigUInt64LE(at + 4 + index * 8), `a ZIP64 ${key}`);
      });
      return found;
    }
    at += 4 + length;
  }
  throw new ZipError('an entry needs ZIP64 sizes that it does not have');
}

async function entryBytes(handle: FileHandle, entry: ZipEntry, dataEnd: number, maxBytes: number): Promise<Uint8Array> {
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) throw new ZipError(`${entry.name} is encrypted`);
  if (entry.method !== METHOD_STORED && entry.method !== METHOD_DEFLATED) {
    throw new ZipError(`${entry.name} is compressed with method ${entry.method}; only stored and deflated entries are read`);
  }
  if (entry.size > maxBytes) throw new ZipEntryTooLargeError(entry.name, maxBytes, entry.size);
  // Deflate never grows data by more than a few bytes per 16 KiB block, so a bigger compressed entry lies about itself.
  if (entry.compressedSize > maxBytes + 1024 + maxBytes / 1024) throw new ZipEntryTooLargeError(entry.name, maxBytes, entry.compressedSize);
  const local = await readAt(handle, entry.localHeaderOffset, LOCAL_HEADER_SIZE);
  if (local.readUInt32LE(0) !== SIGNATURE.localHeader) throw new ZipError(`the local header of ${entry.name} is corrupt`);
  const dataStart = entry.localHeaderOffset + LOCAL_HEADER_SIZE + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (dataStart + entry.compressedSize > dataEnd) throw new ZipError(`the data of ${entry.name} runs past the end of the entries`);
  const compressed = await readAt(handle, dataStart, entry.compressedSize);
  const bytes = entry.method === METHOD_STORED ? compressed : await inflated(compressed, entry.name, maxBytes);
  if (bytes.length !== entry.size) throw new ZipError(`${entry.name} is ${bytes.length} bytes, but the archive says ${entry.size}`);
  if (zlib.crc32(bytes) !== entry.crc32) throw new ZipError(`${entry.name} does not match its checksum (CRC-32)`);
  return bytes;
}

async function inflated(compressed: Buffer, name: string, maxBytes: number): Promise<Buffer> {
  try {
    return await inflateRaw(compressed, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ZipEntryTooLargeError(name, maxBytes, null);
    throw new ZipError(`${name} cannot be inflated: ${(error as Error).message}`);
  }
}
