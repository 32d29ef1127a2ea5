// TFRecord framing: u64 length, masked CRC of the length, the data, masked CRC of the data (little-endian).
import { maskedCrc32c } from './crc32c.js';
import { MonitorError } from './errors.js';

/** One record, framed: 12 bytes of header, the data, 4 bytes of footer. */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + 16);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** The records of a TFRecord byte stream, plus where a cut-off last record starts when the stream ends mid-record. */
export interface RecordScan {
  records: Uint8Array[];
  /** Byte offset and size of an incomplete trailing record (a writer killed mid-write); absent when none. */
  truncated?: { offset: number; bytes: number };
}

/** Splits `bytes` into records, checking both CRCs; an incomplete tail is reported, a bad checksum throws. */
export function readRecords(bytes: Uint8Array, source = 'TFRecord data'): RecordScan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const left = bytes.length - pos;
    if (left < 12) return { records, truncated: { offset: pos, bytes: left } };
    if (view.getUint32(pos + 8, true) !== maskedCrc32c(bytes.subarray(pos, pos + 8))) {
      throw new MonitorError('MONITOR_CORRUPT', `${source}: the length of the record at byte ${pos} fails its CRC check`);
    }
    const length = Number(view.getBigUint64(pos, true));
    if (left < length + 16) return { records, truncated: { offset: pos, bytes: left } };
    const data = bytes.subarray(pos + 12, pos + 12 + length);
    if (view.getUint32(pos + 12 + length, true) !== maskedCrc32c(data)) {
      throw new MonitorError('MONITOR_CORRUPT', `${source}: the data of the record at byte ${pos} fails its CRC check`);
    }
    records.push(data);
    pos += length + 16;
  }
  return { records };
}
