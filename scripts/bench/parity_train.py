"""PyTorch side of `npm run bench:parity`: fine-tunes BertForSequenceClassification the way trainModel does.

Usage: .venv-ref/bin/python scripts/bench/parity_train.py JOB.json   (prints one JSON line on stdout)

The job (written by bench/parity/run.ts):
  {"model": dir, "labels": [names in label-index order],
   "train": [{"text", "label"}], "dev": [...], "test": [...],       # label = a name from "labels"
   "hp": {"epochs", "batchSize", "learningRate", "warmupRatio", "weightDecay", "maxGradNorm", "maxLength",
          "evalBatchSize"},
   "seed": int, "threads": int,
   "classifierInit": {"weight": [[...]], "bias": [...]} | null,     # Promptune's fresh head, to start alike
   "trainTokens": int | null}                                       # Promptune's token count of the train texts

What is mirrored from src/core/train/loop.ts (trainModel with the classification recipe):
  - AdamW (torch defaults: betas 0.9/0.999, eps 1e-8) with weight decay on every trainable parameter — the loop
    builds one group of all parameters, biases and LayerNorm weights included (transformers' Trainer would
    exclude those; we do not, to match);
  - linear warm-up / decay multiplier applied as the loop's LrScheduler does: lr = base * f(0) before the first
    step, base * f(s) after step s; warm-up steps = round-half-up(ratio * total), total = ceil(n / batch) * epochs;
  - cross-entropy (mean over the batch), gradients clipped to total norm max_grad_norm, step, zero grad;
  - the per-epoch order: the loop's mulberry32 generator seeded with seed * 1000003 + epoch and its
    Fisher-Yates shuffle, reimplemented below, so both sides see the same batches in the same order;
  - dev evaluation (argmax, macro-F1) after every epoch; the best dev macro-F1 (strictly better) keeps a copy of
    the weights, which are restored at the end; then test macro-F1 and accuracy.
What is not guaranteed to be the same: dropout masks (each side draws them from libtorch's default generator,
seeded alike, in its own op order) and the rounding of each code path's kernels; with classifierInit null the
heads also start differently. Parity is therefore judged as the same metric within seed-to-seed noise; identical
per-step losses, where they happen, are a bonus, not the criterion.
Throughput: each optimiser step is timed from tokenising its batch to the scheduler update (the span the loop's
examplesPerSecond covers); steps/s excludes the first step (warm-up).
"""
import json
import math
import sys
import time
import warnings

import torch
import transformers
from sklearn.metrics import accuracy_score, f1_score
from transformers import AutoTokenizer, BertForSequenceClassification, get_linear_schedule_with_warmup


def mulberry32(seed):
    """The generator of src/shared/random.ts (seededRandom): floats in [0, 1)."""
    a = seed % 2**32

    def imul(x, y):
        return (x * y) & 0xFFFFFFFF

    def rand():
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rand


def shuffle(n, rand):
    """The loop's seeded permutation of 0..n-1 (Fisher-Yates from the end)."""
    out = list(range(n))
    for i in range(n - 1, 0, -1):
        j = math.floor(rand() * (i + 1))
        out[i], out[j] = out[j], out[i]
    return out


def encode(tok, texts, max_length):
    return tok(texts, truncation=True, max_length=max_length, padding="longest", return_tensors="pt")


def scores(model, tok, examples, labels, hp, batch_size):
    """Argmax predictions under no-grad in eval mode; macro-F1 over all labels (0 for a never-predicted one)."""
    if not examples:
        return None
    was = model.training
    model.eval()
    preds = []
    with torch.no_grad():
        for i in range(0, len(examples), batch_size):
            enc = encode(tok, [e["text"] for e in examples[i : i + batch_size]], hp["maxLength"])
            preds += model(**enc).logits.argmax(-1).tolist()
    model.train(was)
    gold = [labels.index(e["label"]) for e in examples]
    idx = list(range(len(labels)))
    return {
        "macroF1": float(f1_score(gold, preds, labels=idx, average="macro", zero_division=0)),
        "accuracy": float(accuracy_score(gold, preds)),
    }


def main():
    job = json.load(open(sys.argv[1], encoding="utf8"))
    hp, labels, seed = job["hp"], job["labels"], job["seed"]
    torch.set_num_threads(job.get("threads", 2))
    transformers.logging.set_verbosity_error()
    warnings.filterwarnings("ignore", category=FutureWarning)  # a tokenizer decode default; we never decode
    tok = AutoTokenizer.from_pretrained(job["model"])
    torch.manual_seed(seed)
    model = BertForSequenceClassification.from_pretrained(job["model"], num_labels=len(labels))
    init = job.get("classifierInit")
    if init:
        with torch.no_grad():
            model.classifier.weight.copy_(torch.tensor(init["weight"]))
            model.classifier.bias.copy_(torch.tensor(init["bias"]))
    train, dev, test = job["train"], job["dev"], job["test"]
    train_tokens = sum(
        len(ids) for ids in tok([e["text"] for e in train], truncation=True, max_length=hp["maxLength"])["input_ids"]
    )

    torch.manual_seed(seed)  # trainModel seeds the generator again before training (dropout)
    bs = hp["batchSize"]
    batches = math.ceil(len(train) / bs)
    total = batches * hp["epochs"]
    warmup = math.floor(hp["warmupRatio"] * total + 0.5)  # JavaScript's Math.round
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=hp["learningRate"], weight_decay=hp["weightDecay"])
    sched = get_linear_schedule_with_warmup(opt, warmup, total)
    model.train()
    step_ms, losses, evals = [], [], []
    best, best_state = None, None
    first_order = None
    step = 0
    for epoch in range(hp["epochs"]):
        order = shuffle(len(train), mulberry32(seed * 1_000_003 + epoch))
        if first_order is None:
            first_order = order
        for b in range(batches):
            t0 = time.perf_counter()
            rows = [train[i] for i in order[b * bs : (b + 1) * bs]]
            enc = encode(tok, [e["text"] for e in rows], hp["maxLength"])
            target = torch.tensor([labels.index(e["label"]) for e in rows])
            loss = torch.nn.functional.cross_entropy(model(**enc).logits, target)
            loss.backward()
            value = loss.item()
            torch.nn.utils.clip_grad_norm_(params, hp["maxGradNorm"])
            opt.step()
            opt.zero_grad()
            sched.step()
            step += 1
            step_ms.append((time.perf_counter() - t0) * 1000)
            losses.append(value)
            if not math.isfinite(value):
                raise SystemExit(f"the loss became {value} at step {step}")
        if dev:
            s = scores(model, tok, dev, labels, hp, bs)
            evals.append({"step": step, **s})
            if best is None or s["macroF1"] > best["macroF1"]:
                best = {"step": step, **s}
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    if best_state is not None:
        model.load_state_dict(best_state)
    timed = step_ms[1:]
    result = {
        "side": "pytorch",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "threads": torch.get_num_threads(),
        "steps": step,
        "warmupSteps": warmup,
        "losses": losses,
        "stepMs": step_ms,
        "stepsPerSecond": len(timed) / (sum(timed) / 1000) if timed else None,
        "evals": evals,
        "best": best,
        "test": scores(model, tok, test, labels, hp, hp["evalBatchSize"]),
        "firstEpochOrder": first_order,
        "trainTokens": train_tokens,
        "note": "same batches and order as trainModel; dropout masks and rounding may differ, so compare metrics over seeds",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
