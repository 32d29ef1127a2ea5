// Added tokens (specials such as [CLS], prompt tokens such as [P0], plain added words): matched in the input
// before the model runs, leftmost-longest, first on the raw text (tokens with normalized=false), then on the
// normalized text (normalized=true), with single_word / lstrip / rstrip handled as the reference does.
import type { Model } from './models/model.js';
import { NormalizedString } from './normalized-string.js';
import type { Normalizer } from './normalizers.js';
import { PreTokenizedString, type Split } from './pre-tokenized.js';
import { isWhitespace, isWordChar } from './unicode.js';

/** An added token and how it is matched. */
export interface AddedToken {
  /** The exact text of the token. */
  content: string;
  /** Special tokens are skipped by decode(..., { skipSpecialTokens: true }). */
  special: boolean;
  /** Only match when not inside a word. */
  singleWord: boolean;
  /** Also swallow the whitespace on the left. */
  lstrip: boolean;
  /** Also swallow the whitespace on the right. */
  rstrip: boolean;
  /** Match against the normalized text (true) or the raw input (false). */
  normalized: boolean;
}

/** Leftmost-longest matching of a set of strings. */
class Matcher {
  private readonly root = new Map<number, unknown>();
  private readonly ends = new WeakMap<object, number>();
  private readonly firstUnits = new Set<number>();

  constructor(patterns: [string, number][]) {
    for (const [p, id] of patterns) {
      if (p.length === 0) continue;
      let node = this.root as Map<number, unknown>;
      for (let i = 0; i < p.length; i++) {
        const u = p.charCodeAt(i);
        let next = node.get(u) as Map<number, unknown> | undefined;
        if (next === undefined) {
          next = new Map();
          node.set(u, next);
        }
        node = next;
      }
      if (!this.ends.has(node)) this.ends.set(node, id);
      this.firstUnits.add(p.charCodeAt(0));
    }
  }

  get empty(): boolean {
    return this.firstUnits.size === 0;
  }

  /** Non-overlapping leftmost-longest matches as flat [start, end, id] triples. */
  find(s: string): number[] {
    const out: number[] = [];
    if (this.empty) return out;
    let i = 0;
    while (i < s.length) {
      if (!this.firstUnits.has(s.charCodeAt(i))) {
        i++;
        continue;
      }
      let node = this.root as Map<number, unknown>;
      let bestEnd = -1;
      let bestId = -1;
      for (let j = i; j < s.length; j++) {
        const next = node.get(s.charCodeAt(j)) as Map<number, unknown> | undefined;
        if (next === undefined) break;
        node = next;
        const id = this.ends.get(node);
        if (id !== undefined) {
          bestEnd = j + 1;
          bestId = id;
        }
      }
      if (bestEnd < 0) {
        i++;
        continue;
      }
      out.push(i, bestEnd, bestId);
      i = bestEnd;
    }
    return out;
  }
}

function sameToken(a: AddedToken, b: AddedToken): boolean {
  return (
    a.content === b.content &&
    a.special === b.special &&
    a.singleWord === b.singleWord &&
    a.lstrip === b.lstrip &&
    a.rstrip === b.rstrip &&
    a.normalized === b.normalized
  );
}

function lastCodePoint(s: string, end: number): number {
  const u = s.charCodeAt(end - 1);
  if ((u & 0xfc00) === 0xdc00 && end >= 2 && (s.charCodeAt(end - 2) & 0xfc00) === 0xd800) return s.codePointAt(end - 2)!;
  return u;
}

/** The added tokens of a tokenizer, with their ids. */
export class AddedVocabulary {
  private readonly map = new Map<string, number>();
  private readonly byId = new Map<number, AddedToken>();
  private readonly plain: AddedToken[] = [];
  private readonly specials: AddedToken[] = [];
  private readonly specialSet = new Set<string>();
  private raw = new Matcher([]);
  private norm = new Matcher([]);

  /** Number of distinct added contents. */
  get size(): number {
    return this.map.size;
  }

  /** Id of a token: added tokens first, then the model's vocabulary. */
  tokenToId(token: string, model: Model): number | undefined {
    return this.map.get(token) ?? model.tokenToId(token);
  }

  /** Token of an id: added tokens first, then the model's vocabulary. */
  idToToken(id: number, model: Model): string | undefined {
    return this.byId.get(id)?.content ?? model.idToToken(id);
  }

