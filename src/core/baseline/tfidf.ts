// TF-IDF features matching scikit-learn's TfidfVectorizer: vocabulary in code-point order, document-frequency
// pruning and max_features like CountVectorizer, smooth idf, optional sublinear tf, L2-normalised sparse rows.
import { compareCodePoints, tfidfTerms } from './analyzer.js';
import { BaselineError } from './errors.js';

/** One sparse row: column indices in increasing order and their values. */
export interface SparseRow {
  indices: Int32Array;
  values: Float64Array;
}

/** Vectorizer settings; each default is sklearn's. */
export interface TfidfOptions {
  /** Smallest and largest n-gram length (sklearn ngram_range); default [1, 1]. */
  ngramRange?: readonly [number, number];
  /** Keep terms in at least this many documents: an integer ≥ 1 counts documents, a value in [0, 1) is a fraction; default 1. */
  minDf?: number;
  /** Keep terms in at most this many documents: a value in (0, 1] is a fraction, an integer > 1 counts; default 1 (all). */
  maxDf?: number;
  /** Keep only the most frequent terms (total count over the corpus, ties by term order); default all. */
  maxFeatures?: number | null;
  /** Use 1 + ln(tf) instead of tf; default false. */
  sublinearTf?: boolean;
  /** Lower-case before tokenizing; default true. */
  lowercase?: boolean;
}

/** Resolved settings, as saved. */
export type TfidfSettings = Required<TfidfOptions>;

/** A fitted vectorizer as plain JSON. */
export interface TfidfJSON {
  settings: TfidfSettings;
  vocabulary: string[];
  idf: number[];
}

/** Fills in sklearn's defaults and rejects impossible values, naming the option. */
export function tfidfSettings(opts: TfidfOptions = {}): TfidfSettings {
  const s: TfidfSettings = {
    ngramRange: opts.ngramRange ?? [1, 1],
    minDf: opts.minDf ?? 1,
    maxDf: opts.maxDf ?? 1,
    maxFeatures: opts.maxFeatures ?? null,
    sublinearTf: opts.sublinearTf ?? false,
    lowercase: opts.lowercase ?? true,
  };
  const [lo, hi] = s.ngramRange;
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
    throw bad(`ngramRange must be two integers 1 ≤ min ≤ max, got [${lo}, ${hi}]; use [1, 1] or [1, 2]`);
  }
  if (!(s.minDf >= 0) || (s.minDf >= 1 && !Number.isInteger(s.minDf))) {
    throw bad(`minDf must be a document count (integer ≥ 1) or a fraction in [0, 1), got ${s.minDf}`);
  }
  if (!(s.maxDf > 0) || (s.maxDf > 1 && !Number.isInteger(s.maxDf))) {
    throw bad(`maxDf must be a fraction in (0, 1] or a document count (integer > 1), got ${s.maxDf}`);
  }
  if (s.maxFeatures !== null && !(Number.isInteger(s.maxFeatures) && s.maxFeatures > 0)) {
    throw bad(`maxFeatures must be a positive integer or null, got ${s.maxFeatures}`);
  }
  return s;
}

function bad(message: string): BaselineError {
  return new BaselineError('BASELINE_OPTIONS', message);
}

/** A fitted TF-IDF vectorizer: `vocabulary[i]` is column i, `idf[i]` its inverse document frequency. */
export class TfidfVectorizer {
  private readonly index: Map<string, number>;

  private constructor(
    readonly settings: TfidfSettings,
    readonly vocabulary: readonly string[],
    readonly idf: Float64Array,
  ) {
    this.index = new Map(vocabulary.map((t, i) => [t, i]));
  }

  /** Learns the vocabulary and idf from `texts`; same result as sklearn's `TfidfVectorizer(**opts).fit`. */
  static fit(texts: readonly string[], opts: TfidfOptions = {}): TfidfVectorizer {
    return TfidfVectorizer.fitTransform(texts, opts).vectorizer;
  }

