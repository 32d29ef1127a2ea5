// Checkpoints without tokenizer.json: build the tokenizer.json transformers' converters would produce from
// vocab.txt (BERT WordPiece) or vocab.json + merges.txt (RoBERTa byte-level BPE), honouring the config flags.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddedToken } from './added-tokens.js';
import { type CheckpointConfig, type ConfigToken, SPECIAL_ROLES, readJsonFile } from './configs.js';
import { TokenizerError } from './errors.js';

type Json = Record<string, unknown>;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenizerError('TOKENIZER_FILE', `${path}: cannot be read (${(e as Error).message})`);
  }
}

/** Added-token JSON entries for the special tokens, in transformers' order, with ids from the vocabulary. */
function specialEntries(
  c: CheckpointConfig,
  defaults: Record<string, string>,
  vocab: Map<string, number>,
  flagsFor: (key: string, t: ConfigToken) => Partial<AddedToken>,
): { entries: Json[]; ids: Map<string, number>; contents: Map<string, string> } {
  const entries: Json[] = [];
  const ids = new Map<string, number>();
  const contents = new Map<string, string>();
  let next = vocab.size;
  for (const [, key] of SPECIAL_ROLES) {
    const t = c.tokens.get(key) ?? (defaults[key] !== undefined ? { content: defaults[key]!, flags: null } : undefined);
    if (t === undefined) continue;
    contents.set(key, t.content);
    if (ids.has(t.content)) continue;
    const id = vocab.get(t.content) ?? next++;
    ids.set(t.content, id);
    const f = { singleWord: false, lstrip: false, rstrip: false, normalized: false, ...flagsFor(key, t), ...(t.flags ?? {}) };
    entries.push({
      id,
      content: t.content,
      single_word: f.singleWord,
      lstrip: f.lstrip,
      rstrip: f.rstrip,
      normalized: f.normalized,
      special: true,
    });
  }
  return { entries, ids, contents };
}

/** Records the class defaults transformers would use for special tokens the config does not name. */
function withDefaults(c: CheckpointConfig, defaults: Record<string, string>): void {
  for (const [key, content] of Object.entries(defaults)) if (!c.tokens.has(key)) c.tokens.set(key, { content, flags: null });
}

/** BERT: vocab.txt, one token per line (line number = id), BertNormalizer flags from the config. */
function bertJSON(dir: string, c: CheckpointConfig): Json {
  const file = join(dir, 'vocab.txt');
  const lines = readText(file).split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((t, i) => vocab.set(t, i));
  const defaults = {
    unk_token: '[UNK]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
  };
  const s = specialEntries(c, defaults, vocab, () => ({}));
  withDefaults(c, defaults);
  const cls = s.contents.get('cls_token')!;
  const sep = s.contents.get('sep_token')!;
  const vocabObj: Record<string, number> = {};
  for (const [t, id] of vocab) vocabObj[t] = id;
  const cfg = c.config;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: s.entries,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: cfg.tokenize_chinese_chars ?? true,
      strip_accents: cfg.strip_accents ?? null,
      lowercase: cfg.do_lower_case ?? true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: `${cls}:0 $A:0 ${sep}:0`,
      pair: `${cls}:0 $A:0 ${sep}:0 $B:1 ${sep}:1`,
      special_tokens: {
        [cls]: { id: cls, ids: [s.ids.get(cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [s.ids.get(sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: s.contents.get('unk_token'),
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: vocabObj,
    },
  };
}

/** RoBERTa: vocab.json + merges.txt (first line is the #version header), byte-level pipeline. */
function robertaJSON(dir: string, c: CheckpointConfig): Json {
  const vocabFile = join(dir, 'vocab.json');
  const mergesFile = join(dir, 'merges.txt');
  const raw = readJsonFile(vocabFile);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TokenizerError('TOKENIZER_CONFIG', `${vocabFile}: expected an object of token → id. Fix: restore vocab.json.`);
  }
  const vocab = new Map(Object.entries(raw as Record<string, number>));
  // Like transformers: drop the header line and the (empty) last line, split on whitespace, keep first occurrences.
  const seen = new Set<string>();
  const merges: string[] = [];
  readText(mergesFile)
    .split('\n')
    .slice(1, -1)
    .forEach((line, i) => {
      const parts = line.trim().split(/\s+/);
      if (parts.length !== 2) {
        throw new TokenizerError(
          'TOKENIZER_CONFIG',
          `${mergesFile}: line ${i + 2} is ${JSON.stringify(line)}, expected two tokens separated by a space. Fix: restore merges.txt.`,
        );
      }
      const m = `${parts[0]} ${parts[1]}`;
      if (!seen.has(m)) {
        seen.add(m);
        merges.push(m);
      }
    });
  const defaults = {
    bos_token: '<s>',
    eos_token: '</s>',
    sep_token: '</s>',
    cls_token: '<s>',
    unk_token: '<unk>',
    pad_token: '<pad>',
    mask_token: '<mask>',
  };
  // RobertaTokenizer wraps string specials as normalized tokens, and the mask as an lstrip, raw-text token.
  const s = specialEntries(c, defaults, vocab, (key) =>
    key === 'mask_token' ? { lstrip: true, normalized: false } : { normalized: true },
  );
  withDefaults(c, defaults);
  const cfg = c.config;
  const addPrefixSpace = cfg.add_prefix_space ?? false;
  const cls = s.contents.get('cls_token')!;
  const sep = s.contents.get('sep_token')!;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: s.entries,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [sep, s.ids.get(sep)],
      cls: [cls, s.ids.get(cls)],
      trim_offsets: true,
      add_prefix_space: addPrefixSpace,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  };
}

/**
 * The tokenizer.json a legacy checkpoint directory converts to, and the file it came from (for errors). Special
 * tokens the config leaves out get the tokenizer class's defaults, recorded in `c`.
 */
export function legacyTokenizerJSON(dir: string, c: CheckpointConfig): { json: Json; file: string } {
  const cls = c.config.tokenizer_class;
  const check = (kind: string, ok: RegExp, file: string): void => {
    if (cls !== undefined && !ok.test(cls)) {
      throw new TokenizerError(
        'TOKENIZER_UNSUPPORTED',
        `${join(dir, 'tokenizer_config.json')}: tokenizer_class is "${cls}"; without a tokenizer.json only ${kind} checkpoints are converted (from ${file}). Fix: save the tokenizer with \`tokenizer.save_pretrained()\` in Python (transformers writes tokenizer.json) and load that.`,
      );
    }
  };
  if (existsSync(join(dir, 'vocab.txt'))) {
    check('BERT-style WordPiece', /bert|electra|minilm|layoutlm/i, 'vocab.txt');
    return { json: bertJSON(dir, c), file: join(dir, 'vocab.txt') };
  }
  if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))) {
    check('RoBERTa-style byte-level BPE', /roberta|bart|longformer/i, 'vocab.json + merges.txt');
    return { json: robertaJSON(dir, c), file: join(dir, 'vocab.json') };
  }
  throw new TokenizerError(
    'TOKENIZER_FILE',
    `${dir}: no tokenizer.json, vocab.txt (BERT) or vocab.json + merges.txt (RoBERTa) found. Fix: point at a checkpoint directory that has one of them, or save the tokenizer with \`tokenizer.save_pretrained()\` in Python.`,
  );
}
