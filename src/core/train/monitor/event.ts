// The `tensorboard.Event` messages this package writes: the file-version header and scalar summaries.
// Field numbers from tensorboard/compat/proto/event.proto and summary.proto.
import { MonitorError } from './errors.js';
import { ProtoWriter, readProtoFields } from './protobuf.js';

/** What every event file starts with; readers use it to recognise the format. */
export const FILE_VERSION = 'brain.Event:2';

/** A decoded event: its time, step and whichever of the two payloads it carries. */
export interface TbEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step: number;
  fileVersion?: string;
  /** Scalar summary values (`simple_value`), float32-rounded. */
  scalars: { tag: string; value: number }[];
}

/** Event{wall_time, step, file_version}, encoded. */
export function encodeFileVersionEvent(wallTime: number, version = FILE_VERSION): Uint8Array {
  return header(wallTime, 0).bytes(3, version).finish();
}

/** Event{wall_time, step, summary{value{tag, simple_value}}}, encoded. */
export function encodeScalarEvent(tag: string, value: number, step: number, wallTime: number): Uint8Array {
  const summaryValue = new ProtoWriter().bytes(1, tag).float(2, value).finish();
  const summary = new ProtoWriter().bytes(1, summaryValue).finish();
  return header(wallTime, step).bytes(5, summary).finish();
}

// proto3 leaves fields at their default (0) off the wire, as the Python and C++ serialisers do; matching that
// keeps our bytes identical to theirs. -0 is not the default (its bits differ), so it is written.
function header(wallTime: number, step: number): ProtoWriter {
  const w = new ProtoWriter();
  if (!Object.is(wallTime, 0)) w.double(1, wallTime);
  if (step !== 0) w.varint(2, step);
  return w;
}

/** Decodes the parts of an Event this package writes; other fields are skipped. */
export function decodeEvent(data: Uint8Array): TbEvent {
  const event: TbEvent = { wallTime: 0, step: 0, scalars: [] };
  for (const f of readProtoFields(data)) {
    if (f.field === 1 && f.wire === 1) event.wallTime = dataView(f.bytes).getFloat64(0, true);
    else if (f.field === 2 && f.wire === 0) event.step = Number(BigInt.asIntN(64, f.varint));
    else if (f.field === 3 && f.wire === 2) event.fileVersion = new TextDecoder().decode(f.bytes);
    else if (f.field === 5 && f.wire === 2) event.scalars.push(...decodeSummary(f.bytes));
  }
  return event;
}

function decodeSummary(data: Uint8Array): TbEvent['scalars'] {
  const out: TbEvent['scalars'] = [];
  for (const f of readProtoFields(data)) {
    if (f.field !== 1 || f.wire !== 2) continue;
    let tag: string | undefined;
    let value: number | undefined;
    for (const g of readProtoFields(f.bytes)) {
      if (g.field === 1 && g.wire === 2) tag = new TextDecoder().decode(g.bytes);
      else if (g.field === 2 && g.wire === 5) value = dataView(g.bytes).getFloat32(0, true);
    }
    // Values of other kinds (histograms, images, tensors) are not scalars written here: skip them.
    if (value === undefined) continue;
    if (tag === undefined) throw new MonitorError('MONITOR_CORRUPT', 'a summary value has a simple_value but no tag');
    out.push({ tag, value });
  }
  return out;
}

function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