  /** Fits on `texts` and returns their rows too, tokenizing each text once. */
  static fitTransform(texts: readonly string[], opts: TfidfOptions = {}): { vectorizer: TfidfVectorizer; rows: SparseRow[] } {
    const settings = tfidfSettings(opts);
    const counts = countTerms(texts, settings);
    const { keep, vocabulary, df } = pruneAndSort(counts, texts.length, settings);
    const idf = new Float64Array(vocabulary.length);
    // smooth_idf: as if one extra document contained every term once, so no term gets a zero division.
    for (let j = 0; j < idf.length; j++) idf[j] = Math.log((texts.length + 1) / ((df[j] as number) + 1)) + 1;
    const vectorizer = new TfidfVectorizer(settings, vocabulary, idf);
    const rows = counts.docs.map((d) => vectorizer.weigh(remap(d.ids, d.counts, keep)));
    return { vectorizer, rows };
  }

  /** Rebuilds a vectorizer saved with `toJSON`. */
  static fromJSON(json: TfidfJSON): TfidfVectorizer {
    const settings = tfidfSettings(json.settings);
    if (!Array.isArray(json.vocabulary) || !Array.isArray(json.idf) || json.vocabulary.length !== json.idf.length) {
      throw new BaselineError('BASELINE_FORMAT', 'vectorizer: vocabulary and idf must be arrays of the same length');
    }
    if (!json.idf.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new BaselineError('BASELINE_FORMAT', 'vectorizer.idf must hold finite numbers');
    }
    return new TfidfVectorizer(settings, json.vocabulary.map(String), Float64Array.from(json.idf));
  }

  /** Terms of one text under this vectorizer's analyzer. */
  analyze(text: string): string[] {
    return tfidfTerms(text, this.settings.ngramRange, this.settings.lowercase);
  }

  /** TF-IDF rows of `texts`; terms outside the vocabulary are ignored, an empty row stays all-zero. */
  transform(texts: readonly string[]): SparseRow[] {
    const seen = new Int32Array(this.vocabulary.length).fill(-1);
    return texts.map((text) => {
      const ids: number[] = [];
      const counts: number[] = [];
      for (const term of this.analyze(text)) {
        const j = this.index.get(term);
        if (j === undefined) continue;
        const at = seen[j] as number;
        if (at >= 0) counts[at] = (counts[at] as number) + 1;
        else {
          seen[j] = ids.length;
          ids.push(j);
          counts.push(1);
        }
      }
      for (const j of ids) seen[j] = -1;
      return this.weigh(sortRow(ids, counts));
    });
  }

  /** Plain JSON (numbers round-trip exactly). */
  toJSON(): TfidfJSON {
    return { settings: this.settings, vocabulary: [...this.vocabulary], idf: Array.from(this.idf) };
  }

  /** Counts → tf (or 1 + ln tf) × idf, then L2-normalised in place. */
  private weigh(row: SparseRow): SparseRow {
    const { indices, values } = row;
    let sq = 0;
    for (let k = 0; k < values.length; k++) {
      const tf = this.settings.sublinearTf ? Math.log(values[k] as number) + 1 : (values[k] as number);
      const v = tf * (this.idf[indices[k] as number] as number);
      values[k] = v;
      sq += v * v;
    }
    if (sq > 0) {
      const norm = Math.sqrt(sq);
      for (let k = 0; k < values.length; k++) values[k] = (values[k] as number) / norm;
    }
    return row;
  }
}

/** Per-document term counts over provisional term ids (first-seen order), with corpus df and total counts. */
interface TermCounts {
  terms: string[];
  df: number[];
  total: number[];
  docs: { ids: Int32Array; counts: Float64Array }[];
}

