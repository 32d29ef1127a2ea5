"""PyTorch side of `npm run bench:engine`: the BERT-shaped encoder of bert.ts in plain torch.nn, op for op.

run.ts spawns this once per round with the same config, thread count and environment as the Node side, and
reads the single JSON line it prints on stdout (progress goes to stderr).
"""

import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

# Hugging Face BERT's defaults, kept equal to bert.ts.
TYPE_VOCAB = 2
DROPOUT = 0.1
LN_EPS = 1e-12
INIT_STD = 0.02


class BertEmbeddings(nn.Module):
    """Word + position + token-type embeddings, then LayerNorm and dropout."""

    def __init__(self, cfg):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab, cfg.hidden)
        self.position_embeddings = nn.Embedding(cfg.max_pos, cfg.hidden)
        self.token_type_embeddings = nn.Embedding(TYPE_VOCAB, cfg.hidden)
        self.LayerNorm = nn.LayerNorm(cfg.hidden, eps=LN_EPS)
        self.dropout = nn.Dropout(DROPOUT)
        self.register_buffer("position_ids", torch.arange(cfg.max_pos))

    def forward(self, input_ids, token_type_ids):
        """Embeds [B, L] ids into [B, L, hidden]."""
        positions = self.position_ids[: input_ids.size(1)]
        e = (
            self.word_embeddings(input_ids)
            .add(self.token_type_embeddings(token_type_ids))
            .add(self.position_embeddings(positions))
        )
        return self.dropout(self.LayerNorm(e))


def scaled_dot_product_attention(q, k, v, mask, dropout_p):
    """The engine's sdpa kernel (native/src/ops_nn.cc) spelled in torch ops; torch 1.13 has no public one."""
    scores = torch.matmul(q, k.transpose(-2, -1)).mul_(1.0 / math.sqrt(q.size(-1)))
    scores = scores + mask
    attn = torch.softmax(scores, -1)
    if dropout_p > 0:
        attn = torch.dropout(attn, dropout_p, True)
    return torch.matmul(attn, v)


class BertSelfAttention(nn.Module):
    """Multi-head self-attention with attention dropout."""

    def __init__(self, cfg):
        super().__init__()
        self.heads = cfg.heads
        self.head_dim = cfg.hidden // cfg.heads
        self.query = nn.Linear(cfg.hidden, cfg.hidden)
        self.key = nn.Linear(cfg.hidden, cfg.hidden)
        self.value = nn.Linear(cfg.hidden, cfg.hidden)

    def forward(self, x, mask):
        """[B, L, hidden] -> [B, L, hidden]; mask is additive, broadcastable to [B, heads, L, L]."""
        b, l = x.size(0), x.size(1)

        def split(t):
            return t.view(b, l, self.heads, self.head_dim).permute(0, 2, 1, 3)

        ctx = scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), mask, DROPOUT if self.training else 0.0
        )
        return ctx.permute(0, 2, 1, 3).contiguous().view(b, l, self.heads * self.head_dim)


class BertResidualOutput(nn.Module):
    """dense -> dropout -> LayerNorm(. + residual), as BertSelfOutput and BertOutput."""

    def __init__(self, in_dim, hidden):
        super().__init__()
        self.dense = nn.Linear(in_dim, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=LN_EPS)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x, residual):
        """Projects x and adds it to the residual before normalising."""
        return self.LayerNorm(self.dropout(self.dense(x)).add(residual))


class BertAttention(nn.Module):
    """Self-attention plus its output projection."""

    def __init__(self, cfg):
        super().__init__()
        self.self = BertSelfAttention(cfg)
        self.output = BertResidualOutput(cfg.hidden, cfg.hidden)

    def forward(self, x, mask):
        """Attention sub-block with its residual connection."""
        return self.output(self.self(x, mask), x)


class BertIntermediate(nn.Module):
    """Dense to the intermediate size and exact (erf) GELU."""

    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden, cfg.ffn)

    def forward(self, x):
        """[.., hidden] -> [.., ffn]."""
        return F.gelu(self.dense(x))


class BertLayer(nn.Module):
    """One post-LayerNorm transformer block."""

    def __init__(self, cfg):
        super().__init__()
        self.attention = BertAttention(cfg)
        self.intermediate = BertIntermediate(cfg)
        self.output = BertResidualOutput(cfg.ffn, cfg.hidden)

    def forward(self, x, mask):
        """[B, L, hidden] -> [B, L, hidden]."""
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    """The stack of layers."""

    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(cfg) for _ in range(cfg.layers)])

    def forward(self, x, mask):
        """Runs every layer in order."""
        for layer in self.layer:
            x = layer(x, mask)
        return x


