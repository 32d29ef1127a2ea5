// Labelled examples and datasets. A dataset is identified by a content hash of its examples (inputs and labels,
// in order), so every result can name exactly the data it came from, and the same data always has the same id.
import { createHash } from 'node:crypto';

/** One labelled example: named input fields (text, or title + body, or a pair) and its label(s). */
export interface Example {
  /** Stable id within the dataset: "<source>:<line>" for imported rows. */
  id: string;
  inputs: Record<string, string>;
  /** One label for single-label tasks; zero or more for multi-label tasks. */
  labels: string[];
  /** 1-based line (CSV/JSONL) or row (Parquet) in the source file. */
  line: number;
}

/** A versioned set of examples. */
export interface Dataset {
  /** sha256 of the ordered examples' inputs and labels. */
  hash: string;
  examples: Example[];
  /** The input field names. */
  fields: string[];
  /** Every label that occurs, sorted. */
  labels: string[];
  /** Where it came from (file path, or what it was derived from). */
  source: string;
}

/** The content hash of examples: inputs (keys sorted) and labels, in order; ids, lines and sources excluded. */
export function datasetHash(examples: readonly Example[]): string {
  const h = createHash('sha256');
  for (const e of examples) {
    const inputs = Object.keys(e.inputs)
      .sort()
      .map((k) => [k, e.inputs[k]]);
    h.update(JSON.stringify([inputs, e.labels]));
    h.update('\n');
  }
  return h.digest('hex');
}

/** Builds a dataset (hash, fields and label set) from examples. */
export function makeDataset(examples: Example[], source: string): Dataset {
  const fields = [...new Set(examples.flatMap((e) => Object.keys(e.inputs)))];
  const labels = [...new Set(examples.flatMap((e) => e.labels))].sort();
  return { hash: datasetHash(examples), examples, fields, labels, source };
}
