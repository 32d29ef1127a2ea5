// The Tokenizer: loads tokenizer.json (or legacy vocabulary files) and runs the reference pipeline — added
// tokens, normalizer, pre-tokenizer, model, post-processor, truncation and padding — and decoding.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AddedToken, AddedVocabulary } from './added-tokens.js';
import {
  type CheckpointConfig,
  SPECIAL_ROLES,
  type SpecialTokens,
  readCheckpointConfig,
  readJsonFile,
  specialTokensOf,
} from './configs.js';
import { type Decoder, decoderFromJSON } from './decoders.js';
import { type Encoding, RawEncoding } from './encoding.js';
import { TokenizerError } from './errors.js';
import { legacyTokenizerJSON } from './legacy.js';
import { type Model, modelFromJSON } from './models/index.js';
import { type Normalizer, normalizerFromJSON } from './normalizers.js';
import { type PostProcessor, postProcessorFromJSON } from './post-processors.js';
import { type PreTokenizer, preTokenizerFromJSON } from './pre-tokenizers.js';
import { type Where, at, parse, tokenizerFileSchema } from './schema.js';
import {
  type Padding,
  type PaddingOptions,
  type Truncation,
  type TruncationOptions,
  padEncodings,
  paddingFromJSON,
  paddingToJSON,
  resolveTruncation,
  truncateEncodings,
  truncationFromJSON,
  truncationToJSON,
} from './truncation-padding.js';

/** Options of encode / encodeBatch. */
export interface EncodeOptions {
  /** Add the model's special tokens ([CLS] ... [SEP], <s> ... </s>); default true. */
  addSpecialTokens?: boolean;
  /** Truncation for this call; false disables it; default: the tokenizer's `truncation` setting. */
  truncation?: TruncationOptions | false;
  /** Padding for this call; false disables it; default: the tokenizer's `padding` setting. */
  padding?: PaddingOptions | false;
}

/** Options of decode / decodeBatch. */
export interface DecodeOptions {
  /** Leave out special tokens ([CLS], [PAD], prompt tokens added as special, ...); default false. */
  skipSpecialTokens?: boolean;
}

/** A token to add: its text, or the text with matching flags. */
export type AddedTokenInput = string | ({ content: string } & Partial<Omit<AddedToken, 'content'>>);

/** One input of encodeBatch: a text or a pair of texts. */
export type BatchInput = string | readonly [string, string];

/** Options of Tokenizer.fromJSON. */
export interface FromJSONOptions {
  /** File name used in error messages (default "tokenizer.json"). */
  file?: string;
  /** Special tokens and length limit from the checkpoint's config files, when known. */
  config?: CheckpointConfig;
}

/** A Hugging Face tokenizer (tokenizer.json format), producing the same tokens, ids and offsets as the reference. */
export class Tokenizer {
  /** Truncation applied by encode/encodeBatch when the call does not say (from tokenizer.json; null: none). */
  truncation: Truncation | null;
  /** Padding applied by encode/encodeBatch when the call does not say (from tokenizer.json; null: none). */
  padding: Padding | null;
  /** The checkpoint's special tokens by role. */
  readonly specialTokens: SpecialTokens;
  /** Maximum input length of the model (tokenizer_config.json), or null when it declares none. */
  modelMaxLength: number | null;

  private readonly added = new AddedVocabulary();
  /** tokenizer_config.json as loaded, kept so that save() preserves the fields Promptune does not use. */
  private configExtra: Record<string, unknown> = {};

  private constructor(
    private readonly model: Model,
    private readonly normalizer: Normalizer | null,
    private readonly preTokenizer: PreTokenizer | null,
    private readonly postProcessor: PostProcessor | null,
    private readonly decoder: Decoder | null,
    truncation: Truncation | null,
    padding: Padding | null,
    specialTokens: SpecialTokens,
    modelMaxLength: number | null,
  ) {
    this.truncation = truncation;
    this.padding = padding;
    this.specialTokens = specialTokens;
    this.modelMaxLength = modelMaxLength;
  }

