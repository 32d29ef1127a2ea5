// Public API of the data step: import, versioned datasets, the data report, splits, K-shot samples and exports.
export { DataError, type DataErrorCode, type DataErrorDetails } from './errors.js';
export { type Example, type Dataset, datasetHash, makeDataset } from './example.js';
export { type CsvRecord, type CsvCursor, parseCsv, readCsvRecords, csvBomLength, csvLine } from './csv.js';
export {
  type ReadRow,
  type StreamedRow,
  type StreamPosition,
  type RowStreamOptions,
  type RowStream,
  openRowStream,
  csvRow,
  jsonlRow,
} from './stream.js';
export {
  TEXT_ENCODINGS,
  type TextEncoding,
  CSV_DELIMITERS,
  type CsvDelimiter,
  type SettingSource,
  type DecodedText,
  type InvalidByte,
  decodeText,
  detectDelimiter,
  delimiterName,
  parseDelimiter,
  parseEncoding,
} from './formats.js';
export { type ProblemSummary, labelMismatch, problemLine, problemLines, summarizeProblems } from './problems.js';
export { checkDataPath, checkTextFile } from './file-check.js';
export { type SheetRows, readXlsx, cellText } from './xlsx.js';
export {
  type DataFormat,
  type ReadOptions,
  type ReadInfo,
  describeRead,
  csvHeader,
  type ImportOptions,
  type ImportResult,
  type RowProblem,
  type ProblemCode,
  type LabelRewrite,
  formatOf,
  importFile,
  type LabelCheck,
  checkLabels,
  type Table,
  readTable,
} from './import.js';
export { type ReportOptions, type DataReport, type DuplicateGroup, dataReport, formatReport, exampleText } from './report.js';
export { type LanguageGuess, detectLanguages } from './language.js';
export { stratifiedSplit, kShot } from './split.js';
export { type ChatFormatter, toChatJsonl, writeHfDatasetDir } from './export.js';
export { type CorpusOptions, readCorpus } from './corpus.js';
