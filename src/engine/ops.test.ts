// Every op, forward and gradient, against PyTorch goldens (src/engine/__fixtures__, see its README).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  AdamW,
  F,
  SGD,
  type Tensor,
  cat,
  clipGradNorm,
  loadSafetensors,
  manualSeed,
  ones,
  rand,
  randn,
  stack,
  tidy,
  where,
} from './index.js';
import { assertClose } from './testing.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const golden = loadSafetensors(new URL('ops.safetensors', dir).pathname).tensors;
interface Case {
  name: string;
  op: string;
  inputs: ({ tensor: string } | { value: number })[];
  kwargs: Record<string, unknown>;
  outputs: string[];
  grads: Record<string, string>;
  upstream: string | null;
  atol: number;
  rtol: number;
}
const manifest = JSON.parse(readFileSync(new URL('ops.json', dir), 'utf8')) as {
  cases: (Case & { steps?: number; norm?: number })[];
};
const g = (name: string): Tensor => {
  const t = golden.get(name);
  if (!t) throw new Error(`fixture tensor ${name} missing`);
  return t;
};

type Arg = Tensor | number;
type K = Record<string, unknown>;
const T = (a: Arg | undefined): Tensor => a as Tensor;
const num = (v: unknown): number => v as number;

// How each golden op is spelled in Promptune. A missing entry fails the test below.
const OPS: Record<string, (args: Arg[], k: K) => Tensor | Tensor[]> = {
  matmul: ([a, b]) => T(a).matmul(T(b)),
  bmm: ([a, b]) => T(a).bmm(T(b)),
  linear: ([x, w, b]) => F.linear(T(x), T(w), b as Tensor | undefined),
  add: ([a, b]) => T(a).add(b as Tensor),
  sub: ([a, b]) => T(a).sub(b as Tensor),
  mul: ([a, b]) => T(a).mul(b as Tensor),
  div: ([a, b]) => T(a).div(b as Tensor),
  pow: ([a, b]) => T(a).pow(b as Tensor),
  maximum: ([a, b]) => T(a).maximum(b as Tensor),
  minimum: ([a, b]) => T(a).minimum(b as Tensor),
  neg: ([a]) => T(a).neg(),
  abs: ([a]) => T(a).abs(),
  exp: ([a]) => T(a).exp(),
  log: ([a]) => T(a).log(),
  sqrt: ([a]) => T(a).sqrt(),
  rsqrt: ([a]) => T(a).rsqrt(),
  tanh: ([a]) => T(a).tanh(),
  sigmoid: ([a]) => T(a).sigmoid(),
  relu: ([a]) => T(a).relu(),
  gelu: ([a]) => T(a).gelu(),
  gelu_tanh: ([a]) => T(a).gelu('tanh'),
  silu: ([a]) => T(a).silu(),
  erf: ([a]) => T(a).erf(),
  square: ([a]) => T(a).square(),
  sin: ([a]) => T(a).sin(),
  cos: ([a]) => T(a).cos(),
  clamp: ([a], k) => T(a).clamp(num(k.min), num(k.max)),
  eq: ([a, b]) => T(a).eq(b as Tensor),
  ne: ([a, b]) => T(a).ne(b as Tensor),
  lt: ([a, b]) => T(a).lt(b as Tensor),
  le: ([a, b]) => T(a).le(b as Tensor),
  gt: ([a, b]) => T(a).gt(b as Tensor),
  ge: ([a, b]) => T(a).ge(b as Tensor),
  where: ([c, a, b]) => where(T(c), a as Tensor, b as Tensor),
  maskedFill: ([a, m, v]) => T(a).maskedFill(T(m), v as number),
  softmax: ([a], k) => T(a).softmax(num(k.dim)),
  logSoftmax: ([a], k) => F.logSoftmax(T(a), num(k.dim)),
  layerNorm: ([x, w, b], k) => F.layerNorm(T(x), [T(x).size(-1)], w as Tensor | undefined, b as Tensor | undefined, num(k.eps)),
  dropout: ([x], k) => F.dropout(T(x), num(k.p), k.training as boolean),
  embedding: ([ids, w], k) => F.embedding(T(ids), T(w), num(k.paddingIdx)),
  gather: ([x, i], k) => T(x).gather(num(k.dim), T(i)),
  indexSelect: ([x, i], k) => T(x).indexSelect(num(k.dim), T(i)),
  reshape: ([x], k) => T(x).reshape(k.shape as number[]),
  permute: ([x], k) => T(x).permute(k.dims as number[]),
  transpose: ([x], k) => T(x).transpose(num(k.dim0), num(k.dim1)),
  cat: (xs, k) => cat(xs as Tensor[], num(k.dim)),
  stack: (xs, k) => stack(xs as Tensor[], num(k.dim)),
  split: ([x], k) => T(x).split(k.sizes as number[], num(k.dim)),
  narrow: ([x], k) => T(x).narrow(num(k.dim), num(k.start), num(k.length)),
  unsqueezeExpand: ([x]) => T(x).unsqueeze(0).expand(4, 3),
  sum: ([x], k) => T(x).sum(k.dim as number[] | undefined, (k.keepdim as boolean) ?? false),
  mean: ([x], k) => T(x).mean(k.dim as number[] | undefined, (k.keepdim as boolean) ?? false),
  maxDim: ([x], k) => {
    const r = T(x).maxDim(num(k.dim));
    return [r.values, r.indices];
  },
  max: ([x]) => T(x).max(),
  argmax: ([x], k) => T(x).argmax(num(k.dim)),
  topk: ([x], k) => {
    const r = T(x).topk(num(k.k), num(k.dim));
    return [r.values, r.indices];
  },
  crossEntropy: ([x, t, w], k) =>
    F.crossEntropy(T(x), T(t), {
      weight: w as Tensor | undefined,
      ignoreIndex: k.ignoreIndex as number | undefined,
      labelSmoothing: k.labelSmoothing as number | undefined,
      reduction: k.reduction as F.Reduction | undefined,
    }),
  bceWithLogits: ([x, t]) => F.binaryCrossEntropyWithLogits(T(x), T(t)),
  sdpa: ([q, k, v, m], kw) =>
    F.scaledDotProductAttention(T(q), T(k), T(v), { mask: m as Tensor | undefined, isCausal: kw.isCausal as boolean }),
  to: ([x], k) => T(x).to(k.dtype as 'float16'),
};

