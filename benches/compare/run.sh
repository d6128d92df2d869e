#!/usr/bin/env bash
# Side-by-side comparison with the Python packages, one command:
#   bash benches/compare/run.sh
# Makes a venv in benches/compare/.venv (sorn 0.7.4, nn4n 1.1.1 with PyTorch, gymnasium 1.4;
# PyTorch from the package index brings its CUDA libraries, ~6 GB, but runs on the CPU here),
# runs the same workloads in Rust (`cargo bench --bench compare`) and in Python
# (benches/compare/python.py), then writes the table, machine and versions into BENCHMARKS.md
# and the scaling figure into benches/compare/scaling.png. Takes ~3 minutes after the install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if ! "$venv/bin/python" -c "import sorn, nn4n, torch, gymnasium, tqdm, matplotlib" >/dev/null 2>&1; then
    echo "== installing the Python packages into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    # sorn imports tqdm without declaring it and a matplotlib name removed in 3.9.
    "$venv/bin/pip" install -q "sorn==0.7.4" "nn4n==1.1.1" "gymnasium==1.4.0" torch tqdm "matplotlib<3.9" numpy
fi
out="$(mktemp -d)"
echo "== Rust half (cargo bench --bench compare)" >&2
(cd "$root" && cargo bench -q --bench compare) | tee "$out/rust.jsonl" >&2
echo "== Python half (sorn, nn4n, gymnasium)" >&2
(cd "$out" && "$venv/bin/python" "$here/python.py") | tee "$out/python.jsonl" >&2
cpu="$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
os="$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME" || uname -s)"
cat >"$out/machine.json" <<JSON
{"cpu": "${cpu:-unknown CPU}", "cores": $(nproc), "os": "$os", "rustc": "$(rustc -V)", "date": "$(date -u +%Y-%m-%d)"}
JSON
"$venv/bin/python" "$here/report.py" "$out/rust.jsonl" "$out/python.jsonl" "$out/machine.json" \
    "$root/BENCHMARKS.md" "$here/scaling.png"
echo "== table written into BENCHMARKS.md, figure into benches/compare/scaling.png" >&2
