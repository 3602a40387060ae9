#!/usr/bin/env bash
# Creates .venv with plonedev installed editable (and its test tools with --test).
set -euo pipefail
cd "$(dirname "$0")/.."
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if [ ! -x .venv/bin/uv ]; then
  .venv/bin/python -m pip install -q uv
fi
.venv/bin/uv pip install --python .venv/bin/python -q -e ".${extras}"
