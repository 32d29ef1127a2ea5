"""PyTorch transformers side of `npm run bench:models`: the same checkpoint, batch and steps as run.ts.

Prints one JSON line on stdout: {"side": "transformers", "infer": [ms...], "train": [ms...]}.
"""
import argparse
import json
import sys
import time

import torch
import transformers
from transformers import AutoModel, AutoModelForSequenceClassification

p = argparse.ArgumentParser()
p.add_argument("--model", required=True)
p.add_argument("--batch", type=int, required=True)
p.add_argument("--seq", type=int, required=True)
p.add_argument("--threads", type=int, required=True)
p.add_argument("--steps", type=int, required=True)
p.add_argument("--warmup", type=int, required=True)
p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
transformers.logging.set_verbosity_error()
# bf16: forward and loss under autocast, as a user writes it; weights and optimiser state stay fp32.
amp = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16")  # noqa: E731

ids = torch.randint(1000, 20000, (a.batch, a.seq))
mask = torch.ones(a.batch, a.seq, dtype=torch.long)
for i in range(a.batch):  # the same padded tails as run.ts
    mask[i, a.seq - (i * 7) % (a.seq // 4 + 1):] = 0
labels = torch.randint(0, 3, (a.batch,))
out = {"side": "transformers", "torch": torch.__version__, "transformers": transformers.__version__,
       "attn": None, "infer": [], "train": []}

model = AutoModel.from_pretrained(a.model).eval()
out["attn"] = getattr(model.config, "_attn_implementation", None)
with torch.no_grad():
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        with amp():
            model(input_ids=ids, attention_mask=mask)
        if i >= a.warmup:
            out["infer"].append((time.perf_counter() - t0) * 1000)

clf = AutoModelForSequenceClassification.from_pretrained(a.model, num_labels=3).train()
opt = torch.optim.AdamW(clf.parameters(), lr=2e-5)
for i in range(a.warmup + a.steps):
    t0 = time.perf_counter()
    with amp():
        loss = torch.nn.functional.cross_entropy(clf(input_ids=ids, attention_mask=mask).logits, labels)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if i >= a.warmup:
        out["train"].append((time.perf_counter() - t0) * 1000)
    print(f"  [transformers] step {i}: {out['train'][-1] if i >= a.warmup else 0:.0f} ms", file=sys.stderr)
print(json.dumps(out))