const opCases = manifest.cases.filter((c) => c.inputs !== undefined);

describe('ops match PyTorch', () => {
  it('covers every golden case with an implementation', () => {
    const missing = opCases.filter((c) => !(c.op in OPS)).map((c) => c.op);
    expect(missing).toEqual([]);
    expect(opCases.length).toBeGreaterThan(70);
  });

  for (const c of opCases) {
    it(`${c.name}: forward${Object.keys(c.grads).length ? ' and gradient' : ''}`, () => {
      tidy(() => {
        const args: Arg[] = c.inputs.map((inp, i) => {
          if ('value' in inp) return inp.value;
          const t = g(inp.tensor).clone();
          if (String(i) in c.grads) t.requiresGrad_(true);
          return t;
        });
        const out = OPS[c.op]!(args, c.kwargs);
        const outs = Array.isArray(out) ? out : [out];
        expect(outs.length).toBe(c.outputs.length);
        outs.forEach((o, j) => assertClose(o, g(c.outputs[j]!), { atol: c.atol, rtol: c.rtol, label: `${c.name} output ${j}` }));
        if (c.upstream) {
          outs[0]!.backward(g(c.upstream));
          for (const [i, name] of Object.entries(c.grads)) {
            const grad = (args[Number(i)] as Tensor).grad;
            expect(grad, `${c.name}: input ${i} got no gradient`).toBeDefined();
            assertClose(grad!, g(name), { atol: c.atol, rtol: c.rtol, label: `${c.name} grad of input ${i}` });
          }
        }
      });
    });
  }
});

describe('seeded randomness matches PyTorch', () => {
  it('manualSeed(42) gives the same randn and rand as torch.manual_seed(42)', () => {
    manualSeed(42);
    assertClose(randn([3, 4]), g('seed42.randn'), { atol: 0, rtol: 0 });
    assertClose(rand([5]), g('seed42.rand'), { atol: 0, rtol: 0 });
  });

  it('dropout masks match for the same seed, and differ for another seed', () => {
    manualSeed(7);
    assertClose(F.dropout(ones([4, 6]), 0.3, true), g('seed7.dropout'), { atol: 0, rtol: 0 });
    manualSeed(8);
    const other = F.dropout(ones([4, 6]), 0.3, true).toNumbers();
    expect(other).not.toEqual(g('seed7.dropout').toNumbers());
  });
});

describe('optimisers match torch.optim', () => {
  for (const c of manifest.cases.filter((x) => x.op === 'optimizer')) {
    it(`${c.name}: three steps`, () => {
      const p = g(`${c.name}.p0`).clone().requiresGrad_(true);
      const k = c.kwargs as {
        kind: string;
        lr: number;
        betas?: [number, number];
        eps?: number;
        weightDecay: number;
        momentum?: number;
        nesterov?: boolean;
      };
      const opt =
        k.kind === 'adamw'
          ? new AdamW([p], { lr: k.lr, betas: k.betas, eps: k.eps, weightDecay: k.weightDecay })
          : new SGD([p], { lr: k.lr, momentum: k.momentum, weightDecay: k.weightDecay, nesterov: k.nesterov });
      for (let i = 0; i < (c.steps ?? 0); i++) {
        // Inject the recorded gradient: d(sum(p * g))/dp = g.
        tidy(() =>
          p
            .mul(g(`${c.name}.g${i}`))
            .sum()
            .backward(),
        );
        opt.step();
        opt.zeroGrad();
        assertClose(p.detach(), g(`${c.name}.p${i + 1}`), { atol: 1e-6, rtol: 1e-5, label: `${c.name} step ${i + 1}` });
      }
      opt.dispose();
    });
  }

  it('clipGradNorm scales all grads by one global factor, as torch.nn.utils.clip_grad_norm_', () => {
    const c = manifest.cases.find((x) => x.op === 'clipGradNorm')!;
    const pa = g('clip.ga').clone().zero_().requiresGrad_(true);
    const pb = g('clip.gb').clone().zero_().requiresGrad_(true);
    tidy(() =>
      pa
        .mul(g('clip.ga'))
        .sum()
        .add(pb.mul(g('clip.gb')).sum())
        .backward(),
    );
    const norm = clipGradNorm([pa, pb], 1.0);
    expect(norm).toBeCloseTo(c.norm!, 4);
    assertClose(pa.grad!, g('clip.ga_out'), { atol: 1e-6 });
    assertClose(pb.grad!, g('clip.gb_out'), { atol: 1e-6 });
  });
});
