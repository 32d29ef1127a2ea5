// Text → terms exactly as scikit-learn's word analyzer with default settings: str.lower(), the token pattern
// r"(?u)\b\w\w+\b", then space-joined n-grams. Python's Unicode \w is exactly \p{L}|\p{N}|_ (checked over all
// code points for Python 3.11 / Unicode 14); JS's \b is ASCII-only even with the u flag, so instead of \b we take
// maximal runs of two or more word characters, which is what findall with \b…\b returns.
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;

/** Word tokens of `text` (lower-cased first when `lowercase`), like sklearn's default tokenizer. */
export function tfidfTokens(text: string, lowercase = true): string[] {
  return (lowercase ? text.toLowerCase() : text).match(TOKEN) ?? [];
}

/** Terms of `text`: its tokens and the space-joined n-grams for n in [minN, maxN], in sklearn's order. */
export function tfidfTerms(text: string, ngramRange: readonly [number, number] = [1, 1], lowercase = true): string[] {
  const tokens = tfidfTokens(text, lowercase);
  const [minN, maxN] = ngramRange;
  if (minN === 1 && maxN === 1) return tokens;
  const terms: string[] = minN === 1 ? tokens.slice() : [];
  for (let n = Math.max(minN, 2); n <= Math.min(maxN, tokens.length); n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      let term = tokens[i] as string;
      for (let q = 1; q < n; q++) term += ` ${tokens[i + q]}`;
      terms.push(term);
    }
  }
  return terms;
}

/** Orders strings by code point, like Python's str comparison (JS's `<` compares UTF-16 units instead). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    // Surrogates encode code points above U+FFFF, so they must sort after U+E000–U+FFFF: shift both ranges.
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

function unitRank(c: number): number {
  if (c < 0xd800) return c;
  return c >= 0xe000 ? c - 0x800 : c + 0x2000;
}
