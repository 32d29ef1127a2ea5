// The post-LayerNorm transformer block that BERT, RoBERTa, XLM-R and DistilBERT share. Families differ only in
// what they call the weights, so each family names its own modules and hands them to postLnBlock.
import { F, type LayerNorm, type Linear, type Tensor } from '../../engine/index.js';

/** The weights of one block, whatever the family calls them. */
export interface BlockWeights {
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOut: Linear;
  attentionNorm: LayerNorm;
  ffnIn: Linear;
  ffnOut: Linear;
  outputNorm: LayerNorm;
}

/** What a block needs besides weights. */
export interface BlockOptions {
  heads: number;
  act: (x: Tensor) => Tensor;
  hiddenDropout: number;
  attentionDropout: number;
  /** BERT drops out the attention projection before the residual; DistilBERT does not. */
  dropoutAfterAttention: boolean;
  training: boolean;
}

/** [B, L] 1/0 attention mask → bool [B, 1, 1, L], true where a key may be attended to. */
export function keyMask(attentionMask: Tensor): Tensor {
  return attentionMask.ne(0).unsqueeze(1).unsqueeze(1);
}

/** softmax(q kᵀ/√d + mask) v over `heads` heads of x [B, L, H], then the output projection. */
export function selfAttention(x: Tensor, mask: Tensor, w: BlockWeights, o: BlockOptions): Tensor {
  const [b, l, h] = x.shape as [number, number, number];
  const d = h / o.heads;
  const split = (t: Tensor): Tensor => t.view(b, l, o.heads, d).permute(0, 2, 1, 3);
  const ctx = F.scaledDotProductAttention(split(w.query.forward(x)), split(w.key.forward(x)), split(w.value.forward(x)), {
    mask,
    dropoutP: o.training ? o.attentionDropout : 0,
  });
  return w.attentionOut.forward(ctx.permute(0, 2, 1, 3).contiguous().view(b, l, h));
}

/** One block: x + attention → LayerNorm → x + FFN → LayerNorm, with dropout after each projection. */
export function postLnBlock(x: Tensor, mask: Tensor, w: BlockWeights, o: BlockOptions): Tensor {
  const drop = (t: Tensor): Tensor => F.dropout(t, o.hiddenDropout, o.training);
  const attended = selfAttention(x, mask, w, o);
  const a = w.attentionNorm.forward((o.dropoutAfterAttention ? drop(attended) : attended).add(x));
  return w.outputNorm.forward(drop(w.ffnOut.forward(o.act(w.ffnIn.forward(a)))).add(a));
}

/** Runs the blocks in order over embeddings x; `all` = [x, block 1 output, ...] when asked (hidden_states). */
export function runBlocks(
  x: Tensor,
  attentionMask: Tensor,
  blocks: readonly { w: BlockWeights }[],
  o: BlockOptions,
  outputHiddenStates: boolean,
): { last: Tensor; all?: Tensor[] } {
  const mask = keyMask(attentionMask);
  const all = outputHiddenStates ? [x] : undefined;
  let h = x;
  for (const b of blocks) {
    h = postLnBlock(h, mask, b.w, o);
    all?.push(h);
  }
  return all ? { last: h, all } : { last: h };
}
