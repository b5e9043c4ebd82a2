#!/usr/bin/env bash
# Create the SEPARATE virtual environment in which bench/competitors.py times pystencils and
# Devito. They pin their own SymPy/NumPy versions, so they never go into mcgen's Python.
#
#   bash bench/compare_env.sh              # creates bench/.venv (git-ignored)
#   MCGEN_BENCH_VENV=/tmp/v bash bench/compare_env.sh
#
# bench/stencils.py looks for the venv at $MCGEN_BENCH_VENV, else bench/.venv; when it exists it
# runs bench/competitors.py inside it and prints the pystencils and Devito columns.
# A tool that fails to install is reported and skipped; the other one is still installed.
set -u
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${MCGEN_BENCH_VENV:-$HERE/.venv}"
PY="${PYTHON:-python3}"

if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV" || { echo "compare_env: python -m venv $VENV failed" >&2; exit 1; }
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip wheel setuptools

status=0
for pkg in ${MCGEN_BENCH_TOOLS:-pystencils devito}; do
    if "$VENV/bin/python" -m pip install --quiet "$pkg"; then
        echo "compare_env: installed $pkg"
    else
        echo "compare_env: BLOCKED: pip install $pkg failed (see above)" >&2
        status=1
    fi
done
"$VENV/bin/python" - <<'PY'
import importlib
for name in ("pystencils", "devito", "numpy", "sympy"):
    try:
        m = importlib.import_module(name)
        print(f"compare_env: {name} {getattr(m, '__version__', '?')}")
    except Exception as e:  # report the exact error: the lead decides what to do
        print(f"compare_env: {name} does not import: {type(e).__name__}: {e}")
PY
echo "compare_env: venv ready at $VENV"
exit $status
