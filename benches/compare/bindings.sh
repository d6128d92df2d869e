#!/usr/bin/env bash
# neuroloop's Python bindings against sorn, gymnasium and nn4n, one command:
#   bash benches/compare/bindings.sh
# Each half needs neuroloop importable beside the other package: by default the venv of
# run.sh (benches/compare/.venv, which has sorn, nn4n, torch and gymnasium) with neuroloop
# pip-installed into it (`benches/compare/.venv/bin/pip install ./python`). SORN_PY, GYM_PY and
# NN4N_PY choose other interpreters; NEUROLOOP_PYTHONPATH is put on their PYTHONPATH (e.g. the
# python/ directory after `maturin develop`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
default="$here/.venv/bin/python"
out="$(mktemp -d)"
cd "$out"
for part in sorn env ctrnn; do
    case $part in sorn) py="${SORN_PY:-$default}" ;; env) py="${GYM_PY:-$default}" ;; ctrnn) py="${NN4N_PY:-$default}" ;; esac
    echo "== $part ($py)" >&2
    PYTHONPATH="${NEUROLOOP_PYTHONPATH:-}" nice -n "${NICE:-0}" "$py" "$here/bindings.py" "$part"
done
rm -rf "$out"
