#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 20): the smoke run of the README's test
# command; or for N executions each: the long campaign of RELIABILITY.md.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
#   bash fuzz/run.sh --runs N [TARGET...]
# Installs cargo-fuzz when missing. cargo-fuzz needs nightly features; on a stable toolchain
# RUSTC_BOOTSTRAP=1 allows them (libFuzzer, sanitizer coverage). Each target starts from the
# committed seeds (fuzz/seeds/TARGET) and grows its corpus in fuzz/corpus/TARGET (ignored by
# git); a crash is saved in fuzz/artifacts/TARGET and fails the run.
set -euo pipefail
cd "$(dirname "$0")"
limit=(-max_total_time="${1:-20}")
what="${1:-20} s"
if [ "${1:-}" = "--runs" ]; then
    limit=(-runs="$2")
    what="$2 runs"
    shift
fi
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(snapshot_file snapshot_payload ctrnn_model sorn_config ctrnn_fixture env_fixture ctrnn_csv run_json sorn_controller wire_frames)
export RUSTC_BOOTSTRAP=1
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
# Release with overflow checks and debug assertions (-a): arithmetic on counts from the input
# must be checked, so a wrap is a crash here. No sanitizer (-s none): the code under test is
# safe Rust, and the speed buys executions.
flags=(-O -a -s none)
mkdir -p logs
for t in "${targets[@]}"; do
    cargo fuzz build "${flags[@]}" "$t" >"logs/$t.build.log" 2>&1 || {
        tail -30 "logs/$t.build.log" >&2
        echo "fuzz target $t does not build" >&2
        exit 1
    }
done
for t in "${targets[@]}"; do
    dict=json.dict
    case "$t" in sorn_config) dict=toml.dict ;; snapshot_file|snapshot_payload|ctrnn_csv|wire_frames) dict="" ;; esac
    # CSV inputs and wire sessions past a few KB only repeat rows or control steps (and slow
    # the runs to ~1,000 a second).
    max_len=65536
    case "$t" in ctrnn_csv|wire_frames) max_len=4096 ;; esac
    mkdir -p "corpus/$t"
    printf '== %s (%s)\n' "$t" "$what"
    # -rss_limit_mb: the targets build networks within a 16 MB budget; 2 GB catches a reader
    # that reserves memory from a count it did not check. -timeout: an input that takes 10 s
    # is a hang (the Acrobot wrap loop was one).
    status=0
    cargo fuzz run "${flags[@]}" "$t" "corpus/$t" "seeds/$t" -- "${limit[@]}" -rss_limit_mb=2048 -timeout=10 \
        -max_len=$max_len -print_final_stats=1 ${dict:+-dict=$dict} >"logs/$t.log" 2>&1 || status=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|Done)" "logs/$t.log" || true
    if [ "$status" != 0 ] || ls "artifacts/$t"/crash-* "artifacts/$t"/oom-* "artifacts/$t"/timeout-* >/dev/null 2>&1; then
        tail -40 "logs/$t.log" >&2
        echo "fuzz target $t found a failure (exit $status): the input is in fuzz/artifacts/$t; make it a regression test, fix, delete the artifact" >&2
        exit 1
    fi
done
