// `npm run bench:tokenizer`: tokens per second of Promptune's tokenizers against the Rust `tokenizers` library
// (through Python) on the embedded review corpus, for each model family: WordPiece (the real all-MiniLM-L6-v2
// tokenizer), byte-level BPE and Unigram (the trained fixtures). Both sides encode the same texts with the
// same tokenizer.json, truncation and padding off; one text at a time (encode) and as one batch. Node runs on
// one thread; the Python side runs with RAYON_RS_NUM_CPUS=1 (and a second time with all cores for the batch).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Tokenizer } from '../../src/transformers/tokenizers/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const fixtures = join(root, 'src', 'transformers', 'tokenizers', '__fixtures__');
const FAMILIES = [
  ['WordPiece (all-MiniLM-L6-v2)', 'bert-uncased'],
  ['byte-level BPE', 'roberta-bpe'],
  ['Unigram (SentencePiece)', 'xlmr-unigram'],
] as const;

const { values } = parseArgs({
  options: {
    passes: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '2' },
    python: { type: 'string', default: join(root, '.venv-ref', 'bin', 'python') },
  },
});
const passes = Number(values.passes);
const rounds = Number(values.rounds);
const python = values.python as string;

/** The `text` column of an RFC 4180 CSV with a header row. */
function csvTexts(path: string): string[] {
  const src = readFileSync(path, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  const col = rows[0]!.indexOf('text');
  return rows.slice(1).map((r) => r[col]!);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface SideResult {
  load_ms: number;
  single_ms: number[];
  batch_ms: number[];
  tokens: number;
}

function nodeSide(texts: string[]): Record<string, SideResult> {
  const out: Record<string, SideResult> = {};
  for (const [, dir] of FAMILIES) {
    const t0 = performance.now();
    const tok = Tokenizer.fromFile(join(fixtures, dir, 'tokenizer.json'));
    const r: SideResult = { load_ms: performance.now() - t0, single_ms: [], batch_ms: [], tokens: 0 };
    const opts = { truncation: false, padding: false } as const;
    for (let p = 0; p < passes + 1; p++) {
      const s = performance.now();
      let n = 0;
      for (const x of texts) n += tok.encode(x, null, opts).ids.length;
      r.single_ms.push(performance.now() - s);
      r.tokens = n;
    }
    for (let p = 0; p < passes; p++) {
      const s = performance.now();
      const encs = tok.encodeBatch(texts, opts);
      r.batch_ms.push(performance.now() - s);
      r.tokens = encs.reduce((n, e) => n + e.ids.length, 0);
    }
    out[dir] = r;
  }
  return out;
}

function pythonSide(
  textsFile: string,
  threads: number,
  batchOnly: boolean,
): { version: string; results: Record<string, SideResult> } {
  const args = [
    join(here, 'ref.py'),
    '--texts',
    textsFile,
    '--dirs',
    FAMILIES.map(([, d]) => join(fixtures, d)).join(','),
    '--passes',
    String(passes),
  ];
  if (batchOnly) args.push('--batch-only');
  const r = spawnSync(python, args, {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, RAYON_RS_NUM_CPUS: String(threads), TOKENIZERS_PARALLELISM: 'true' },
  });
  if (r.error || r.status !== 0) {
    throw new Error(`${python} failed (${r.error?.message ?? r.stderr}); create it with bash scripts/setup-python-ref.sh`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function main(): void {
  const data = join(root, 'data', 'reviews-fine-foods');
  const texts = [...csvTexts(join(data, 'train.csv')), ...csvTexts(join(data, 'test.csv'))];
  const tmp = mkdtempSync(join(tmpdir(), 'pt-bench-tok-'));
  const textsFile = join(tmp, 'texts.json');
  writeFileSync(textsFile, JSON.stringify(texts));
  const chars = texts.reduce((n, t) => n + [...t].length, 0);
  const cores = availableParallelism();
  console.log(
    `corpus: ${texts.length} reviews, ${chars.toLocaleString('en-US')} characters; ${passes} timed passes per round, ${rounds} rounds`,
  );

  const node: Record<string, SideResult>[] = [];
  const py1: Record<string, SideResult>[] = [];
  const pyN: Record<string, SideResult>[] = [];
  let version = '?';
  for (let r = 0; r < rounds; r++) {
    node.push(nodeSide(texts));
    const p = pythonSide(textsFile, 1, false);
    version = p.version;
    py1.push(p.results);
    if (cores > 1) pyN.push(pythonSide(textsFile, cores, true).results);
  }

  const rate = (tokens: number, ms: number) => Math.round((tokens / ms) * 1000);
  const fmt = (n: number) => n.toLocaleString('en-US');
  const summary: Record<string, unknown> = {};
  const rows: string[][] = [['tokenizer', 'side', 'threads', 'load ms', 'encode tok/s (cold)', 'encode tok/s', 'batch tok/s']];
  for (const [label, dir] of FAMILIES) {
    let first = true;
    const side = (runs: Record<string, SideResult>[], name: string, threads: number) => {
      const rs = runs.map((x) => x[dir]!);
      const tokens = rs[0]!.tokens;
      const cold = rs.map((x) => x.single_ms[0]!).filter((x) => x !== undefined);
      const warm = rs.flatMap((x) => x.single_ms.slice(1));
      const batch = rs.flatMap((x) => x.batch_ms);
      const s = {
        threads,
        tokens,
        load_ms: median(rs.map((x) => x.load_ms)),
        encode_cold_tok_s: cold.length ? rate(tokens, median(cold)) : null,
        encode_tok_s: warm.length ? rate(tokens, median(warm)) : null,
        batch_tok_s: rate(tokens, median(batch)),
      };
      rows.push([
        first ? label : '',
        name,
        String(threads),
        s.encode_tok_s === null ? '' : s.load_ms.toFixed(0),
        s.encode_cold_tok_s === null ? '' : fmt(s.encode_cold_tok_s),
        s.encode_tok_s === null ? '' : fmt(s.encode_tok_s),
        fmt(s.batch_tok_s),
      ]);
      first = false;
      return s;
    };
    const n = side(node, 'promptune', 1);
    const p1 = side(py1, `tokenizers ${version}`, 1);
    const pN = pyN.length ? side(pyN, `tokenizers ${version}`, cores) : null;
    if (n.tokens !== p1.tokens) throw new Error(`${dir}: token counts differ (${n.tokens} vs ${p1.tokens})`);
    summary[dir] = { family: label, promptune: n, tokenizers_1_thread: p1, tokenizers_all_threads: pN };
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  console.log('');
  for (const r of rows) console.log(r.map((x, c) => (c < 2 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  '));
  console.log('');
  console.log(
    `Node ${process.version} (one thread); Python tokenizers ${version} with RAYON_RS_NUM_CPUS=1, and =${cores} for the batch row; ${cpus()[0]?.model ?? 'cpu'} x${cores}`,
  );
  mkdirSync(join(root, 'bench', 'out'), { recursive: true });
  writeFileSync(
    join(root, 'bench', 'out', 'tokenizer.json'),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores, texts: texts.length, chars, passes, rounds, results: summary }, null, 2)}\n`,
  );
}

main();
