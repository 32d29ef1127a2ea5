// Reading entries out of a zip archive (a Python wheel): the central directory, then each wanted entry's data,
// inflated with zlib and checked against its CRC-32. Enough of the format for wheels; zip64 is refused clearly.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { crc32, inflateRawSync } from 'node:zlib';
import { CodedError } from '../../shared/index.js';

/** Why an archive could not be read. */
export class ZipError extends CodedError<'ZIP_FORMAT' | 'ZIP_CORRUPT'> {}

/** One file in the archive. */
export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the entry's local header. */
  offset: number;
}

function read(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  const n = readSync(fd, b, 0, length, position);
  return b.subarray(0, n);
}

/** Lists the entries of the zip file at `path` from its central directory. */
export function listZip(path: string): ZipEntry[] {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    // The end-of-central-directory record sits in the last 22 bytes plus up to 64 KiB of comment.
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = read(fd, size - tailLen, tailLen);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new ZipError('ZIP_FORMAT', `${path} is not a zip archive (no end-of-central-directory record)`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff)
      throw new ZipError('ZIP_FORMAT', `${path} is a zip64 archive, which is not supported`);
    const cd = read(fd, cdOffset, cdSize);
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(p) !== 0x02014b50)
        throw new ZipError('ZIP_CORRUPT', `${path}: central directory entry ${i} is damaged`);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      entries.push({
        method: cd.readUInt16LE(p + 10),
        crc: cd.readUInt32LE(p + 16),
        compressedSize: cd.readUInt32LE(p + 20),
        size: cd.readUInt32LE(p + 24),
        offset: cd.readUInt32LE(p + 42),
        name: cd.toString('utf8', p + 46, p + 46 + nameLen),
      });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return entries;
  } finally {
    closeSync(fd);
  }
}

/** The uncompressed bytes of one entry, CRC-checked. */
export function readZipEntry(path: string, entry: ZipEntry): Buffer {
  const fd = openSync(path, 'r');
  try {
    const local = read(fd, entry.offset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50)
      throw new ZipError('ZIP_CORRUPT', `${path}: local header of ${entry.name} is damaged`);
    const start = entry.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const raw = read(fd, start, entry.compressedSize);
    let data: Buffer;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) data = inflateRawSync(raw);
    else
      throw new ZipError(
        'ZIP_FORMAT',
        `${path}: ${entry.name} uses compression method ${entry.method}; only stored and deflate are supported`,
      );
    if (data.length !== entry.size || crc32(data) !== entry.crc) {
      throw new ZipError(
        'ZIP_CORRUPT',
        `${path}: ${entry.name} fails its CRC-32 check: the archive is damaged, download it again`,
      );
    }
    return data;
  } finally {
    closeSync(fd);
  }
}
