// Training-run loggers: TensorBoard event files and a JSONL metrics log.
export { crc32c, maskedCrc32c } from './crc32c.js';
export { type MonitorErrorCode, MonitorError } from './errors.js';
export type { TbEvent } from './event.js';
export { type JsonlLogOptions, type JsonlRecord, type MetricValue, JsonlLog, readJsonl } from './jsonl.js';
export { type TensorBoardWriterOptions, TensorBoardWriter, readEventFile } from './tensorboard.js';
export { type RecordScan, frameRecord, readRecords } from './tfrecord.js';
