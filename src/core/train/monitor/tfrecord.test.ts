import { describe, expect, it } from 'vitest';
import { frameRecord, readRecords } from './tfrecord.js';

const enc = (s: string) => new TextEncoder().encode(s);
const stream = (...records: Uint8Array[]) => Buffer.concat(records.map(frameRecord));

describe('TFRecord framing', () => {
  it('frames as u64 length, masked CRC of the length, data, masked CRC of the data', () => {
    // Bytes of tensorboard's RecordWriter().write(b"abc").
    const framed = frameRecord(enc('abc'));
    expect(Buffer.from(framed).toString('hex')).toBe('0300000000000000b099490e6162636e57f121');
    expect(readRecords(framed).records.map((r) => Buffer.from(r).toString())).toEqual(['abc']);
  });

  it('reads every complete record of a stream cut at any byte and reports the cut-off tail', () => {
    const bytes = stream(enc('first'), enc(''), enc('third record'));
    const ends = [21, 37, bytes.length]; // where each record ends
    for (let cut = 0; cut <= bytes.length; cut++) {
      const scan = readRecords(bytes.subarray(0, cut));
      const complete = ends.filter((e) => e <= cut).length;
      expect(scan.records.length).toBe(complete);
      const start = complete === 0 ? 0 : ends[complete - 1]!;
      expect(scan.truncated).toEqual(cut === start ? undefined : { offset: start, bytes: cut - start });
    }
  });

  it('throws on a flipped bit, naming the source and the record offset', () => {
    const bytes = stream(enc('first'), enc('second'));
    const data = Buffer.from(bytes);
    data[21 + 13]! ^= 1;
    expect(() => readRecords(data, 'run.tfevents')).toThrow(
      'run.tfevents: the data of the record at byte 21 fails its CRC check',
    );
    const header = Buffer.from(bytes);
    header[21]! ^= 1;
    expect(() => readRecords(header)).toThrow(/length of the record at byte 21 fails its CRC check/);
  });
});
