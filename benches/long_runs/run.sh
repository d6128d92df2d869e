#!/usr/bin/env bash
# Long runs, neuroloop against the `sorn` package: 5 seeds x 20,000 steps of the default
# network each, statistics every 2,000 steps, then the table (stdout) and
# docs/figures/long_runs.png.
#   bash benches/long_runs/run.sh [SEEDS [STEPS]]
# Makes a small venv (sorn 0.7.4, its tqdm and matplotlib<3.9) in target/long-runs/venv, or uses
# $NEUROLOOP_VENV. The package takes ~20 s per 2,000 steps here (~17 minutes for the default),
# neuroloop about 0.1 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-1,2,3,4,5}
steps=${2:-20000}
out=target/long-runs
mkdir -p "$out"
venv=${NEUROLOOP_VENV:-$out/venv}
if ! "$venv/bin/python" -c "import sorn, tqdm, matplotlib" >/dev/null 2>&1; then
    echo "== installing sorn 0.7.4 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "sorn==0.7.4" tqdm "matplotlib<3.9" numpy
fi
cargo run -q --release -p neuroloop-host --example long_runs -- "$seeds" "$steps" > "$out/neuroloop.jsonl"
(cd "$out" && "$OLDPWD/$venv/bin/python" "$OLDPWD/benches/long_runs/package.py" --seeds "$seeds" --steps "$steps" > package.jsonl 2> package.log)
"$venv/bin/python" benches/long_runs/report.py "$out/neuroloop.jsonl" "$out/package.jsonl" docs/figures/long_runs.png
