// Logistic regression against scikit-learn's LogisticRegression(solver='lbfgs', multi_class='multinomial') on the
// fixture's TF-IDF rows: held-out probabilities within 1e-4, binary (sklearn keeps one row, same softmax optimum)
// and three classes; the optimality condition of the objective; input errors.
import { describe, expect, it } from 'vitest';
import { caseLabels, ref, tfidfOptions } from './__fixtures__/reference.js';
import { BaselineError } from './errors.js';
import { LogisticRegression } from './logistic-regression.js';
import { type SparseRow, TfidfVectorizer } from './tfidf.js';

describe('LogisticRegression matches scikit-learn', () => {
  it.each(ref.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const lr = c.logreg!;
    const { vectorizer, rows } = TfidfVectorizer.fitTransform(ref.train.texts, tfidfOptions(c.params));
    const y = caseLabels(c).map((l) => lr.classes.indexOf(l));
    const model = LogisticRegression.fit(rows, y, vectorizer.vocabulary.length, lr.classes.length, { c: lr.C, tol: 1e-8 });
    expect(model.fitInfo?.converged).toBe(true);
    const proba = model.predictProba(vectorizer.transform(ref.heldOut));
    expect(proba.length).toBe(lr.proba.length);
    const worst = Math.max(...proba.flatMap((p, i) => p.map((v, k) => Math.abs(v - (lr.proba[i]?.[k] as number)))));
    expect(worst).toBeLessThan(1e-4);
  });
});

/** Two-feature toy data: class 0 leans on feature 0, class 1 on feature 1, class 2 on both. */
function toy(): { rows: SparseRow[]; y: number[] } {
  const rows: SparseRow[] = [];
  const y: number[] = [];
  for (let i = 0; i < 30; i++) {
    const k = i % 3;
    const a = k === 1 ? 0.2 : 1 + (i % 5) / 10;
    const b = k === 0 ? 0.3 : 1 - (i % 4) / 10;
    rows.push({ indices: Int32Array.of(0, 1), values: Float64Array.of(a, b) });
    y.push(k);
  }
  return { rows, y };
}

describe('LogisticRegression', () => {
  it('satisfies the optimality condition Xᵀ(P − Y) + W/C = 0, Σ(P − Y) = 0', () => {
    const { rows, y } = toy();
    const c = 0.7;
    const m = LogisticRegression.fit(rows, y, 2, 3, { c, tol: 1e-10 });
    const p = m.predictProba(rows);
    const gw = m.coef.map((w) => w.map((v) => v / c));
    const gb = [0, 0, 0];
    rows.forEach((r, i) => {
      for (let k = 0; k < 3; k++) {
        const res = (p[i]?.[k] as number) - (y[i] === k ? 1 : 0);
        gb[k] = (gb[k] as number) + res;
        r.indices.forEach((j, q) => {
          (gw[k] as number[])[j] = ((gw[k] as number[])[j] as number) + (r.values[q] as number) * res;
        });
      }
    });
    for (const v of [...gw.flat(), ...gb]) expect(Math.abs(v)).toBeLessThan(1e-9);
    // The penalty makes the class weights sum to zero per feature.
    for (let j = 0; j < 2; j++) expect(Math.abs(m.coef.reduce((s, w) => s + (w[j] as number), 0))).toBeLessThan(1e-9);
  });

  it('round-trips through JSON', () => {
    const { rows, y } = toy();
    const m = LogisticRegression.fit(rows, y, 2, 3);
    const back = LogisticRegression.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.predictProba(rows)).toEqual(m.predictProba(rows));
    expect(back.fitInfo).toEqual(m.fitInfo);
  });

  it('rejects bad input, naming it', () => {
    const { rows, y } = toy();
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(BaselineError.isInstance(e)).toBe(true);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(() => LogisticRegression.fit(rows, y, 2, 4))).toMatchInlineSnapshot(
      `"class 3 has no training rows; every class needs at least one example"`,
    );
    expect(err(() => LogisticRegression.fit(rows, y.slice(1), 2, 3))).toMatchInlineSnapshot(
      `"30 rows but 29 labels; give one class index per row"`,
    );
    expect(err(() => LogisticRegression.fit(rows, y, 1, 3))).toMatchInlineSnapshot(`"row 0 has feature 1; features run 0..0"`);
    expect(err(() => LogisticRegression.fit(rows, y, 2, 3, { c: 0 }))).toMatchInlineSnapshot(
      `"c must be a positive finite number, got 0"`,
    );
    expect(err(() => LogisticRegression.fromJSON({ c: 1, coef: [[1]], intercept: [0] }))).toMatchInlineSnapshot(
      `"logreg: coef must be K ≥ 2 rows of equal length and intercept K numbers"`,
    );
  });
});
