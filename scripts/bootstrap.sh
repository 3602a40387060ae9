#!/usr/bin/env bash
# Creates .venv with plonedev installed editable (and its test tools with --test), and
# Varnish when missing (the repository's own project runs it).
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
# `plonedev up` here serves through Varnish (a program from the system, not PyPI):
# install it where this script may, else say how (or `plonedev up backend` does without).
if ! command -v varnishd >/dev/null && [ ! -x /usr/sbin/varnishd ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing varnish"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends varnish >/dev/null
  else
    echo "bootstrap: varnish is missing: install it (sudo apt-get install varnish) for" \
      "\`plonedev up\` here, or run \`plonedev up backend\` for the API alone" >&2
  fi
fi
