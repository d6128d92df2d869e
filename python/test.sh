#!/usr/bin/env bash
# Builds the neuroloop Python package into a fresh venv and runs its pytest suite.
#
#   python/test.sh            # venv in $TMPDIR (or /tmp); needs python3 (with venv) and rustup's cargo
#   KEEP_VENV=1 python/test.sh   # keep the venv afterwards (its path is printed)
#
# gymnasium and matplotlib are installed when the package index has them; without them their
# tests are skipped (pytest says so). The comparisons with the real sorn package run in a sorn
# venv made here; those with nn4n only where an nn4n venv exists (see below).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

py="${PYTHON:-python3}"
command -v "$py" >/dev/null || { echo "test.sh: $py not found: install Python >= 3.9" >&2; exit 1; }
command -v cargo >/dev/null || { echo "test.sh: cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
"$py" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || { echo "test.sh: Python >= 3.9 needed" >&2; exit 1; }

venv="$(mktemp -d "${TMPDIR:-/tmp}/neuroloop-pytest.XXXXXX")"
cleanup() { [ -n "${KEEP_VENV:-}" ] && echo "test.sh: venv kept at $venv" || rm -rf "$venv"; }
trap cleanup EXIT
if ! "$py" -m venv "$venv" 2>"$venv.err"; then
    cat "$venv.err" >&2; rm -f "$venv.err"
    echo "test.sh: '$py -m venv' failed: install the venv module (Debian/Ubuntu: apt install python3-venv)" >&2
    exit 1
fi
rm -f "$venv.err"
pip="$venv/bin/python -m pip"
$pip install -q --upgrade pip
# The package itself (maturin builds the Rust extension, profile 'python').
echo "test.sh: building and installing ./python (a few minutes on a first build)"
$pip install -q "$here"
$pip install -q pytest numpy
for opt in gymnasium matplotlib; do
    $pip install -q "$opt" || echo "test.sh: $opt could not be installed: its tests will be skipped"
done
# The live comparisons with the sorn 0.7.4 package (tests/test_sorn_package_state.py) run in a
# venv of their own, since sorn needs tqdm and matplotlib < 3.9 (~45 s, 450 MB):
# NEUROLOOP_SORN_PYTHON picks one, else benches/compare/.venv if it has sorn. Those with nn4n
# (PyTorch, ~6 GB, not installed here) use NEUROLOOP_NN4N_PYTHONS, else that venv if it has nn4n.
compare="$here/../benches/compare/.venv/bin/python"
if [ -z "${NEUROLOOP_SORN_PYTHON:-}" ]; then
    if "$compare" -c "import sorn" >/dev/null 2>&1; then
        export NEUROLOOP_SORN_PYTHON="$compare"
    elif "$py" -m venv "$venv/sorn" && "$venv/sorn/bin/python" -m pip install -q "sorn==0.7.4" tqdm "matplotlib<3.9"; then
        export NEUROLOOP_SORN_PYTHON="$venv/sorn/bin/python"
    else
        echo "test.sh: sorn 0.7.4 could not be installed: the live comparisons with it will be skipped"
    fi
fi
if [ -z "${NEUROLOOP_NN4N_PYTHONS:-}" ] && "$compare" -c "import torch, nn4n" >/dev/null 2>&1; then
    export NEUROLOOP_NN4N_PYTHONS="$compare"
fi
# From outside the source tree (python -m puts the working directory first on sys.path), so
# the installed package is what is tested.
cd "$venv"
"$venv/bin/python" -c 'import neuroloop; print("test.sh: testing", neuroloop.__file__)'
"$venv/bin/python" -m pytest -q -rs -p no:cacheprovider "$here/tests" --rootdir "$here" "$@"