  /** Builds a tokenizer from the parsed content of a tokenizer.json. */
  static fromJSON(json: unknown, options: FromJSONOptions = {}): Tokenizer {
    const w: Where = { file: options.file ?? 'tokenizer.json', path: [] };
    const j = parse(tokenizerFileSchema, json, w);
    if (j.version !== undefined && j.version !== '1.0') {
      throw new TokenizerError(
        'TOKENIZER_CONFIG',
        `${w.file}: version is "${j.version}", expected "1.0". Fix: re-save the tokenizer with a current Python \`tokenizers\`.`,
      );
    }
    const opt = <T>(v: unknown, build: (raw: unknown, w: Where) => T, key: string): T | null =>
      v === undefined || v === null ? null : build(v, at(w, key));
    const normalizer = opt(j.normalizer, normalizerFromJSON, 'normalizer');
    const t = new Tokenizer(
      modelFromJSON(j.model, at(w, 'model')),
      normalizer,
      opt(j.pre_tokenizer, preTokenizerFromJSON, 'pre_tokenizer'),
      opt(j.post_processor, postProcessorFromJSON, 'post_processor'),
      opt(j.decoder, decoderFromJSON, 'decoder'),
      j.truncation ? truncationFromJSON(j.truncation) : null,
      j.padding ? paddingFromJSON(j.padding) : null,
      { additional: [] },
      options.config?.modelMaxLength ?? null,
    );
    // The reference re-assigns ids of added_tokens in file order (the ids written in the file are not used).
    t.added.add(
      j.added_tokens.map((a) => ({
        content: a.content,
        special: a.special,
        singleWord: a.single_word,
        lstrip: a.lstrip,
        rstrip: a.rstrip,
        normalized: a.normalized,
      })),
      t.model,
      normalizer,
    );
    // Config files name the special tokens; what they leave out is inferred from the pipeline.
    Object.assign(t.specialTokens, t.inferSpecialTokens(j.padding?.pad_token));
    if (options.config) Object.assign(t.specialTokens, specialTokensOf(options.config));
    t.configExtra = options.config?.config ?? {};
    return t;
  }

  /** Loads a tokenizer.json file. */
  static fromFile(path: string): Tokenizer {
    return Tokenizer.fromJSON(readJsonFile(path), { file: path });
  }

  /**
   * Loads a checkpoint directory: tokenizer.json with tokenizer_config.json / special_tokens_map.json, or, when
   * there is no tokenizer.json, the legacy files (vocab.txt for BERT WordPiece, vocab.json + merges.txt for
   * RoBERTa byte-level BPE) built into the pipeline transformers would convert them to.
   */
  static fromDirectory(dir: string): Tokenizer {
    const config = readCheckpointConfig(dir);
    const file = join(dir, 'tokenizer.json');
    if (existsSync(file)) {
      const json = readJsonFile(file) as Record<string, unknown>;
      applyCasingFlags(json, config);
      return Tokenizer.fromJSON(json, { file, config });
    }
    const { json, file: legacyFile } = legacyTokenizerJSON(dir, config);
    return Tokenizer.fromJSON(json, { file: legacyFile, config });
  }

  /** Special tokens when no config file says: from the post-processor, the padding and the added tokens. */
  private inferSpecialTokens(padToken: string | undefined): SpecialTokens {
    const s: SpecialTokens = { additional: [] };
    const pp = this.postProcessor?.toJSON();
    if (pp && (pp.type === 'BertProcessing' || pp.type === 'RobertaProcessing')) {
      s.cls = (pp.cls as [string, number])[0];
      s.sep = (pp.sep as [string, number])[0];
    }
    const has = (t: string): boolean => this.added.isSpecial(t);
    for (const [role, names] of [
      ['cls', ['[CLS]', '<s>']],
      ['sep', ['[SEP]', '</s>']],
      ['pad', ['[PAD]', '<pad>']],
      ['mask', ['[MASK]', '<mask>']],
      ['unk', ['[UNK]', '<unk>']],
      ['bos', ['<s>', '<|endoftext|>']],
      ['eos', ['</s>', '<|endoftext|>']],
    ] as const) {
      if (s[role] === undefined) {
        const found = names.find(has);
        if (found !== undefined) s[role] = found;
      }
    }
    if (s.pad === undefined && padToken !== undefined && this.tokenToId(padToken) !== undefined) s.pad = padToken;
    return s;
  }

