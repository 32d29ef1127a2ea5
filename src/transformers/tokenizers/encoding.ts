// Encodings: the public result type and the mutable form the pipeline builds, truncates, merges and pads with
// the reference's rules (including how overflowing pieces and sequence ranges travel through those steps).

/** The result of encoding one input (or one input pair). */
export interface Encoding {
  /** Token ids. */
  ids: number[];
  /** Token strings as the model produced them (byte-level or ▁-prefixed forms included). */
  tokens: string[];
  /** [start, end) of each token in the original input, in JS string indices (UTF-16 units); [0, 0] for added specials. */
  offsets: [number, number][];
  /** Segment (token type) id of each token. */
  typeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /** 1 for tokens added by the post-processor or padding, 0 for tokens of the input. */
  specialTokensMask: number[];
  /** Index of the word (pre-tokenized piece) each token comes from, null for added specials and padding. */
  wordIds: (number | null)[];
  /** Which input each token comes from (0 first, 1 pair), null for added specials and padding. */
  sequenceIds: (number | null)[];
  /** Further windows when truncation with overflow split a long input (stride tokens overlap). */
  overflowing: Encoding[];
}

/** The mutable encoding the pipeline works on (mirrors the reference's Encoding). */
export class RawEncoding {
  overflowing: RawEncoding[] = [];
  sequenceRanges = new Map<number, [number, number]>();
  /** The input text the offsets point into (for offset arithmetic in code points), when there is one. */
  text: string | null = null;

  constructor(
    public ids: number[] = [],
    public typeIds: number[] = [],
    public tokens: string[] = [],
    public words: (number | null)[] = [],
    /** Flat [start, end] pairs. */
    public offsets: number[] = [],
    public specialTokensMask: number[] = [],
    public attentionMask: number[] = [],
  ) {}

  /** Number of tokens. */
  get length(): number {
    return this.ids.length;
  }

  /** Marks the whole encoding as sequence `id`. */
  setSequenceId(id: number): void {
    this.sequenceRanges.set(id, [0, this.length]);
  }

  /** Sets every type id to `typeId`. */
  setTypeIds(typeId: number): void {
    this.typeIds = new Array<number>(this.length).fill(typeId);
  }

  /** A deep copy. */
  clone(): RawEncoding {
    const e = new RawEncoding(
      this.ids.slice(),
      this.typeIds.slice(),
      this.tokens.slice(),
      this.words.slice(),
      this.offsets.slice(),
      this.specialTokensMask.slice(),
      this.attentionMask.slice(),
    );
    e.overflowing = this.overflowing.map((o) => o.clone());
    e.text = this.text;
    e.sequenceRanges = new Map([...this.sequenceRanges].map(([k, [a, b]]) => [k, [a, b]]));
    return e;
  }

  private part(start: number, stop: number): RawEncoding {
    const p = new RawEncoding(
      this.ids.slice(start, stop),
      this.typeIds.slice(start, stop),
      this.tokens.slice(start, stop),
      this.words.slice(start, stop),
      this.offsets.slice(2 * start, 2 * stop),
      this.specialTokensMask.slice(start, stop),
      this.attentionMask.slice(start, stop),
    );
    p.text = this.text;
    return p;
  }

  /** Keeps `maxLen` tokens; the rest go to `overflowing` as windows overlapping by `stride`. */
  truncate(maxLen: number, stride: number, direction: 'left' | 'right'): void {
    const n = this.length;
    if (maxLen >= n) return;
    if (maxLen === 0) {
      const moved = new RawEncoding(
        this.ids,
        this.typeIds,
        this.tokens,
        this.words,
        this.offsets,
        this.specialTokensMask,
        this.attentionMask,
      );
      moved.overflowing = this.overflowing;
      moved.sequenceRanges = this.sequenceRanges;
      moved.text = this.text;
      Object.assign(this, new RawEncoding());
      this.overflowing = [moved];
      this.sequenceRanges = new Map();
      return;
    }
    if (stride >= maxLen) {
      throw new RangeError(`stride (${stride}) must be strictly less than the length to keep (${maxLen}) after special tokens`);
    }
    this.sequenceRanges.clear();
    const step = maxLen - stride;
    const ranges: [number, number][] = [];
    if (direction === 'right') {
      for (let start = 0; start < n; start += step) {
        const stop = Math.min(start + maxLen, n);
        ranges.push([start, stop]);
        if (stop === n) break;
      }
    } else {
      for (let i = n - 1; i >= 0; i -= step) {
        const stop = i + 1;
        const start = stop < maxLen ? 0 : stop - maxLen;
        if (start < stop) ranges.push([start, stop]);
        if (start === 0) break;
      }
    }
    const [s0, e0] = ranges[0]!;
    const first = this.part(s0, e0);
    for (let i = 1; i < ranges.length; i++) first.overflowing.push(this.part(ranges[i]![0], ranges[i]![1]));
    Object.assign(this, first);
    this.sequenceRanges = new Map();
  }

