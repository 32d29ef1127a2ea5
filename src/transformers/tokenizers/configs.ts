// tokenizer_config.json and special_tokens_map.json: the special tokens of a checkpoint, its maximum input
// length and the casing flags transformers applies on top of tokenizer.json.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddedToken } from './added-tokens.js';
import { TokenizerError } from './errors.js';
import { parse, specialTokenValue, specialTokensMapSchema, tokenizerConfigSchema } from './schema.js';
import type { TokenizerConfigJson } from './schema.js';

/** The special tokens a checkpoint declares (absent when it has none of that kind). */
export interface SpecialTokens {
  cls?: string;
  sep?: string;
  pad?: string;
  mask?: string;
  unk?: string;
  bos?: string;
  eos?: string;
  /** Further special tokens (e.g. prompt tokens added with addSpecialTokens). */
  additional: string[];
}

/** The roles of SpecialTokens with their transformers names, in the order transformers adds them. */
export const SPECIAL_ROLES = [
  ['bos', 'bos_token'],
  ['eos', 'eos_token'],
  ['unk', 'unk_token'],
  ['sep', 'sep_token'],
  ['pad', 'pad_token'],
  ['cls', 'cls_token'],
  ['mask', 'mask_token'],
] as const;

/** A special token as written in a config file: its content and, when given as an object, its flags. */
export interface ConfigToken {
  content: string;
  flags: Partial<AddedToken> | null;
}

/** What the two config files say, merged (special_tokens_map.json wins, as in transformers). */
export interface CheckpointConfig {
  /** The raw tokenizer_config.json (empty object when absent). */
  config: TokenizerConfigJson;
  /** Special tokens by transformers name (cls_token, ...), additional_special_tokens as a list. */
  tokens: Map<string, ConfigToken>;
  additional: ConfigToken[];
  /** model_max_length, unless absent or the "no limit" sentinel. */
  modelMaxLength: number | null;
}

// transformers writes int(1e30) when a checkpoint has no length limit.
const NO_LIMIT = 1e18;

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TokenizerError('TOKENIZER_FILE', `${path}: cannot be read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TokenizerError(
      'TOKENIZER_FILE',
      `${path}: is not valid JSON (${(e as Error).message}). Fix: restore the file from the checkpoint.`,
    );
  }
}

/** Reads a JSON file with a file-naming error on failure. */
export const readJsonFile = readJson;

function configToken(v: unknown): ConfigToken {
  if (typeof v === 'string') return { content: v, flags: null };
  const o = v as { content: string; single_word?: boolean; lstrip?: boolean; rstrip?: boolean; normalized?: boolean };
  const flags: Partial<AddedToken> = {};
  if (typeof o.single_word === 'boolean') flags.singleWord = o.single_word;
  if (typeof o.lstrip === 'boolean') flags.lstrip = o.lstrip;
  if (typeof o.rstrip === 'boolean') flags.rstrip = o.rstrip;
  if (typeof o.normalized === 'boolean') flags.normalized = o.normalized;
  return { content: o.content, flags };
}

/** Reads tokenizer_config.json and special_tokens_map.json of a directory (both optional). */
export function readCheckpointConfig(dir: string): CheckpointConfig {
  const cfgPath = join(dir, 'tokenizer_config.json');
  const mapPath = join(dir, 'special_tokens_map.json');
  const config = existsSync(cfgPath)
    ? parse(tokenizerConfigSchema, readJson(cfgPath), { file: cfgPath, path: [] })
    : ({} as TokenizerConfigJson);
  const tokens = new Map<string, ConfigToken>();
  let additional: ConfigToken[] = [];
  const take = (source: Record<string, unknown>): void => {
    for (const [, key] of SPECIAL_ROLES) {
      const v = source[key];
      if (v !== undefined && v !== null) tokens.set(key, configToken(v));
    }
    const extra = source.additional_special_tokens;
    if (Array.isArray(extra)) additional = extra.map(configToken);
  };
  for (const [, key] of SPECIAL_ROLES) {
    const v = config[key];
    if (v !== undefined && v !== null) parse(specialTokenValue, v, { file: cfgPath, path: [key] });
  }
  take(config);
  if (existsSync(mapPath)) take(parse(specialTokensMapSchema, readJson(mapPath), { file: mapPath, path: [] }));
  const m = config.model_max_length;
  return { config, tokens, additional, modelMaxLength: typeof m === 'number' && m < NO_LIMIT ? m : null };
}

/** SpecialTokens from a checkpoint config. */
export function specialTokensOf(c: CheckpointConfig): SpecialTokens {
  const out: SpecialTokens = { additional: c.additional.map((t) => t.content) };
  for (const [role, key] of SPECIAL_ROLES) {
    const t = c.tokens.get(key);
    if (t) out[role] = t.content;
  }
  return out;
}
