// Typed view of reference.json (written by scripts/fixtures/gen_baseline.py) for the baseline tests.
import { readFileSync } from 'node:fs';
import type { TfidfOptions } from '../tfidf.js';

export interface RefRow {
  row: number;
  indices: number[];
  values: number[];
}

export interface RefCase {
  name: string;
  params: { ngram_range?: [number, number]; min_df?: number; max_df?: number; max_features?: number; sublinear_tf?: boolean };
  vocabulary: string[];
  idf: number[];
  fitRows: RefRow[];
  heldRows: RefRow[];
  logreg?: { C: number; classes: string[]; proba: number[][] };
}

export interface Reference {
  train: { texts: string[]; labels: string[]; labels3: string[] };
  heldOut: string[];
  cases: RefCase[];
  unicode: { texts: string[]; cases: RefCase[] };
}

export const ref = JSON.parse(readFileSync(new URL('./reference.json', import.meta.url), 'utf8')) as Reference;

/** sklearn keyword arguments → our option names. */
export function tfidfOptions(p: RefCase['params']): TfidfOptions {
  return {
    ...(p.ngram_range ? { ngramRange: p.ngram_range } : {}),
    ...(p.min_df !== undefined ? { minDf: p.min_df } : {}),
    ...(p.max_df !== undefined ? { maxDf: p.max_df } : {}),
    ...(p.max_features !== undefined ? { maxFeatures: p.max_features } : {}),
    ...(p.sublinear_tf !== undefined ? { sublinearTf: p.sublinear_tf } : {}),
  };
}

/** Labels a case's regression was trained on (the three-class case uses the derived labels). */
export function caseLabels(c: RefCase): string[] {
  return c.logreg?.classes.length === 3 ? ref.train.labels3 : ref.train.labels;
}
