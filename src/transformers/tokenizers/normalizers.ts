import type { z } from 'zod';
import { TokenizerError } from './errors.js';
// Normalizers of tokenizer.json: each rewrites a NormalizedString in place, keeping alignments to the input.
import { Changes, type NormalizedString, type Pattern, regexPattern } from './normalized-string.js';
import { PrecompiledCharsmap } from './precompiled-charsmap.js';
import { compileRegex, literalRegex } from './regex.js';
import {
  type PatternJson,
  type Where,
  at,
  badField,
  componentType,
  normalizerSchemas,
  parse,
  pathText,
  unsupported,
} from './schema.js';
import { decomposeChanges, recomposeChanges } from './unicode-normalize.js';
import {
  isAscii,
  isBertRemoved,
  isChineseChar,
  isCombiningMark,
  isNonspacingMark,
  isWhitespace,
  lowercaseOf,
} from './unicode.js';

/** A normalization step; `toJSON` gives the tokenizer.json form. */
export interface Normalizer {
  normalize(n: NormalizedString): void;
  toJSON(): Record<string, unknown>;
}

/** Lowercases like Rust's char::to_lowercase (one character at a time, so no final-sigma rule). */
export function lowercase(n: NormalizedString): void {
  const s = n.normalized;
  if (isAscii(s)) {
    const l = s.toLowerCase();
    if (l !== s) n.normalized = l;
    return;
  }
  const dest = new Changes();
  let changed = false;
  let sameLength = true;
  for (let i = 0; i < s.length; ) {
    const cp = s.codePointAt(i)!;
    const size = cp > 0xffff ? 2 : 1;
    i += size;
    const l = lowercaseOf(cp);
    if (l === null) dest.push(cp, 0);
    else {
      changed = true;
      if (l.length !== 1 || (l[0]! > 0xffff ? 2 : 1) !== size) sameLength = false;
      for (let k = 0; k < l.length; k++) dest.push(l[k]!, k === 0 ? 0 : 1);
    }
  }
  if (!changed) return;
  if (sameLength) n.normalized = String.fromCodePoint(...dest.cps);
  else n.transform(dest, 0);
}

/** Applies a Unicode normalization form with the reference's alignment rules. */
export function unicodeNormalize(n: NormalizedString, form: 'NFC' | 'NFD' | 'NFKC' | 'NFKD'): void {
  const s = n.normalized;
  if (isAscii(s) || s.normalize(form) === s) return;
  const compat = form === 'NFKC' || form === 'NFKD';
  const d = decomposeChanges(s, compat);
  n.transform(form === 'NFC' || form === 'NFKC' ? recomposeChanges(d) : d, 0);
}

/** Builds a split/replace pattern from its tokenizer.json form; a regex that cannot be used names its field. */
export function patternFromJSON(p: PatternJson, w: Where): Pattern {
  if ('String' in p) return regexPattern(literalRegex(p.String));
  try {
    return regexPattern(compileRegex(p.Regex));
  } catch (e) {
    if (!TokenizerError.isInstance(e)) throw e;
    throw new TokenizerError(
      e.code,
      `${w.file}: ${pathText([...w.path, 'pattern', 'Regex'])}: ${e.message}. Fix: rewrite the pattern without it, or split with a supported pre-tokenizer.`,
    );
  }
}

class Bert implements Normalizer {
  constructor(private readonly c: z.infer<typeof normalizerSchemas.BertNormalizer>) {}
  normalize(n: NormalizedString): void {
    const { clean_text, handle_chinese_chars, strip_accents, lowercase: lower } = this.c;
    if (clean_text) {
      n.filter((cp) => !isBertRemoved(cp));
      n.mapCodePoints((cp) => (cp !== 0x20 && isWhitespace(cp) ? 0x20 : cp));
    }
    if (handle_chinese_chars && !isAscii(n.normalized)) {
      const s = n.normalized;
      const dest = new Changes();
      let any = false;
      for (let i = 0; i < s.length; ) {
        const cp = s.codePointAt(i)!;
        i += cp > 0xffff ? 2 : 1;
        if (isChineseChar(cp)) {
          any = true;
          dest.push(0x20, 0);
          dest.push(cp, 1);
          dest.push(0x20, 1);
        } else dest.push(cp, 0);
      }
      if (any) n.transform(dest, 0);
    }
    if (strip_accents ?? lower) {
      unicodeNormalize(n, 'NFD');
      if (!isAscii(n.normalized)) n.filter((cp) => !isNonspacingMark(cp));
    }
    if (lower) lowercase(n);
  }
  toJSON() {
    return { ...this.c };
  }
}

