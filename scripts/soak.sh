#!/usr/bin/env bash
# Soak: 10^7 plastic steps of the default SORN (examples/soak.rs): no NaN or infinity, the
# excitatory rate within +-20 % of h_ip, memory flat. Copies the figures into docs/figures
# for RELIABILITY.md. About a minute on a PC; not part of the test command.
#   bash scripts/soak.sh [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
steps="${1:-10000000}"
cargo run --release -q --example soak -- "$steps" target/soak
mkdir -p docs/figures
cp target/soak/soak_rate.png target/soak/soak_synapses.png target/soak/soak_memory.png docs/figures/
