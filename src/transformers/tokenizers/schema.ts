// Validation of tokenizer files at the boundary: zod shapes for every supported component of tokenizer.json,
// tokenizer_config.json and special_tokens_map.json, and one error format that names the file, the field, the
// bad value and the fix. Components are dispatched on `type` by hand so that an unknown type gets its own
// message listing what is supported.
import { z } from 'zod';
import { TokenizerError } from './errors.js';

/** Where a value came from: the file name and the JSON path inside it (for error messages). */
export interface Where {
  file: string;
  path: (string | number)[];
}

/** A child location. */
export function at(w: Where, ...path: (string | number)[]): Where {
  return { file: w.file, path: [...w.path, ...path] };
}

/** Formats a JSON path as `a.b[2].c`. */
export function pathText(path: (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? '(top level)' : s;
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing (the field is missing)';
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function get(v: unknown, path: PropertyKey[]): unknown {
  let cur = v;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

/** Throws a TOKENIZER_CONFIG error for one field. */
export function badField(w: Where, value: unknown, expected: string, fix: string): never {
  throw new TokenizerError(
    'TOKENIZER_CONFIG',
    `${w.file}: ${pathText(w.path)} is ${shown(value)}, expected ${expected}. Fix: ${fix}${fix.endsWith('.') ? '' : '.'}`,
  );
}

const TYPE_NAMES: Record<string, string> = {
  record: 'an object',
  object: 'an object',
  array: 'an array',
  tuple: 'an array',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

/** What a zod issue expected, in words, and the matching fix. */
function expectation(issue: z.core.$ZodIssue, missing: boolean): [string, string] {
  switch (issue.code) {
    case 'invalid_type': {
      const t = TYPE_NAMES[issue.expected] ?? issue.expected;
      return [t, missing ? `add the field with ${t}` : `write ${t} here`];
    }
    case 'too_small':
      return [`a value >= ${issue.minimum}`, 'use a value in range'];
    case 'too_big':
      return [`a value <= ${issue.maximum}`, 'use a value in range'];
    case 'invalid_value':
      return [`one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`, 'use one of the listed values (case matters)'];
    case 'unrecognized_keys':
      return [`no key ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`, 'remove the key'];
    default:
      return [issue.message.replace(/^Invalid (input|option): /, ''), 'correct the value'];
  }
}

/** Parses `value` with `schema`, or throws one clear TokenizerError for its first problem. */
export function parse<T>(schema: z.ZodType<T>, value: unknown, w: Where, fix?: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const bad = get(value, p);
  const [expected, defaultFix] = expectation(issue, bad === undefined);
  return badField(at(w, ...p), bad, expected, fix ?? defaultFix);
}

/** Throws the error for a component type that is not implemented. */
export function unsupported(w: Where, kind: string, type: unknown, supported: readonly string[]): never {
  throw new TokenizerError(
    'TOKENIZER_UNSUPPORTED',
    `${w.file}: ${pathText(w.path)} has ${kind} type ${shown(type)}, which is not supported. Supported ${kind} types: ${supported.join(', ')}. Fix: use one of these, or convert the tokenizer with the Python \`tokenizers\` library to a supported pipeline.`,
  );
}

/** The `type` of a component object, or a clear error when the value is not a component at all. */
export function componentType(value: unknown, w: Where, kind: string): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    badField(w, value, `a ${kind} object with a "type" field`, `write a ${kind} object such as {"type": "..."} or null`);
  }
  const t = (value as { type?: unknown }).type;
  if (typeof t !== 'string') badField(at(w, 'type'), t, 'a string naming the component', `add "type" to the ${kind}`);
  return t;
}

// ---- shared pieces ----

const int = z.number().int().nonnegative();
const bool = z.boolean();

/** Split delimiter behaviours of tokenizer.json. */
export const splitBehavior = z.enum(['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous']);

/** A string or regex pattern: {"String": "..."} or {"Regex": "..."}. */
export const patternSchema = z.union([z.object({ String: z.string() }), z.object({ Regex: z.string() })], {
  error: 'an object {"String": "..."} or {"Regex": "..."}',
});
/** A split/replace pattern as written in tokenizer.json. */
export type PatternJson = z.infer<typeof patternSchema>;

/** A single character (Unicode code point). */
const char = z.string().refine((s) => [...s].length === 1, { error: 'a string of exactly one character' });

// ---- normalizers ----

/** Shapes of the supported normalizers, by type. */
export const normalizerSchemas = {
  BertNormalizer: z.object({
    type: z.literal('BertNormalizer'),
    clean_text: bool.default(true),
    handle_chinese_chars: bool.default(true),
    strip_accents: bool.nullable().default(null),
    lowercase: bool.default(true),
  }),
  Strip: z.object({ type: z.literal('Strip'), strip_left: bool.default(true), strip_right: bool.default(true) }),
  StripAccents: z.object({ type: z.literal('StripAccents') }),
  NFC: z.object({ type: z.literal('NFC') }),
  NFD: z.object({ type: z.literal('NFD') }),
  NFKC: z.object({ type: z.literal('NFKC') }),
  NFKD: z.object({ type: z.literal('NFKD') }),
  Nmt: z.object({ type: z.literal('Nmt') }),
  Lowercase: z.object({ type: z.literal('Lowercase') }),
  Precompiled: z.object({ type: z.literal('Precompiled'), precompiled_charsmap: z.string().nullable() }),
  Replace: z.object({ type: z.literal('Replace'), pattern: patternSchema, content: z.string() }),
  Prepend: z.object({ type: z.literal('Prepend'), prepend: z.string() }),
  Sequence: z.object({ type: z.literal('Sequence'), normalizers: z.array(z.unknown()) }),
} as const;

// ---- pre-tokenizers ----

/** Shapes of the supported pre-tokenizers, by type. */
export const preTokenizerSchemas = {
  BertPreTokenizer: z.object({ type: z.literal('BertPreTokenizer') }),
  ByteLevel: z.object({
    type: z.literal('ByteLevel'),
    add_prefix_space: bool.default(true),
    trim_offsets: bool.default(true),
    use_regex: bool.default(true),
  }),
  Whitespace: z.object({ type: z.literal('Whitespace') }),
  WhitespaceSplit: z.object({ type: z.literal('WhitespaceSplit') }),
  Punctuation: z.object({ type: z.literal('Punctuation'), behavior: splitBehavior.default('Isolated') }),
  Split: z.object({ type: z.literal('Split'), pattern: patternSchema, behavior: splitBehavior, invert: bool.default(false) }),
  Digits: z.object({ type: z.literal('Digits'), individual_digits: bool.default(false) }),
  Metaspace: z.object({
    type: z.literal('Metaspace'),
    replacement: char.default('▁'),
    add_prefix_space: bool.optional(),
    prepend_scheme: z.enum(['first', 'never', 'always']).default('always'),
    split: bool.default(true),
  }),
  CharDelimiterSplit: z.object({ type: z.literal('CharDelimiterSplit'), delimiter: char }),
  Sequence: z.object({ type: z.literal('Sequence'), pretokenizers: z.array(z.unknown()) }),
} as const;

// ---- models ----

/** Shapes of the supported models, by type. */
export const modelSchemas = {
  WordPiece: z.object({
    type: z.literal('WordPiece').optional(),
    unk_token: z.string().default('[UNK]'),
    continuing_subword_prefix: z.string().default('##'),
    max_input_chars_per_word: int.default(100),
    vocab: z.record(z.string(), int),
  }),
  BPE: z.object({
    type: z.literal('BPE').optional(),
    dropout: z.number().nullable().default(null),
    unk_token: z.string().nullable().default(null),
    continuing_subword_prefix: z.string().nullable().default(null),
    end_of_word_suffix: z.string().nullable().default(null),
    fuse_unk: bool.default(false),
    byte_fallback: bool.default(false),
    ignore_merges: bool.default(false),
    vocab: z.record(z.string(), int),
    merges: z.union([z.array(z.string()), z.array(z.tuple([z.string(), z.string()]))], {
      error: 'an array of "left right" strings or of [left, right] pairs',
    }),
  }),
  Unigram: z.object({
    type: z.literal('Unigram').optional(),
    unk_id: int.nullable().default(null),
    vocab: z.array(z.tuple([z.string(), z.number()])),
    byte_fallback: bool.default(false),
  }),
} as const;
/** A validated WordPiece model section. */
export type WordPieceJson = z.infer<typeof modelSchemas.WordPiece>;
/** A validated BPE model section. */
export type BpeJson = z.infer<typeof modelSchemas.BPE>;
/** A validated Unigram model section. */
export type UnigramJson = z.infer<typeof modelSchemas.Unigram>;

// ---- post-processors ----

const tokenIdPair = z.tuple([z.string(), int]);
const templatePiece = z.union(
  [
    z.object({ Sequence: z.object({ id: z.enum(['A', 'B']), type_id: int }) }),
    z.object({ SpecialToken: z.object({ id: z.string(), type_id: int }) }),
  ],
  { error: 'a template piece {"Sequence": {"id": "A"|"B", "type_id": n}} or {"SpecialToken": {"id": "...", "type_id": n}}' },
);
/** A template: pieces, or the string form "[CLS]:0 $A:0 [SEP]:0". */
const template = z.union([z.array(templatePiece), z.string()], { error: 'an array of template pieces or a template string' });

/** Shapes of the supported post-processors, by type. */
export const postProcessorSchemas = {
  RobertaProcessing: z.object({
    type: z.literal('RobertaProcessing'),
    sep: tokenIdPair,
    cls: tokenIdPair,
    trim_offsets: bool.default(true),
    add_prefix_space: bool.default(true),
  }),
  BertProcessing: z.object({ type: z.literal('BertProcessing'), sep: tokenIdPair, cls: tokenIdPair }),
  ByteLevel: preTokenizerSchemas.ByteLevel,
  TemplateProcessing: z.object({
    type: z.literal('TemplateProcessing'),
    single: template,
    pair: template,
    special_tokens: z.record(z.string(), z.object({ id: z.string(), ids: z.array(int), tokens: z.array(z.string()) })),
  }),
  Sequence: z.object({ type: z.literal('Sequence'), processors: z.array(z.unknown()) }),
} as const;
/** One piece of a TemplateProcessing template. */
export type TemplatePieceJson = z.infer<typeof templatePiece>;
/** A validated TemplateProcessing section. */
export type TemplateProcessingJson = z.infer<typeof postProcessorSchemas.TemplateProcessing>;

// ---- decoders ----

/** Shapes of the supported decoders, by type. */
export const decoderSchemas = {
  WordPiece: z.object({ type: z.literal('WordPiece'), prefix: z.string().default('##'), cleanup: bool.default(true) }),
  ByteLevel: preTokenizerSchemas.ByteLevel,
  Metaspace: preTokenizerSchemas.Metaspace,
  BPEDecoder: z.object({ type: z.literal('BPEDecoder'), suffix: z.string().default('</w>') }),
  Replace: normalizerSchemas.Replace,
  ByteFallback: z.object({ type: z.literal('ByteFallback') }),
  Fuse: z.object({ type: z.literal('Fuse') }),
  Strip: z.object({ type: z.literal('Strip'), content: char, start: int, stop: int }),
  CTC: z.object({
    type: z.literal('CTC'),
    pad_token: z.string().default('<pad>'),
    word_delimiter_token: z.string().default('|'),
    cleanup: bool.default(true),
  }),
  Sequence: z.object({ type: z.literal('Sequence'), decoders: z.array(z.unknown()) }),
} as const;

// ---- tokenizer.json top level ----

/** One entry of added_tokens. */
export const addedTokenSchema = z.object({
  id: int,
  content: z.string(),
  single_word: bool.default(false),
  lstrip: bool.default(false),
  rstrip: bool.default(false),
  normalized: bool.default(true),
  special: bool.default(false),
});
/** A validated added_tokens entry. */
export type AddedTokenJson = z.infer<typeof addedTokenSchema>;

/** The truncation section of tokenizer.json. */
export const truncationSchema = z.object({
  direction: z.enum(['Left', 'Right']).default('Right'),
  max_length: int,
  strategy: z.enum(['LongestFirst', 'OnlyFirst', 'OnlySecond']).default('LongestFirst'),
  stride: int.default(0),
});
/** A validated truncation section. */
export type TruncationJson = z.infer<typeof truncationSchema>;

/** The padding section of tokenizer.json. */
export const paddingSchema = z.object({
  strategy: z.union([z.literal('BatchLongest'), z.object({ Fixed: int })], {
    error: '"BatchLongest" or {"Fixed": length}',
  }),
  direction: z.enum(['Left', 'Right']).default('Right'),
  pad_to_multiple_of: int.nullable().default(null),
  pad_id: int.default(0),
  pad_type_id: int.default(0),
  pad_token: z.string().default('[PAD]'),
});
/** A validated padding section. */
export type PaddingJson = z.infer<typeof paddingSchema>;

/** The top level of tokenizer.json (components are validated by their builders). */
export const tokenizerFileSchema = z.object({
  version: z.string().optional(),
  truncation: truncationSchema.nullable().default(null),
  padding: paddingSchema.nullable().default(null),
  added_tokens: z.array(addedTokenSchema).default([]),
  normalizer: z.unknown().optional(),
  pre_tokenizer: z.unknown().optional(),
  post_processor: z.unknown().optional(),
  decoder: z.unknown().optional(),
  model: z.record(z.string(), z.unknown()),
});

// ---- tokenizer_config.json / special_tokens_map.json ----

/** A special token given as a string or as an AddedToken object. */
export const specialTokenValue = z.union([z.string(), z.object({ content: z.string() }).loose()], {
  error: 'a token string or an object with "content"',
});

/** The fields of tokenizer_config.json that Promptune reads (others are kept as they are). */
export const tokenizerConfigSchema = z
  .object({
    tokenizer_class: z.string().optional(),
    do_lower_case: bool.optional(),
    strip_accents: bool.nullable().optional(),
    tokenize_chinese_chars: bool.optional(),
    add_prefix_space: bool.optional(),
    trim_offsets: bool.optional(),
    model_max_length: z.number().optional(),
    added_tokens_decoder: z.record(z.string(), z.object({ content: z.string() }).loose()).optional(),
    additional_special_tokens: z.array(specialTokenValue).optional(),
  })
  .catchall(z.unknown());
/** A validated tokenizer_config.json. */
export type TokenizerConfigJson = z.infer<typeof tokenizerConfigSchema>;

/** special_tokens_map.json: role → token (string or AddedToken object), lists for additional tokens. */
export const specialTokensMapSchema = z.record(z.string(), z.union([specialTokenValue, z.array(specialTokenValue)]));