  /** True when `content` is a special added token. */
  isSpecial(content: string): boolean {
    return this.specialSet.has(content);
  }

  /** Added tokens by id (ascending), as tokenizer.json lists them. */
  entries(): [number, AddedToken][] {
    return [...this.byId].sort((a, b) => a[0] - b[0]);
  }

  /** The content → id map of added tokens. */
  vocab(): Map<string, number> {
    return new Map(this.map);
  }

  /** Adds tokens (ids: existing vocabulary entry, else the next free id); returns how many were not ignored. */
  add(tokens: AddedToken[], model: Model, normalizer: Normalizer | null): number {
    for (const t of tokens) {
      if (t.special && t.content !== '' && !this.specialSet.has(t.content)) {
        this.specials.push(t);
        this.specialSet.add(t.content);
      }
    }
    let ignored = 0;
    for (const t of tokens) {
      if (t.content === '' || [...this.byId.values()].some((v) => sameToken(v, t))) {
        ignored++;
        continue;
      }
      let id = this.tokenToId(t.content, model);
      if (id === undefined) {
        const size = model.vocabSize;
        let max = -1;
        for (const v of this.map.values()) if (v > max) max = v;
        id = max < 0 ? size : max >= size || size === 0 ? max + 1 : size;
      }
      this.map.set(t.content, id);
      this.byId.set(id, t);
      if (!this.specialSet.has(t.content)) this.plain.push(t);
    }
    this.refresh(model, normalizer);
    return tokens.length - ignored;
  }

  private refresh(model: Model, normalizer: Normalizer | null): void {
    const raw: [string, number][] = [];
    const norm: [string, number][] = [];
    for (const t of [...this.specials, ...this.plain]) {
      const id = this.tokenToId(t.content, model)!;
      if (t.normalized) {
        const n = NormalizedString.from(t.content);
        normalizer?.normalize(n);
        norm.push([n.normalized, id]);
      } else raw.push([t.content, id]);
    }
    this.raw = new Matcher(raw);
    this.norm = new Matcher(norm);
  }

  /** Splits a piece on the matches of one matcher; matched tokens come out already tokenized. */
  private splitOn(n: NormalizedString, m: Matcher): Split[] {
    const s = n.normalized;
    if (s.length === 0) return [{ n: n.slice(0, 0), tokens: null }];
    const found = m.find(s);
    if (found.length === 0) return [{ n: n.slice(0, s.length), tokens: null }];
    const out: Split[] = [];
    let startOffset = 0;
    for (let k = 0; k < found.length; k += 3) {
      let start = found[k]!;
      let stop = found[k + 1]!;
      const id = found[k + 2]!;
      const tok = this.byId.get(id)!;
      if (tok.singleWord) {
        const startSpace = start === 0 || !isWordChar(lastCodePoint(s, start));
        const stopSpace = stop === s.length || !isWordChar(s.codePointAt(stop)!);
        if (!startSpace || !stopSpace) continue;
      }
      if (tok.lstrip) {
        let a = start;
        while (a > 0 && isWhitespace(lastCodePoint(s, a))) a -= lastCodePoint(s, a) > 0xffff ? 2 : 1;
        start = Math.max(a, startOffset);
      }
      if (tok.rstrip) {
        while (stop < s.length && isWhitespace(s.codePointAt(stop)!)) stop += s.codePointAt(stop)! > 0xffff ? 2 : 1;
      }
      if (startOffset < start) out.push({ n: n.slice(startOffset, start), tokens: null });
      const piece = n.slice(start, stop);
      out.push({ n: piece, tokens: [{ id, value: piece.normalized, start: 0, end: piece.normalized.length }] });
      startOffset = stop;
    }
    if (startOffset !== s.length) out.push({ n: n.slice(startOffset, s.length), tokens: null });
    return out;
  }

  /** Extracts added tokens and normalizes the rest of `text` (the reference's extract_and_normalize). */
  extractAndNormalize(normalizer: Normalizer | null, text: string): PreTokenizedString {
    const p = new PreTokenizedString([{ n: NormalizedString.from(text), tokens: null }]);
    p.split((n) => this.splitOn(n, this.raw));
    p.split((n) => {
      normalizer?.normalize(n);
      return this.splitOn(n, this.norm);
    });
    return p;
  }
}
