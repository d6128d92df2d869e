#!/usr/bin/env bash
# Builds the neuroloop Python package into a fresh venv and runs its pytest suite.
#
#   python/test.sh            # venv in $TMPDIR (or /tmp); needs python3 (with venv) and rustup's cargo
#   KEEP_VENV=1 python/test.sh   # keep the venv afterwards (its path is printed)
#
# gymnasium and matplotlib are installed when the package index has them; without them their
# tests are skipped (pytest says so). The nn4n comparisons run only where an nn4n venv exists
# (NEUROLOOP_NN4N_PYTHONS, default /work/venv-nn4n and /work/venv-nn4n12).
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
# From outside the source tree (python -m puts the working directory first on sys.path), so
# the installed package is what is tested.
cd "$venv"
"$venv/bin/python" -c 'import neuroloop; print("test.sh: testing", neuroloop.__file__)'
"$venv/bin/python" -m pytest -q -rs -p no:cacheprovider "$here/tests" --rootdir "$here" "$@"