  /** Sets (or, with null, removes) the truncation encode/encodeBatch apply when a call does not say. */
  setTruncation(options: TruncationOptions | null): void {
    this.truncation = options === null ? null : resolveTruncation(options);
  }

  /** Sets (or, with null, removes) the padding encode/encodeBatch apply when a call does not say. */
  setPadding(options: PaddingOptions | null): void {
    this.padding = options === null ? null : this.resolvePadding(options);
  }

  /** Size of the vocabulary including added tokens (the embedding matrix needs this many rows). */
  get vocabSize(): number {
    // The reference counts the union of both vocabularies by token text.
    let n = this.model.vocabSize;
    for (const t of this.added.vocab().keys()) if (this.model.tokenToId(t) === undefined) n++;
    return n;
  }

  /** The whole vocabulary (added tokens included) as token → id. */
  getVocab(): Map<string, number> {
    const all = this.model.vocab();
    for (const [t, id] of this.added.vocab()) all.set(t, id);
    return all;
  }

  /** Id of a token (added tokens first), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.added.tokenToId(token, this.model);
  }

  /** Token of an id (added tokens first), or undefined. */
  idToToken(id: number): string | undefined {
    return this.added.idToToken(id, this.model);
  }

  /** The model type (WordPiece, BPE or Unigram). */
  get modelType(): Model['type'] {
    return this.model.type;
  }

  private addAll(tokens: AddedTokenInput[], special: boolean): number[] {
    const list: AddedToken[] = tokens.map((t) => {
      const o = typeof t === 'string' ? { content: t } : t;
      if (typeof o.content !== 'string' || o.content === '') {
        throw new TokenizerError('TOKENIZER_INPUT', `added token ${JSON.stringify(t)} needs a non-empty "content"`);
      }
      const isSpecial = special || (o.special ?? false);
      return {
        content: o.content,
        special: isSpecial,
        singleWord: o.singleWord ?? false,
        lstrip: o.lstrip ?? false,
        rstrip: o.rstrip ?? false,
        normalized: o.normalized ?? !isSpecial,
      };
    });
    this.added.add(list, this.model, this.normalizer);
    if (special) {
      const roles = new Set(SPECIAL_ROLES.map(([role]) => this.specialTokens[role]));
      for (const t of list) {
        if (!roles.has(t.content) && !this.specialTokens.additional.includes(t.content))
          this.specialTokens.additional.push(t.content);
      }
    }
    return list.map((t) => this.tokenToId(t.content)!);
  }

  /**
   * Adds special tokens (e.g. prompt tokens `[P0]`): matched on the raw text, never split, skipped by
   * decode with skipSpecialTokens. Returns their ids (new ids follow the vocabulary: grow the embeddings).
   */
  addSpecialTokens(tokens: AddedTokenInput[]): number[] {
    return this.addAll(tokens, true);
  }

  /** Adds plain tokens (matched on the normalized text unless normalized: false); returns their ids. */
  addTokens(tokens: AddedTokenInput[]): number[] {
    return this.addAll(tokens, false);
  }

  /** Runs added-token extraction, normalizer, pre-tokenizer and model over one sequence. */
  private encodeSequence(text: string, typeId: number): RawEncoding {
    if (typeof text !== 'string') {
      throw new TokenizerError('TOKENIZER_INPUT', `encode: expected a string, got ${text === null ? 'null' : typeof text}`);
    }
    const p = this.added.extractAndNormalize(this.normalizer, text);
    this.preTokenizer?.preTokenize(p);
    p.tokenize((w) => this.model.tokenize(w));
    return p.intoEncoding(typeId, text);
  }

