// The vectorizer against scikit-learn's TfidfVectorizer (fixtures/reference.json): vocabulary identical, idf and
// row values within 1e-9, on review texts (unigrams, bigrams, df pruning, sublinear tf, max_features) and on hard
// Unicode strings; plus option errors, the code-point order and save/load.
import { describe, expect, it } from 'vitest';
import { type RefRow, ref, tfidfOptions } from './__fixtures__/reference.js';
import { compareCodePoints, tfidfTokens } from './analyzer.js';
import { BaselineError } from './errors.js';
import { type SparseRow, TfidfVectorizer } from './tfidf.js';

function expectRow(got: SparseRow | undefined, want: RefRow): void {
  expect(Array.from(got?.indices ?? [])).toEqual(want.indices);
  const values = Array.from(got?.values ?? []);
  values.forEach((v, k) => expect(Math.abs(v - (want.values[k] as number))).toBeLessThan(1e-9));
}

describe('TfidfVectorizer matches scikit-learn', () => {
  const cases = [
    ...ref.cases.map((c) => ({ c, texts: ref.train.texts, held: ref.heldOut })),
    ...ref.unicode.cases.map((c) => ({ c, texts: ref.unicode.texts, held: [] })),
  ];
  it.each(cases.map((x) => [x.c.name, x] as const))('%s', (_, { c, texts, held }) => {
    const { vectorizer, rows } = TfidfVectorizer.fitTransform(texts, tfidfOptions(c.params));
    expect(vectorizer.vocabulary).toEqual(c.vocabulary);
    vectorizer.idf.forEach((v, j) => expect(Math.abs(v - (c.idf[j] as number))).toBeLessThan(1e-9));
    for (const r of c.fitRows) expectRow(rows[r.row], r);
    const heldRows = vectorizer.transform(held);
    for (const r of c.heldRows) expectRow(heldRows[r.row], r);
    // transform on the training texts gives the same rows as fitTransform.
    const again = vectorizer.transform(texts.slice(0, 3));
    again.forEach((r, i) => {
      expect(r.indices).toEqual(rows[i]?.indices);
      expect(r.values).toEqual(rows[i]?.values);
    });
  });
});

describe('tokenizer details', () => {
  it('splits on combining marks and keeps letters, digits and underscores of every script', () => {
    expect(tfidfTokens('Cafe\u0301 café İstanbul snake_case x² ①② ٣٤ 日本語 𝐁𝐨𝐥𝐝')).toEqual([
      'cafe',
      'café',
      'stanbul',
      'snake_case',
      'x²',
      '①②',
      '٣٤',
      '日本語',
      '𝐁𝐨𝐥𝐝',
    ]);
  });

  it('orders by code point like Python, not by UTF-16 unit', () => {
    const words = ['𝐁𝐨𝐥𝐝', 'ｆｕｌｌ', 'ﬁne', 'z', 'a', 'ab', '𠀋'];
    expect(words.slice().sort(compareCodePoints)).toEqual(['a', 'ab', 'z', 'ﬁne', 'ｆｕｌｌ', '𝐁𝐨𝐥𝐝', '𠀋']);
    expect(words.slice().sort()).not.toEqual(words.slice().sort(compareCodePoints));
  });

  it('leaves an empty or unknown text as an all-zero row', () => {
    const v = TfidfVectorizer.fit(['good tea', 'bad tea']);
    const [empty, unknown] = v.transform(['', 'coffee!']);
    expect(empty?.indices.length).toBe(0);
    expect(unknown?.indices.length).toBe(0);
  });

  it('breaks max_features ties by term order', () => {
    const v = TfidfVectorizer.fit(['bb aa cc', 'cc dd'], { maxFeatures: 2 });
    expect(v.vocabulary).toEqual(['aa', 'cc']);
  });
});

describe('options and saving', () => {
  it('rejects impossible options, naming them', () => {
    const err = (opts: Parameters<typeof TfidfVectorizer.fit>[1]): string => {
      try {
        TfidfVectorizer.fit(['aa bb', 'bb cc'], opts);
      } catch (e) {
        expect(BaselineError.isInstance(e)).toBe(true);
        return (e as BaselineError).message;
      }
      return 'no error';
    };
    expect(err({ ngramRange: [2, 1] })).toMatchInlineSnapshot(
      `"ngramRange must be two integers 1 ≤ min ≤ max, got [2, 1]; use [1, 1] or [1, 2]"`,
    );
    expect(err({ minDf: 1.5 })).toMatchInlineSnapshot(
      `"minDf must be a document count (integer ≥ 1) or a fraction in [0, 1), got 1.5"`,
    );
    expect(err({ maxDf: 0 })).toMatchInlineSnapshot(
      `"maxDf must be a fraction in (0, 1] or a document count (integer > 1), got 0"`,
    );
    expect(err({ minDf: 2, maxDf: 0.5 })).toMatchInlineSnapshot(
      `"maxDf (0.5) allows fewer documents than minDf (2) on 2 texts; raise maxDf or lower minDf"`,
    );
    expect(err({ minDf: 2, maxDf: 1 })).toMatchInlineSnapshot(`"no error"`);
    expect(() => TfidfVectorizer.fit(['a b', '!!'])).toThrowErrorMatchingInlineSnapshot(
      '[BaselineError: no terms remain from 2 texts (minDf 1, maxDf 1); give texts with words of two or more letters, lower minDf or raise maxDf]',
    );
  });

  it('round-trips through JSON', () => {
    const v = TfidfVectorizer.fit(ref.train.texts.slice(0, 50), { ngramRange: [1, 2], sublinearTf: true });
    const back = TfidfVectorizer.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.vocabulary).toEqual(v.vocabulary);
    expect(back.transform(ref.heldOut)).toEqual(v.transform(ref.heldOut));
  });
});
