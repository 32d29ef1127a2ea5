// bench:serve side B, in its own process: the exported ONNX graph in onnxruntime-node behind a minimal node:http
// server with /v1/predict's request and answer shape. Texts are tokenized as export.json says, with Promptune's
// tokenizer reading the exported tokenizer.json (padded to the longest text, as Promptune pads), and each request
// is one session.run: no batching across requests, no store. Tells the parent its URL over IPC.
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { OnnxExportNote } from '../../src/core/export/index.js';
import { Tokenizer } from '../../src/transformers/index.js';

interface Args {
  exportDir: string;
  threads: number;
}

const args = JSON.parse(process.argv[2] as string) as Args;
const note = JSON.parse(readFileSync(join(args.exportDir, 'export.json'), 'utf8')) as OnnxExportNote;
if (typeof note.text !== 'string') throw new Error('bench:serve serves single-text models only');
const template = note.text;
const tokenizer = Tokenizer.fromDirectory(args.exportDir);
const session = await ort.InferenceSession.create(join(args.exportDir, 'onnx', 'model.onnx'), {
  intraOpNumThreads: args.threads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const withTypeIds = session.inputNames.includes('token_type_ids');

/** Calibrated probabilities per text (the graph's logits already carry the temperature). */
async function classify(texts: string[]): Promise<number[][]> {
  const enc = tokenizer.encodeBatch(
    texts.map((t) => template.replace('{text}', t)),
    { truncation: { maxLength: note.maxLength }, padding: { strategy: 'longest' } },
  );
  const width = enc[0]?.ids.length ?? 0;
  const int64 = (pick: (e: (typeof enc)[number]) => number[]): ort.Tensor =>
    new ort.Tensor('int64', BigInt64Array.from(enc.flatMap(pick), BigInt), [enc.length, width]);
  const feed: Record<string, ort.Tensor> = { input_ids: int64((e) => e.ids), attention_mask: int64((e) => e.attentionMask) };
  if (withTypeIds) feed.token_type_ids = int64((e) => e.typeIds);
  const logits = (await session.run(feed)).logits as ort.Tensor;
  const n = logits.dims[1] as number;
  const data = logits.data as Float32Array;
  return enc.map((_, b) => {
    const row = Array.from(data.subarray(b * n, (b + 1) * n));
    const max = Math.max(...row);
    const exps = row.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, c) => a + c, 0);
    return exps.map((v) => v / sum);
  });
}

const answer = (probs: number[]) => {
  const top = probs.indexOf(Math.max(...probs));
  const confidence = probs[top] as number;
  const notSure = note.abstainBelow !== undefined && confidence < note.abstainBelow;
  return {
    label: notSure ? null : note.labels[top],
    notSure,
    confidence,
    probs: Object.fromEntries(note.labels.map((l, i) => [l, probs[i]])),
  };
};

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

// Requests being answered: the bench waits for zero between load runs, as autocannon drops its sockets at the
// end of a run while the server still computes their answers.
let inflight = 0;
const server = createServer(async (req, res) => {
  if (req.method === 'GET' && req.url === '/inflight') return send(res, 200, { inflight });
  inflight++;
  try {
    if (req.method !== 'POST' || req.url !== '/v1/predict') return send(res, 404, { error: { code: 'NOT_FOUND' } });
    const b = JSON.parse(await body(req)) as { text?: string; instances?: { text: string }[] };
    const texts = b.instances ? b.instances.map((x) => x.text) : [b.text as string];
    if (!texts.every((t) => typeof t === 'string')) return send(res, 400, { error: { code: 'BAD_REQUEST' } });
    const probs = await classify(texts);
    const head = { model: { name: 'onnx', version: note.model }, prompt: null };
    send(res, 200, b.instances ? { ...head, predictions: probs.map(answer) } : { ...head, prediction: answer(probs[0] ?? []) });
  } catch (e) {
    send(res, 500, { error: { code: 'INTERNAL', message: (e as Error).message } });
  } finally {
    inflight--;
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({ url: `http://127.0.0.1:${port}` });
});
process.on('message', async (m: unknown) => {
  if (m !== 'stop') return;
  server.close();
  server.closeAllConnections();
  await session.release();
  process.exit(0);
});