  private resolvePadding(p: PaddingOptions): Padding {
    const padToken = p.padToken ?? this.specialTokens.pad ?? this.padding?.padToken;
    const padId = p.padId ?? (padToken !== undefined ? this.tokenToId(padToken) : undefined) ?? this.padding?.padId;
    if (padToken === undefined || padId === undefined) {
      throw new TokenizerError(
        'TOKENIZER_INPUT',
        'padding: this tokenizer has no pad token. Fix: pass padding.padToken and padding.padId, or add one with addSpecialTokens.',
      );
    }
    const strategy = p.strategy ?? 'longest';
    if (strategy === 'max_length' && (p.maxLength === undefined || !Number.isInteger(p.maxLength) || p.maxLength < 0)) {
      throw new TokenizerError(
        'TOKENIZER_INPUT',
        `padding: strategy "max_length" needs an integer maxLength, got ${p.maxLength}`,
      );
    }
    return {
      strategy,
      maxLength: p.maxLength ?? null,
      padToMultipleOf: p.padToMultipleOf ?? null,
      side: p.side ?? 'right',
      padId,
      padToken,
      padTypeId: p.padTypeId ?? 0,
    };
  }

  private settings(o: EncodeOptions): { trunc: Truncation | null; pad: Padding | null; special: boolean } {
    const special = o.addSpecialTokens ?? true;
    const trunc = o.truncation === false ? null : o.truncation ? resolveTruncation(o.truncation) : this.truncation;
    if (trunc) {
      const added = special ? (this.postProcessor?.addedTokens(false) ?? 0) : 0;
      if (trunc.maxLength - added < trunc.stride) {
        throw new TokenizerError(
          'TOKENIZER_INPUT',
          `truncation: stride ${trunc.stride} must be below the length left after ${added} special tokens (${trunc.maxLength} - ${added}). Fix: lower the stride or raise maxLength.`,
        );
      }
    }
    const pad = o.padding === false ? null : o.padding ? this.resolvePadding(o.padding) : this.padding;
    return { trunc, pad, special };
  }

  /** Truncation, post-processing (special tokens, type ids) and padding of one encoded input. */
  private postProcess(a: RawEncoding, b: RawEncoding | null, special: boolean, trunc: Truncation | null, pad: Padding | null) {
    if (trunc) {
      const added = special ? (this.postProcessor?.addedTokens(b !== null) ?? 0) : 0;
      if (trunc.maxLength < added) {
        throw new TokenizerError(
          'TOKENIZER_INPUT',
          `truncation: maxLength ${trunc.maxLength} is smaller than the ${added} special tokens this tokenizer adds. Fix: raise maxLength.`,
        );
      }
      truncateEncodings(a, b, { ...trunc, maxLength: trunc.maxLength - added });
    }
    let out: RawEncoding;
    const list = b ? [a, b] : [a];
    if (this.postProcessor) {
      list.forEach((e, i) => {
        e.setSequenceId(i);
        for (const o of e.overflowing) o.setSequenceId(i);
        e.setTypeIds(i);
      });
      out = RawEncoding.merge(this.postProcessor.processEncodings(list, special), false);
    } else if (b === null) out = a;
    else {
      out = new RawEncoding();
      list.forEach((e, i) => {
        e.setSequenceId(i);
        out.mergeWith(e, false);
      });
    }
    if (pad) padEncodings([out], pad);
    return out;
  }

  /** Encodes one text, or a pair of texts (e.g. question and context). */
  encode(text: string, pair?: string | null, options: EncodeOptions = {}): Encoding {
    const { trunc, pad, special } = this.settings(options);
    const a = this.encodeSequence(text, 0);
    const b = pair === undefined || pair === null ? null : this.encodeSequence(pair, 1);
    return this.postProcess(a, b, special, trunc, pad).toEncoding();
  }

