// The whole baseline on the fixture's review texts: probabilities within 1e-4 of scikit-learn's
// TfidfVectorizer + LogisticRegression, columns in the caller's class order, save/load, and input errors.
import { describe, expect, it } from 'vitest';
import { ref, tfidfOptions } from './__fixtures__/reference.js';
import { BaselineError } from './errors.js';
import { TfidfBaseline, trainTfidfBaseline } from './tfidf-logreg.js';

const bigram = ref.cases.find((c) => c.name === 'bigram')!;

describe('trainTfidfBaseline', () => {
  it('matches scikit-learn with the classes in either order', () => {
    const want = bigram.logreg!;
    for (const classes of [want.classes, [...want.classes].reverse()]) {
      const m = trainTfidfBaseline(ref.train.texts, ref.train.labels, { classes, ...tfidfOptions(bigram.params), tol: 1e-8 });
      const proba = m.predictProba(ref.heldOut);
      proba.forEach((p, i) =>
        classes.forEach((c, k) =>
          expect(Math.abs((p[k] as number) - (want.proba[i]?.[want.classes.indexOf(c)] as number))).toBeLessThan(1e-4),
        ),
      );
      const predicted = m.predict(ref.heldOut);
      const sklearnPredicted = want.proba.map((p) => want.classes[p[0]! >= p[1]! ? 0 : 1]);
      expect(predicted).toEqual(sklearnPredicted);
    }
  });

  it('saves and loads through JSON with identical predictions', () => {
    const m = trainTfidfBaseline(ref.train.texts, ref.train.labels3, { classes: ['other', 'great-short', 'great-long'] });
    const back = TfidfBaseline.fromJSON(JSON.parse(JSON.stringify(m)));
    expect(back.classes).toEqual(['other', 'great-short', 'great-long']);
    expect(back.predictProba(ref.heldOut)).toEqual(m.predictProba(ref.heldOut));
    expect(back.model.fitInfo?.converged).toBe(true);
  });

  it('rejects bad labels and saved files, naming the problem', () => {
    const texts = ['good tea', 'bad tea', 'fine tea'];
    const err = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(BaselineError.isInstance(e)).toBe(true);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err(() => trainTfidfBaseline(texts, ['pos', 'neg', 'meh'], { classes: ['pos', 'neg'] }))).toMatchInlineSnapshot(
      `"label "meh" of text 2 is not one of ["pos","neg"]; add it to classes or fix the row"`,
    );
    expect(err(() => trainTfidfBaseline(texts, ['pos', 'pos', 'pos'], { classes: ['pos', 'neg'] }))).toMatchInlineSnapshot(
      `"class "neg" has no training texts; every class needs at least one"`,
    );
    expect(err(() => trainTfidfBaseline(texts, ['pos', 'neg'], { classes: ['pos', 'neg'] }))).toMatchInlineSnapshot(
      `"3 texts but 2 labels; give one label per text"`,
    );
    expect(err(() => trainTfidfBaseline(texts, ['pos', 'neg', 'pos'], { classes: ['pos', 'pos'] }))).toMatchInlineSnapshot(
      `"classes must be two or more distinct labels, got ["pos","pos"]"`,
    );
    expect(err(() => TfidfBaseline.fromJSON({ format: 'other' }))).toMatchInlineSnapshot(
      `"not a saved baseline: expected format "promptune.tfidf-logreg", version 1"`,
    );
    const saved = trainTfidfBaseline(texts, ['pos', 'neg', 'pos'], { classes: ['pos', 'neg'] }).toJSON();
    expect(err(() => TfidfBaseline.fromJSON({ ...saved, classes: ['pos', 'neg', 'meh'] }))).toMatchInlineSnapshot(
      `"model has 2 classes × 4 features but there are 3 classes and 4 terms"`,
    );
  });
});
