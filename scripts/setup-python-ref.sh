#!/usr/bin/env bash
# Creates .venv-ref: Debian's python3-torch plus pinned PyPI packages, used only for fixtures, interop checks
# and side-by-side benchmarks (the product itself never needs Python).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "promptune: installing Debian python3-torch (reference side)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-venv >/dev/null
fi
if ! /usr/bin/python3 -c 'import ensurepip' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv-ref/bin/python ] || /usr/bin/python3 -m venv --system-site-packages .venv-ref
if ! .venv-ref/bin/python -c 'import safetensors, transformers, tokenizers, sentencepiece' 2>/dev/null; then
  .venv-ref/bin/pip install -q -r scripts/fixtures/requirements.txt
fi
