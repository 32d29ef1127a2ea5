// The classic baseline a scikit-learn user would fit: TfidfVectorizer features into multinomial
// LogisticRegression, trained on texts with string labels, saved and loaded as one JSON document.
import { BaselineError } from './errors.js';
import { LogisticRegression, type LogisticRegressionJSON, type LogisticRegressionOptions } from './logistic-regression.js';
import { type TfidfJSON, type TfidfOptions, TfidfVectorizer } from './tfidf.js';

/** Vectorizer and regression settings, plus the class list that fixes the probability column order. */
export interface TfidfBaselineOptions extends TfidfOptions, LogisticRegressionOptions {
  /** Every label, in the order of `predictProba`'s columns (the task's label list). */
  classes: readonly string[];
}

/** A saved baseline. */
export interface TfidfBaselineJSON {
  format: 'promptune.tfidf-logreg';
  version: 1;
  classes: string[];
  vectorizer: TfidfJSON;
  logreg: LogisticRegressionJSON;
}

/** A trained TF-IDF + logistic-regression classifier. */
export class TfidfBaseline {
  constructor(
    readonly classes: readonly string[],
    readonly vectorizer: TfidfVectorizer,
    readonly model: LogisticRegression,
  ) {
    if (model.nClasses !== classes.length || model.nFeatures !== vectorizer.vocabulary.length) {
      throw new BaselineError(
        'BASELINE_FORMAT',
        `model has ${model.nClasses} classes × ${model.nFeatures} features but there are ${classes.length} classes and ${vectorizer.vocabulary.length} terms`,
      );
    }
  }

  /** Rebuilds a baseline from `toJSON` output (e.g. parsed from a file), checking its shape. */
  static fromJSON(json: unknown): TfidfBaseline {
    const j = json as Partial<TfidfBaselineJSON> | null;
    if (typeof j !== 'object' || j === null || j.format !== 'promptune.tfidf-logreg' || j.version !== 1) {
      throw new BaselineError('BASELINE_FORMAT', 'not a saved baseline: expected format "promptune.tfidf-logreg", version 1');
    }
    if (!Array.isArray(j.classes) || !j.classes.every((c) => typeof c === 'string') || !j.vectorizer || !j.logreg) {
      throw new BaselineError('BASELINE_FORMAT', 'a saved baseline needs classes (strings), vectorizer and logreg');
    }
    return new TfidfBaseline(j.classes, TfidfVectorizer.fromJSON(j.vectorizer), LogisticRegression.fromJSON(j.logreg));
  }

  /** Probabilities per text, columns in `classes` order. */
  predictProba(texts: readonly string[]): number[][] {
    return this.model.predictProba(this.vectorizer.transform(texts));
  }

  /** The most probable class per text (the first one on a tie, like numpy's argmax). */
  predict(texts: readonly string[]): string[] {
    return this.predictProba(texts).map((p) => this.classes[p.indexOf(Math.max(...p))] as string);
  }

  /** Plain JSON for saving; `fromJSON(JSON.parse(JSON.stringify(m)))` predicts identically. */
  toJSON(): TfidfBaselineJSON {
    return {
      format: 'promptune.tfidf-logreg',
      version: 1,
      classes: [...this.classes],
      vectorizer: this.vectorizer.toJSON(),
      logreg: this.model.toJSON(),
    };
  }
}

/** Fits the vectorizer on `texts` and the regression on their rows; `labels[i]` must be one of `opts.classes`. */
export function trainTfidfBaseline(
  texts: readonly string[],
  labels: readonly string[],
  opts: TfidfBaselineOptions,
): TfidfBaseline {
  const { classes } = opts;
  if (new Set(classes).size !== classes.length || classes.length < 2) {
    throw new BaselineError('BASELINE_OPTIONS', `classes must be two or more distinct labels, got ${JSON.stringify(classes)}`);
  }
  if (texts.length !== labels.length) {
    throw new BaselineError('BASELINE_DATA', `${texts.length} texts but ${labels.length} labels; give one label per text`);
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const y = new Int32Array(labels.length);
  labels.forEach((l, i) => {
    const k = index.get(l);
    if (k === undefined) {
      throw new BaselineError(
        'BASELINE_DATA',
        `label ${JSON.stringify(l)} of text ${i} is not one of ${JSON.stringify(classes)}; add it to classes or fix the row`,
      );
    }
    y[i] = k;
  });
  const counts = classes.map((_, k) => y.filter((v) => v === k).length);
  const empty = counts.findIndex((n) => n === 0);
  if (empty >= 0) {
    throw new BaselineError(
      'BASELINE_DATA',
      `class ${JSON.stringify(classes[empty])} has no training texts; every class needs at least one`,
    );
  }
  const { vectorizer, rows } = TfidfVectorizer.fitTransform(texts, opts);
  const model = LogisticRegression.fit(rows, y, vectorizer.vocabulary.length, classes.length, opts);
  return new TfidfBaseline(classes, vectorizer, model);
}