class Bert(nn.Module):
    """BertModel without the pooler, plus a tied vocab decoder used as the training loss."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.embeddings = BertEmbeddings(cfg)
        self.encoder = BertEncoder(cfg)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if "LayerNorm" in name:
                    continue
                if name.endswith(".bias"):
                    p.zero_()
                else:
                    p.normal_(0, INIT_STD)

    def forward(self, input_ids, token_type_ids, attention_mask):
        """Hidden states [B, L, hidden]; attention_mask is 0/1 [B, L] (1 = real token)."""
        additive = (
            attention_mask.float().neg().add(1).mul(torch.finfo(torch.float32).min).view(attention_mask.size(0), 1, 1, -1)
        )
        return self.encoder(self.embeddings(input_ids, token_type_ids), additive)

    def loss(self, input_ids, token_type_ids, attention_mask, targets):
        """Mean cross-entropy of a decoder tied to the word embeddings, over all tokens."""
        h = self.forward(input_ids, token_type_ids, attention_mask)
        logits = F.linear(h.view(-1, self.cfg.hidden), self.embeddings.word_embeddings.weight)
        return F.cross_entropy(logits, targets.view(-1))


def make_batch(batch, seq, vocab):
    """Random ids and targets, and padded tails of varying length (same rule as run.ts) so the mask matters."""
    input_ids = torch.randint(0, vocab, (batch, seq))
    targets = torch.randint(0, vocab, (batch, seq))
    token_type_ids = torch.zeros(batch, seq, dtype=torch.long)
    lengths = [seq - (i * 7) % (seq // 4 + 1) for i in range(batch)]
    attention_mask = torch.tensor([[1 if j < n else 0 for j in range(seq)] for n in lengths], dtype=torch.long)
    return input_ids, token_type_ids, attention_mask, targets


def matmul_peak(n, reps):
    """Best-of-reps GFLOP/s of an n^3 fp32 matmul, the same probe run.ts times through the engine."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(2):
        torch.matmul(a, b)
    best = math.inf
    for _ in range(reps):
        t0 = time.perf_counter()
        torch.matmul(a, b)
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best / 1e9


def main():
    """Runs one round (warm-up + timed train steps, then warm-up + timed inference batches) and prints JSON."""
    p = argparse.ArgumentParser()
    for name, default in [
        ("layers", 6),
        ("hidden", 384),
        ("heads", 12),
        ("ffn", 1536),
        ("vocab", 30522),
        ("max-pos", 512),
        ("batch", 16),
        ("seq", 128),
        ("threads", 2),
        ("train-steps", 5),
        ("infer-steps", 5),
        ("warmup", 2),
        ("seed", 0),
        ("peak-n", 0),
    ]:
        p.add_argument(f"--{name}", type=int, default=default)
    cfg = p.parse_args()

    torch.set_num_threads(cfg.threads)
    torch.manual_seed(cfg.seed)
    ms = lambda t0: (time.perf_counter() - t0) * 1000  # noqa: E731
    log = lambda msg: print(f"  [pytorch] {msg}", file=sys.stderr, flush=True)  # noqa: E731

    model = Bert(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    ids, types, mask, targets = make_batch(cfg.batch, cfg.seq, cfg.vocab)

    train = {"step": [], "forward": [], "backward": [], "optimizer": [], "loss": []}
    model.train()
    for i in range(cfg.warmup + cfg.train_steps):
        t0 = time.perf_counter()
        loss = model.loss(ids, types, mask, targets)
        t1 = time.perf_counter()
        loss.backward()
        value = loss.item()
        del loss
        t2 = time.perf_counter()
        opt.step()
        # The engine's zeroGrad drops gradients (set_to_none); 1.13's default would zero them in place instead.
        opt.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        if i >= cfg.warmup:
            train["step"].append((t3 - t0) * 1000)
            train["forward"].append((t1 - t0) * 1000)
            train["backward"].append((t2 - t1) * 1000)
            train["optimizer"].append((t3 - t2) * 1000)
            train["loss"].append(value)
        log(f"train {'warm-up' if i < cfg.warmup else 'step'} {i}: {ms(t0):.0f} ms, loss {value:.4f}")

    infer = {"step": []}
    model.eval()
    with torch.no_grad():
        for i in range(cfg.warmup + cfg.infer_steps):
            t0 = time.perf_counter()
            out = model(ids, types, mask)
            del out
            elapsed = ms(t0)
            if i >= cfg.warmup:
                infer["step"].append(elapsed)
            log(f"infer {'warm-up' if i < cfg.warmup else 'batch'} {i}: {elapsed:.0f} ms")

    result = {
        "side": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "params": sum(t.numel() for t in model.parameters()),
        "openblasCoretype": os.environ.get("OPENBLAS_CORETYPE"),
        "train": train,
        "infer": infer,
        "peakGflops": matmul_peak(cfg.peak_n, 3) if cfg.peak_n > 0 else None,
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