  /** Appends `other` (and combines the overflowing windows of both, as the reference does). */
  mergeWith(other: RawEncoding, growingOffsets: boolean): void {
    const overflowings: RawEncoding[] = [];
    for (const selfO of this.overflowing) {
      const a = selfO.clone();
      a.mergeWith(other.clone(), growingOffsets);
      overflowings.push(a);
      for (const otherO of other.overflowing) {
        const b = selfO.clone();
        b.mergeWith(otherO.clone(), growingOffsets);
        overflowings.push(b);
      }
    }
    for (const otherO of other.overflowing) {
      const c = this.clone();
      c.mergeWith(otherO.clone(), growingOffsets);
      overflowings.push(c);
    }
    const len = this.length;
    for (const [id, [a, b]] of other.sequenceRanges) this.sequenceRanges.set(id, [len + a, len + b]);
    this.ids.push(...other.ids);
    this.typeIds.push(...other.typeIds);
    this.tokens.push(...other.tokens);
    this.words.push(...other.words);
    const shift = growingOffsets && this.offsets.length > 0 ? this.offsets[this.offsets.length - 1]! : 0;
    for (const o of other.offsets) this.offsets.push(o + shift);
    this.specialTokensMask.push(...other.specialTokensMask);
    this.attentionMask.push(...other.attentionMask);
    this.overflowing = overflowings;
  }

  /** Concatenates encodings into one. */
  static merge(list: RawEncoding[], growingOffsets: boolean): RawEncoding {
    const e = new RawEncoding();
    for (const x of list) e.mergeWith(x, growingOffsets);
    return e;
  }

  /** Pads to `target` tokens (and every overflowing window too). */
  pad(target: number, padId: number, padTypeId: number, padToken: string, direction: 'left' | 'right'): void {
    for (const o of this.overflowing) o.pad(target, padId, padTypeId, padToken, direction);
    const n = target - this.length;
    if (n <= 0) return;
    const fill = <T>(v: T): T[] => new Array<T>(n).fill(v);
    const zeros = new Array<number>(2 * n).fill(0);
    if (direction === 'left') {
      this.ids = [...fill(padId), ...this.ids];
      this.typeIds = [...fill(padTypeId), ...this.typeIds];
      this.tokens = [...fill(padToken), ...this.tokens];
      this.words = [...fill<number | null>(null), ...this.words];
      this.attentionMask = [...fill(0), ...this.attentionMask];
      this.specialTokensMask = [...fill(1), ...this.specialTokensMask];
      this.offsets = [...zeros, ...this.offsets];
      for (const [id, [a, b]] of this.sequenceRanges) this.sequenceRanges.set(id, [a + n, b + n]);
    } else {
      this.ids.push(...fill(padId));
      this.typeIds.push(...fill(padTypeId));
      this.tokens.push(...fill(padToken));
      this.words.push(...fill<number | null>(null));
      this.attentionMask.push(...fill(0));
      this.specialTokensMask.push(...fill(1));
      this.offsets.push(...zeros);
    }
  }

  /** Sequence id of every token, with the reference's rule for encodings without explicit ranges. */
  sequenceIds(): (number | null)[] {
    const out = new Array<number | null>(this.length).fill(null);
    const n = this.sequenceRanges.size === 0 ? 1 : this.sequenceRanges.size;
    for (let id = 0; id < n; id++) {
      const [a, b] = this.sequenceRanges.get(id) ?? [0, this.length];
      for (let i = a; i < b; i++) out[i] = id;
    }
    return out;
  }

  /** The public, immutable-by-convention form. */
  toEncoding(): Encoding {
    const offsets: [number, number][] = new Array(this.length);
    for (let i = 0; i < this.length; i++) offsets[i] = [this.offsets[2 * i]!, this.offsets[2 * i + 1]!];
    return {
      ids: this.ids,
      tokens: this.tokens,
      offsets,
      typeIds: this.typeIds,
      attentionMask: this.attentionMask,
      specialTokensMask: this.specialTokensMask,
      wordIds: this.words,
      sequenceIds: this.sequenceIds(),
      overflowing: this.overflowing.map((o) => o.toEncoding()),
    };
  }
}
