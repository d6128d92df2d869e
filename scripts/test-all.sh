#!/usr/bin/env bash
# The project's whole test suite, from a fresh machine: README.md's test command and what
# .ci/run runs. It installs what it needs (thumb targets, clippy/rustfmt, qemu-system-arm) and
# says what is missing when it cannot.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain: thumb targets, clippy, rustfmt, llvm-tools (llvm-size for the board images)"
if command -v rustup >/dev/null; then
    rustup target add thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf
    rustup component add clippy rustfmt llvm-tools
else
    echo "rustup not found: install Rust from https://rustup.rs, then rerun" >&2
    exit 1
fi

step "qemu-system-arm (firmware runs under QEMU)"
if ! command -v qemu-system-arm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-system-arm
    elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
        sudo apt-get update -qq && sudo apt-get install -y -qq --no-install-recommends qemu-system-arm
    else
        echo "qemu-system-arm is missing and cannot be installed here: install it (Debian/Ubuntu: apt-get install qemu-system-arm)" >&2
        exit 1
    fi
fi

step "a Python venv with numpy (tests read the .npy exports with numpy)"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv || { echo "python3 -m venv failed: install python3-venv (apt-get install -y python3-venv)" >&2; exit 1; }
fi
.venv/bin/python -c "import numpy" 2>/dev/null || .venv/bin/pip install -q numpy
export NEUROLOOP_PYTHON="$PWD/.venv/bin/python"
# The nn4n export round trip (tests/ctrnn_export.rs) needs PyTorch and nn4n (~6 GB): it uses
# NEUROLOOP_NN4N_PYTHON if set, else the venv benches/compare/run.sh makes, else python3, and
# says why it skips when none has them. The committed nn4n fixtures replay without Python.
if [ -z "${NEUROLOOP_NN4N_PYTHON:-}" ] && benches/compare/.venv/bin/python -c "import torch, nn4n" 2>/dev/null; then
    export NEUROLOOP_NN4N_PYTHON="$PWD/benches/compare/.venv/bin/python"
fi

step "format, lints, docs"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace

step "the core builds for boards with no allocator and no std (M0, M3, M4F; defmt and fast-math too)"
cargo build -p neuroloop-core --target thumbv6m-none-eabi
cargo build -p neuroloop-core --target thumbv7m-none-eabi
cargo build -p neuroloop-core --target thumbv7em-none-eabihf --features defmt,fast-math
cargo clippy -p neuroloop-core --target thumbv7em-none-eabihf --features defmt -- -D warnings
cargo build -p neuroloop-firmware --profile firmware --target thumbv7em-none-eabihf
cargo build -p neuroloop-firmware --profile firmware --target thumbv7m-none-eabi
cargo build -p neuroloop-firmware --profile firmware --target thumbv6m-none-eabi --no-default-features --features ctrnn,cartpole
cargo clippy -p neuroloop-firmware --profile firmware --target thumbv7em-none-eabihf -- -D warnings

step "the main job runs"
cargo run --release -q -p neuroloop-host -- train --env CartPole-v1 --controller ctrnn --seed 1 --out target/main-job --force

step "real-board brain images (STM32F411, nRF52840, RP2040): built and linted, flash/RAM/stack per board (not run: no board here)"
# The exact commands of docs/boards.md; scripts/board-images.sh also builds, lints and sizes them and
# measures the brain's stack peaks under QEMU (the table in BENCHMARKS.md).
cargo build -p neuroloop-firmware --profile firmware --target thumbv7em-none-eabihf --features board-stm32f411
cargo build -p neuroloop-firmware --profile firmware --target thumbv7em-none-eabihf --features board-nrf52840
cargo build -p neuroloop-firmware --profile firmware --target thumbv6m-none-eabi --features board-rp2040
bash scripts/board-images.sh

step "tests (unit, integration, doc; the firmware parity test runs QEMU)"
# The Python extension is tested from Python (next step): its Rust side has no tests of its own,
# and a test binary of it would need libpython to link.
cargo test --workspace --exclude neuroloop-python

step "the AVX2 tanh against libm for all 2^32 inputs (the ignored test, in release)"
cargo test --release -p neuroloop-core --features std --lib -- --ignored every_input_gives_libms_bits

step "Python package: pip install ./python into a fresh venv, its pytest suite (python/test.sh)"
bash python/test.sh

step "fuzz smoke run: every reader of untrusted bytes, 10 s per target (cargo-fuzz, RUSTC_BOOTSTRAP=1)"
bash fuzz/run.sh 10