  /** Encodes many inputs (texts or pairs); padding 'longest' pads to the longest of the batch. */
  encodeBatch(inputs: readonly BatchInput[], options: EncodeOptions = {}): Encoding[] {
    const { trunc, pad, special } = this.settings(options);
    const raw = inputs.map((input) => {
      const [x, y] = typeof input === 'string' ? [input, null] : input;
      return this.postProcess(this.encodeSequence(x, 0), y === null ? null : this.encodeSequence(y, 1), special, trunc, pad);
    });
    if (pad) padEncodings(raw, pad);
    return raw.map((e) => e.toEncoding());
  }

  /** Turns ids back into text (unknown ids are skipped). */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const tokens: string[] = [];
    for (const id of ids) {
      const t = this.added.idToToken(id, this.model);
      if (t !== undefined && !(skip && this.added.isSpecial(t))) tokens.push(t);
    }
    return this.decoder ? this.decoder.decodeChain(tokens).join('') : tokens.join(' ');
  }

  /** Decodes many id lists. */
  decodeBatch(batch: readonly (readonly number[])[], options: DecodeOptions = {}): string[] {
    return batch.map((ids) => this.decode(ids, options));
  }

  /** The tokenizer.json content (loads in the Python `tokenizers` library, added tokens included). */
  toJSON(): Record<string, unknown> {
    return {
      version: '1.0',
      truncation: this.truncation ? truncationToJSON(this.truncation) : null,
      padding: this.padding ? paddingToJSON(this.padding) : null,
      added_tokens: this.added.entries().map(([id, t]) => ({
        id,
        content: t.content,
        single_word: t.singleWord,
        lstrip: t.lstrip,
        rstrip: t.rstrip,
        normalized: t.normalized,
        special: t.special,
      })),
      normalizer: this.normalizer?.toJSON() ?? null,
      pre_tokenizer: this.preTokenizer?.toJSON() ?? null,
      post_processor: this.postProcessor?.toJSON() ?? null,
      decoder: this.decoder?.toJSON() ?? null,
      model: this.model.toJSON(),
    };
  }

  /**
   * Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into `dir` (created if needed); the
   * loaded tokenizer_config.json's other fields (tokenizer_class, casing flags, ...) are kept.
   */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'tokenizer.json'), `${JSON.stringify(this.toJSON(), null, 2)}\n`);
    const map: Record<string, unknown> = {};
    for (const [role, key] of SPECIAL_ROLES) {
      const t = this.specialTokens[role];
      if (t !== undefined) map[key] = t;
    }
    if (this.specialTokens.additional.length > 0) map.additional_special_tokens = this.specialTokens.additional;
    // The loaded config is kept (minus its added_tokens_decoder: tokenizer.json now lists every added token).
    const { added_tokens_decoder: _, model_max_length: __, ...kept } = this.configExtra;
    const config: Record<string, unknown> = { tokenizer_class: 'PreTrainedTokenizerFast', ...kept, ...map };
    if (this.modelMaxLength !== null) config.model_max_length = this.modelMaxLength;
    writeFileSync(join(dir, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
    writeFileSync(join(dir, 'special_tokens_map.json'), `${JSON.stringify(map, null, 2)}\n`);
  }
}

/**
 * transformers' BERT fast tokenizers rebuild a BertNormalizer whose flags disagree with tokenizer_config.json
 * (do_lower_case, strip_accents, tokenize_chinese_chars); do the same so both load a checkpoint alike.
 */
function applyCasingFlags(json: Record<string, unknown>, c: CheckpointConfig): void {
  const n = json.normalizer as Record<string, unknown> | null | undefined;
  const cfg = c.config;
  if (!n || n.type !== 'BertNormalizer' || cfg.do_lower_case === undefined) return;
  const want = {
    lowercase: cfg.do_lower_case,
    strip_accents: cfg.strip_accents ?? null,
    handle_chinese_chars: cfg.tokenize_chinese_chars ?? true,
  };
  if (
    (n.lowercase ?? want.lowercase) !== want.lowercase ||
    (n.strip_accents ?? null) !== want.strip_accents ||
    (n.handle_chinese_chars ?? want.handle_chinese_chars) !== want.handle_chinese_chars
  ) {
    json.normalizer = { ...n, ...want };
  }
}