function countTerms(texts: readonly string[], s: TfidfSettings): TermCounts {
  const ids = new Map<string, number>();
  const terms: string[] = [];
  const df: number[] = [];
  const total: number[] = [];
  // lastDoc/slot find a term's place in the current document without a per-document map.
  const lastDoc: number[] = [];
  const slot: number[] = [];
  const docs = texts.map((text, d) => {
    const docIds: number[] = [];
    const docCounts: number[] = [];
    for (const term of tfidfTerms(text, s.ngramRange, s.lowercase)) {
      let t = ids.get(term);
      if (t === undefined) {
        t = terms.length;
        ids.set(term, t);
        terms.push(term);
        df.push(0);
        total.push(0);
        lastDoc.push(-1);
        slot.push(0);
      }
      total[t] = (total[t] as number) + 1;
      if (lastDoc[t] === d) {
        const k = slot[t] as number;
        docCounts[k] = (docCounts[k] as number) + 1;
      } else {
        lastDoc[t] = d;
        slot[t] = docIds.length;
        docIds.push(t);
        docCounts.push(1);
        df[t] = (df[t] as number) + 1;
      }
    }
    return { ids: Int32Array.from(docIds), counts: Float64Array.from(docCounts) };
  });
  return { terms, df, total, docs };
}

/** CountVectorizer's pruning: df bounds, then the maxFeatures most frequent; kept terms in code-point order. */
function pruneAndSort(c: TermCounts, nDocs: number, s: TfidfSettings): { keep: Int32Array; vocabulary: string[]; df: number[] } {
  // sklearn: an int is a document count, a float a fraction of nDocs (compared as floats, not rounded).
  const high = s.maxDf > 1 ? s.maxDf : s.maxDf * nDocs;
  const low = s.minDf >= 1 ? s.minDf : s.minDf * nDocs;
  if (high < low) {
    throw bad(`maxDf (${s.maxDf}) allows fewer documents than minDf (${s.minDf}) on ${nDocs} texts; raise maxDf or lower minDf`);
  }
  const order = c.terms.map((_, t) => t).sort((a, b) => compareCodePoints(c.terms[a] as string, c.terms[b] as string));
  let kept = order.filter((t) => (c.df[t] as number) <= high && (c.df[t] as number) >= low);
  if (s.maxFeatures !== null && kept.length > s.maxFeatures) {
    // Stable sort by total count: ties go to the earlier term. (numpy's unstable argsort picks among ties arbitrarily.)
    const rank = new Map(kept.map((t, i) => [t, i]));
    const top = new Set(
      kept
        .slice()
        .sort((a, b) => (c.total[b] as number) - (c.total[a] as number))
        .slice(0, s.maxFeatures),
    );
    kept = kept.filter((t) => top.has(t));
    kept.sort((a, b) => (rank.get(a) as number) - (rank.get(b) as number));
  }
  if (kept.length === 0) {
    throw new BaselineError(
      'BASELINE_EMPTY_VOCABULARY',
      `no terms remain from ${nDocs} texts (minDf ${s.minDf}, maxDf ${s.maxDf}); give texts with words of two or more letters, lower minDf or raise maxDf`,
    );
  }
  const keep = new Int32Array(c.terms.length).fill(-1);
  kept.forEach((t, j) => {
    keep[t] = j;
  });
  return { keep, vocabulary: kept.map((t) => c.terms[t] as string), df: kept.map((t) => c.df[t] as number) };
}

/** A document's provisional ids → final columns, dropping pruned terms, sorted. */
function remap(ids: Int32Array, counts: Float64Array, keep: Int32Array): SparseRow {
  const cols: number[] = [];
  const vals: number[] = [];
  for (let k = 0; k < ids.length; k++) {
    const j = keep[ids[k] as number] as number;
    if (j >= 0) {
      cols.push(j);
      vals.push(counts[k] as number);
    }
  }
  return sortRow(cols, vals);
}

function sortRow(cols: number[], vals: number[]): SparseRow {
  const order = cols.map((_, k) => k).sort((a, b) => (cols[a] as number) - (cols[b] as number));
  const indices = new Int32Array(order.length);
  const values = new Float64Array(order.length);
  order.forEach((k, i) => {
    indices[i] = cols[k] as number;
    values[i] = vals[k] as number;
  });
  return { indices, values };
}
