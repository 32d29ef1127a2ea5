// A long training run must hold steady native memory: 1,000+ steps of a small attention model.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AdamW,
  Embedding,
  F,
  LayerNorm,
  Linear,
  LrScheduler,
  Module,
  type Tensor,
  clipGradNorm,
  linearWithWarmup,
  manualSeed,
  memoryStats,
  noGrad,
  randint,
  tidy,
  trimNativeHeap,
  zeros,
} from './index.js';

class TinyClassifier extends Module {
  readonly emb = this.child('emb', new Embedding(50, 32));
  readonly qkv = this.child('qkv', new Linear(32, 96));
  readonly norm = this.child('norm', new LayerNorm(32));
  readonly ffn = this.child('ffn', new Linear(32, 32));
  readonly head = this.child('head', new Linear(32, 3));

  forward(ids: Tensor, mask: Tensor): Tensor {
    const x = this.emb.forward(ids);
    const [q, k, v] = this.qkv.forward(x).split(32, -1) as [Tensor, Tensor, Tensor];
    const attn = F.scaledDotProductAttention(q, k, v, { mask, dropoutP: this.training ? 0.1 : 0 });
    const h = this.norm.forward(x.add(attn));
    // CLS-style pooling: the first position carries the token the label depends on.
    const pooled = this.ffn.forward(h.select(1, 0)).gelu();
    return this.head.forward(F.dropout(pooled, 0.1, this.training));
  }
}

describe('steady memory over a long training run', () => {
  it('1,200 training steps: live tensors constant, native heap flat, loss falls', () => {
    manualSeed(0);
    const model = new TinyClassifier();
    const opt = new AdamW(model.parameters(), { lr: 3e-3 });
    const sched = new LrScheduler(opt, 3e-3, linearWithWarmup(50, 1200));
    // A learnable rule: the label is the first token id modulo 3.
    const batch = (): { ids: Tensor; mask: Tensor; y: Tensor } =>
      tidy(() => {
        const ids = randint(0, 50, [16, 12]);
        const mask = randint(0, 2, [16, 1, 12]).bool().logicalOr(true);
        return { ids, mask, y: ids.select(1, 0).remainder(3) };
      });
    const samples: { step: number; live: number; heap: number }[] = [];
    const losses: number[] = [];
    for (let step = 1; step <= 1200; step++) {
      const loss = tidy(() => {
        const { ids, mask, y } = batch();
        const l = F.crossEntropy(model.forward(ids, mask), y, { labelSmoothing: 0.05 });
        l.backward();
        return l.item();
      });
      clipGradNorm(model.parameters(), 1.0);
      opt.step();
      opt.zeroGrad();
      sched.step();
      losses.push(loss);
      if (step % 200 === 0) samples.push({ step, ...pick(memoryStats()) });
    }
    const evalAcc = noGrad(() =>
      tidy(() => {
        model.eval();
        const { ids, mask, y } = batch();
        return model.forward(ids, mask).argmax(-1).eq(y).float().mean().item();
      }),
    );
    const first = samples[0]!;
    for (const s of samples) {
      expect(s.live, `live tensors at step ${s.step}`).toBe(first.live);
    }
    const growth = samples[samples.length - 1]!.heap - samples[1]!.heap;
    expect(growth, `native heap grew by ${growth} bytes between step 400 and 1200`).toBeLessThan(512 * 1024);
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-100))).toBeLessThan(mean(losses.slice(0, 100)) * 0.7);
    expect(evalAcc).toBeGreaterThan(0.6);
    opt.dispose();
    model.dispose();
  });
});

function pick(m: { liveTensors: number; nativeHeapBytes: number }): { live: number; heap: number } {
  return { live: m.liveTensors, heap: m.nativeHeapBytes };
}

/** Resident kilobytes of the C heap ([heap] in /proc/self/smaps). */
function heapResidentKb(): number {
  const smaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
  let inHeap = false;
  let kb = 0;
  for (const line of smaps) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inHeap = line.trimEnd().endsWith('[heap]');
    else if (inHeap && line.startsWith('Rss:')) kb += Number(line.split(/\s+/)[1]);
  }
  return kb;
}

describe('trimNativeHeap', () => {
  it('gives the free space that tensors of changing sizes leave in the C heap back to the system', () => {
    // Sizes under the mmap threshold come from the heap; freeing them leaves resident free space behind.
    const blocks: Tensor[] = [];
    for (let i = 0; i < 60; i++) blocks.push(zeros([1024, 256 + 37 * i]));
    for (const t of blocks) t.dispose();
    const before = heapResidentKb();
    expect(trimNativeHeap()).toBe(true);
    const after = heapResidentKb();
    expect(before - after).toBeGreaterThan(50_000);
  });
});