class Simple implements Normalizer {
  constructor(
    private readonly type: string,
    private readonly fn: (n: NormalizedString) => void,
    private readonly extra: Record<string, unknown> = {},
  ) {}
  normalize(n: NormalizedString): void {
    this.fn(n);
  }
  toJSON() {
    return { type: this.type, ...this.extra };
  }
}

/** SentencePiece's "nmt" rules: drop some ASCII controls, map other spaces to U+0020. */
function nmt(n: NormalizedString): void {
  n.filter(
    (cp) => !((cp >= 1 && cp <= 8) || cp === 0x0b || (cp >= 0x0e && cp <= 0x1f) || cp === 0x7f || cp === 0x8f || cp === 0x9f),
  );
  n.mapCodePoints((cp) =>
    cp === 9 ||
    cp === 10 ||
    cp === 12 ||
    cp === 13 ||
    cp === 0x1680 ||
    (cp >= 0x200b && cp <= 0x200f) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x2581 ||
    cp === 0xfeff ||
    cp === 0xfffd
      ? 0x20
      : cp,
  );
}

class Sequence implements Normalizer {
  constructor(private readonly items: Normalizer[]) {}
  normalize(n: NormalizedString): void {
    for (const x of this.items) x.normalize(n);
  }
  toJSON() {
    return { type: 'Sequence', normalizers: this.items.map((x) => x.toJSON()) };
  }
}

/** Normalizer types this implementation provides. */
export const NORMALIZER_TYPES = Object.keys(normalizerSchemas) as readonly string[];

/** Builds a normalizer from its tokenizer.json form (validated; errors name the file and field). */
export function normalizerFromJSON(raw: unknown, w: Where): Normalizer {
  const type = componentType(raw, w, 'normalizer');
  switch (type) {
    case 'BertNormalizer':
      return new Bert(parse(normalizerSchemas.BertNormalizer, raw, w));
    case 'Strip': {
      const c = parse(normalizerSchemas.Strip, raw, w);
      return new Simple('Strip', (n) => n.strip(c.strip_left, c.strip_right, isWhitespace), {
        strip_left: c.strip_left,
        strip_right: c.strip_right,
      });
    }
    case 'StripAccents':
      return new Simple('StripAccents', (n) => n.filter((cp) => !isCombiningMark(cp)));
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return new Simple(type, (n) => unicodeNormalize(n, type));
    case 'Nmt':
      return new Simple('Nmt', nmt);
    case 'Lowercase':
      return new Simple('Lowercase', lowercase);
    case 'Precompiled': {
      const c = parse(normalizerSchemas.Precompiled, raw, w);
      if (c.precompiled_charsmap === null || c.precompiled_charsmap === '') {
        return new Simple('Precompiled', () => {}, { precompiled_charsmap: c.precompiled_charsmap });
      }
      let map: PrecompiledCharsmap;
      try {
        map = PrecompiledCharsmap.fromBase64(c.precompiled_charsmap);
      } catch (e) {
        return badField(
          at(w, 'precompiled_charsmap'),
          `${c.precompiled_charsmap.slice(0, 20)}...`,
          `a valid SentencePiece charsmap (${(e as Error).message})`,
          're-export the tokenizer with the Python `tokenizers` library',
        );
      }
      return new Simple('Precompiled', (n) => map.normalize(n), { precompiled_charsmap: c.precompiled_charsmap });
    }
    case 'Replace': {
      const c = parse(normalizerSchemas.Replace, raw, w);
      const p = patternFromJSON(c.pattern, w);
      return new Simple('Replace', (n) => n.replace(p, c.content), { pattern: c.pattern, content: c.content });
    }
    case 'Prepend': {
      const c = parse(normalizerSchemas.Prepend, raw, w);
      return new Simple('Prepend', (n) => n.prepend(c.prepend), { prepend: c.prepend });
    }
    case 'Sequence': {
      const c = parse(normalizerSchemas.Sequence, raw, w);
      return new Sequence(c.normalizers.map((x, i) => normalizerFromJSON(x, at(w, 'normalizers', i))));
    }
    default:
      return unsupported(w, 'normalizer', type, NORMALIZER_TYPES);
  }
}
