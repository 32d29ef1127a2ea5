// Mixed precision against PyTorch: the same small classifier (linear → GELU → +residual → LayerNorm → linear →
// cross-entropy) under our autocast and under torch.autocast("cpu", bfloat16) (scripts/fixtures/gen_autocast.py)
// gives the same dtypes at each stage, the same logits and loss, and the same fp32 weight gradients.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { F, autocast, autocastDtype, loadSafetensors, noGrad, resolvePrecision, tidy } from './index.js';
import { assertClose } from './testing.js';

const dir = new URL('./__fixtures__/', import.meta.url);
const golden = loadSafetensors(new URL('autocast.safetensors', dir).pathname).tensors;
const meta = JSON.parse(readFileSync(new URL('autocast.json', dir), 'utf8')) as { dtypes: Record<string, string> };
const g = (name: string) => {
  const t = golden.get(name);
  if (!t) throw new Error(`fixture ${name} missing`);
  return t;
};

describe('autocast (bf16 mixed precision)', () => {
  it('matches torch.autocast: dtypes, logits, loss and fp32 weight gradients', () => {
    const p = Object.fromEntries(['w1', 'b1', 'ln_w', 'ln_b', 'w2', 'b2'].map((k) => [k, g(k).clone().requiresGrad_(true)]));
    const seen: Record<string, string> = {};
    const loss = autocast('bf16', () => {
      const h = F.linear(g('x'), p.w1!, p.b1);
      seen.hidden = h.dtype;
      const n = F.layerNorm(h.gelu().add(g('residual')), [32], p.ln_w, p.ln_b);
      const logits = F.linear(n, p.w2!, p.b2);
      seen.logits = logits.dtype;
      assertClose(logits.to('float32'), g('logits'), { atol: 1e-2, rtol: 1e-2, label: 'logits' });
      return F.crossEntropy(logits, g('labels'));
    });
    seen.loss = loss.dtype;
    expect(autocastDtype()).toBeNull();
    loss.backward();
    seen.grad = p.w1!.grad!.dtype;
    expect(seen).toEqual(meta.dtypes);
    assertClose(loss.reshape([1]), g('loss'), { atol: 1e-3, rtol: 1e-3, label: 'loss' });
    for (const k of Object.keys(p)) assertClose(p[k]!.grad!, g(`grad.${k}`), { atol: 1e-2, rtol: 2e-2, label: `grad.${k}` });
    expect(Object.values(p).every((w) => w.dtype === 'float32')).toBe(true);
  });

  it('leaves fp32 alone, restores the state it found, and forgets cast weights when it ends', () => {
    // A leaf that requires grad, as weights are: the kind libtorch caches a bf16 copy of inside a region.
    const w = g('w1').clone().requiresGrad_(true);
    const x = g('x');
    tidy(() => {
      expect(autocast('fp32', () => F.linear(x, w).dtype)).toBe('float32');
      expect(
        autocast('bf16', () => {
          const inner = autocast('bf16', () => F.linear(x, w).dtype);
          return [inner, autocastDtype()];
        }),
      ).toEqual(['bfloat16', 'bfloat16']);
      expect(autocastDtype()).toBeNull();
      // A weight changed in place between two regions is seen by the second (no stale bf16 copy).
      const before = autocast('bf16', () => F.linear(x, w).to('float32'));
      noGrad(() => w.copy_(w.mul(2)));
      const after = autocast('bf16', () => F.linear(x, w).to('float32'));
      assertClose(after, before.mul(2), { atol: 5e-2, rtol: 2e-2 });
    });
    expect(() => autocast('bf16', () => Promise.resolve(1))).toThrow(/synchronous/);
    expect(autocastDtype()).toBeNull();
  });

  it('normalises a bf16 activation with fp32 LayerNorm weights in fp32 and answers in bf16 (PyTorch 2 semantics)', () => {
    tidy(() => {
      const x = g('residual').to('bfloat16');
      const [w, b] = [g('ln_w'), g('ln_b')];
      const y = F.layerNorm(x, [32], w, b);
      expect(y.dtype).toBe('bfloat16');
      assertClose(y.to('float32'), F.layerNorm(x.to('float32'), [32], w, b).to('bfloat16').to('float32'), { atol: 0, rtol: 0 });
    });
  });

  it('resolves auto from the hardware and refuses fp16 on CPU', () => {
    const auto = resolvePrecision('auto');
    expect(['bf16', 'fp32']).toContain(auto.precision);
    expect(auto.reason).toMatch(/^auto: /);
    expect(resolvePrecision('fp32')).toEqual({ precision: 'fp32', reason: 'asked for' });
    expect(() => resolvePrecision('fp16', 'cpu')).toThrow(/CUDA only/);
  });
});
