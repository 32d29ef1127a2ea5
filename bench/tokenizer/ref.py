"""Python side of `npm run bench:tokenizer`: the Rust `tokenizers` library on the same texts and files.

run.ts spawns this with the texts (a JSON list), the tokenizer directories and the pass counts, under
RAYON_RS_NUM_CPUS (the thread count it reports), and reads the one JSON line printed on stdout.
"""

import argparse
import json
import os
import time

import tokenizers
from tokenizers import Tokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", required=True)
    ap.add_argument("--dirs", required=True, help="comma-separated tokenizer directories")
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--batch-only", action="store_true")
    a = ap.parse_args()
    texts = json.load(open(a.texts, encoding="utf-8"))
    out = {"version": tokenizers.__version__, "threads": os.environ.get("RAYON_RS_NUM_CPUS"), "results": {}}
    for d in a.dirs.split(","):
        t0 = time.perf_counter()
        tok = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
        load_ms = (time.perf_counter() - t0) * 1000
        tok.no_truncation()
        tok.no_padding()
        r = {"load_ms": load_ms, "single_ms": [], "batch_ms": [], "tokens": 0}
        if not a.batch_only:
            for _ in range(a.passes + 1):  # the first pass starts with empty word caches
                t0 = time.perf_counter()
                n = 0
                for x in texts:
                    n += len(tok.encode(x).ids)
                r["single_ms"].append((time.perf_counter() - t0) * 1000)
                r["tokens"] = n
        for _ in range(a.passes):
            t0 = time.perf_counter()
            encs = tok.encode_batch(texts)
            r["batch_ms"].append((time.perf_counter() - t0) * 1000)
            r["tokens"] = sum(len(e.ids) for e in encs)
        out["results"][os.path.basename(d)] = r
    print(json.dumps(out))


if __name__ == "__main__":
    main()
