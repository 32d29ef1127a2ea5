// Patterns of tokenizer.json are Oniguruma regexes (the reference's engine). This translates the subset that
// tokenizer files use into JavaScript `u` regexes with the same meaning: Unicode \s \w \d, \p{Script} names,
// scoped (?i:...) groups, \x{...}, \A \z; unsupported constructs are reported instead of silently changed.
import { TokenizerError } from './errors.js';

const WS = '\\p{White_Space}';
const NOT_WS = '\\P{White_Space}';
// Oniguruma's \w: Unicode word characters, plus the Latin-1 digits and fractions its ISO-8859-1 table counts.
const WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\xb2\\xb3\\xb9\\xbc-\\xbe';

function propertyEscape(negated: boolean, name: string): string {
  const p = negated ? 'P' : 'p';
  for (const candidate of [name, `Script=${name}`]) {
    try {
      new RegExp(`\\${p}{${candidate}}`, 'u');
      return `\\${p}{${candidate}}`;
    } catch {}
  }
  throw new TokenizerError('TOKENIZER_CONFIG', `unknown Unicode property \\${p}{${name}}`);
}

/** Translates an Oniguruma pattern to a JavaScript regex source for the `u` flag. */
function translateRegex(source: string): string {
  let out = '';
  let inClass = false;
  const icase: boolean[] = [];
  let depth = 0;
  const unsupported = (what: string): never => {
    throw new TokenizerError('TOKENIZER_UNSUPPORTED', `regex ${JSON.stringify(source)} uses ${what}, which is not supported`);
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1] ?? unsupported('a trailing backslash');
      i++;
      if (n === 's') out += inClass ? WS : `[${WS}]`;
      else if (n === 'S') out += inClass ? unsupported('\\S inside a character class') : `[${NOT_WS}]`;
      else if (n === 'w') out += inClass ? WORD : `[${WORD}]`;
      else if (n === 'W') out += inClass ? unsupported('\\W inside a character class') : `[^${WORD}]`;
      else if (n === 'd') out += '\\p{Nd}';
      else if (n === 'D') out += '\\P{Nd}';
      else if (n === 'A') out += '^';
      else if (n === 'z') out += '$';
      else if (n === 'Z') out += '(?=\\n?$)';
      else if (n === 'h' || n === 'H' || n === 'K' || n === 'G' || n === 'X' || n === 'R') unsupported(`\\${n}`);
      else if ((n === 'p' || n === 'P') && source[i + 1] === '{') {
        const end = source.indexOf('}', i);
        let name = source.slice(i + 2, end);
        let neg = n === 'P';
        if (name.startsWith('^')) {
          neg = !neg;
          name = name.slice(1);
        }
        out += propertyEscape(neg, name);
        i = end;
      } else if (n === 'x' && source[i + 1] === '{') {
        const end = source.indexOf('}', i);
        out += `\\u{${source.slice(i + 2, end)}}`;
        i = end;
      } else if (/[A-Za-z0-9]/.test(n) || '^$\\.*+?()[]{}|/'.includes(n) || (inClass && n === '-')) out += `\\${n}`;
      else out += n; // identity escapes such as \' or \- are plain characters (JavaScript's u flag rejects them)
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      if (c === '[' && source[i + 1] === ':') unsupported('POSIX bracket classes');
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') out += `\\${source[++i]}`;
      continue;
    }
    if (c === '(') {
      depth++;
      if (source.startsWith('(?i:', i)) {
        icase[depth] = true;
        out += '(?:';
        i += 3;
        continue;
      }
      if (source.startsWith('(?>', i)) unsupported('atomic groups');
      icase[depth] = icase[depth - 1] ?? false;
      out += c;
      continue;
    }
    if (c === ')') {
      depth--;
      out += c;
      continue;
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && source[i + 1] === '+') {
      // Possessive quantifier: JavaScript has none; the greedy form matches the same text in tokenizer patterns.
      out += c;
      i++;
      continue;
    }
    if (icase[depth] && /[a-zA-Z]/.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
      continue;
    }
    out += c;
  }
  return out;
}

/** Compiles a tokenizer.json regex (Oniguruma syntax) to a global Unicode RegExp. */
export function compileRegex(source: string): RegExp {
  const js = translateRegex(source);
  try {
    return new RegExp(js, 'gu');
  } catch (e) {
    throw new TokenizerError('TOKENIZER_CONFIG', `regex ${JSON.stringify(source)} does not compile (${(e as Error).message})`);
  }
}

/** A RegExp that matches the literal string s. */
export function literalRegex(s: string): RegExp {
  return new RegExp(s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'gu');
}

/** GPT-2's pre-tokenization regex (the ByteLevel pre-tokenizer's), with the reference's Unicode \s. */
export const GPT2_REGEX = compileRegex("'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");
