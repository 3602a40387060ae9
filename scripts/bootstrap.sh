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
# Bytecode at install: these machines set PYTHONDONTWRITEBYTECODE=1, and without .pyc
# every plonedev command pays for compiling its imports again.
.venv/bin/uv pip install --python .venv/bin/python -q --compile-bytecode -e ".${extras}"
.venv/bin/python -m compileall -q plonedev >/dev/null
