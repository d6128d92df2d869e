#!/usr/bin/env bash
# The real-board brain images (STM32F411, nRF52840, RP2040): builds each with exactly the command
# docs/boards.md gives, lints it, and prints a Markdown table for BENCHMARKS.md: flash
# (text+data), static RAM (data+bss, RTT buffer included), the stack room left on the part, and
# the margin over the brain's stack peak. The peaks are measured here under QEMU (the brain
# image on mps2-an386 for the M4F parts, on mps2-an385 as the nearest to the M0+: soft float),
# through `neuroloop pil`: a CTRNN controller, a SORN reservoir learning by RLS, and the SORN
# controller it learned (fixed readout). The boards themselves are not run here.
#   bash scripts/board-images.sh            # build, lint, measure, print
#   NEUROLOOP_SKIP_QEMU=1 bash scripts/board-images.sh   # sizes only
#   NEUROLOOP_BIN=path/to/neuroloop bash scripts/board-images.sh   # an already built CLI
# Needs the thumb targets, llvm-tools and (for the peaks) qemu-system-arm.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add llvm-tools >/dev/null 2>&1 || true
SIZE="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
[ -x "$SIZE" ] || { echo "llvm-size not found: rustup component add llvm-tools" >&2; exit 1; }
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Peak stack of the brain under QEMU for one board: "ctrnn sorn_fixed sorn_rls" in bytes.
peaks() {
    local qemu=$1 target=$2 model=tests/fixtures/cartpole_controller.json
    # The QEMU brain, copied away: the board builds below replace target/<target>/firmware/brain.
    cargo build -q -p neuroloop-firmware --profile firmware --target "$target" --bin brain
    cp "$TARGET_DIR/$target/firmware/brain" "$work/brain-$qemu"
    local neuroloop=(cargo run -q --release -p neuroloop-host --)
    [ -n "${NEUROLOOP_BIN:-}" ] && neuroloop=("$NEUROLOOP_BIN")
    local pil=("${neuroloop[@]}" pil --env CartPole-v1 --board "$qemu" --image "$work/brain-$qemu" --seed 1)
    local c r f
    c=$("${pil[@]}" --model "$model" --episodes 1 | tail -1 | sed -n 's/.*"stack_bytes":\([0-9]*\).*/\1/p')
    r=$("${pil[@]}" --learn rls --teacher "$model" --teacher-episodes 1 --episodes 1 --save "$work/sorn-$qemu.json" --force \
        | tail -1 | sed -n 's/.*"stack_bytes":\([0-9]*\).*/\1/p')
    f=$("${pil[@]}" --model "$work/sorn-$qemu.json" --episodes 1 | tail -1 | sed -n 's/.*"stack_bytes":\([0-9]*\).*/\1/p')
    echo "$c $f $r"
}

m4f="" m0=""
if [ -z "${NEUROLOOP_SKIP_QEMU:-}" ] && command -v qemu-system-arm >/dev/null; then
    m4f=$(peaks qemu-m4f thumbv7em-none-eabihf)
    m0=$(peaks qemu-m3 thumbv7m-none-eabi)
fi

echo "| board (feature, target) | part RAM | flash (text+data) | static RAM (data+bss) | stack room | brain stack peak (QEMU) | margin |"
echo "|---|---|---|---|---|---|---|"
# feature target RAM-bytes which-peaks (m4f or m0) what-loads-it-holds
for spec in "board-stm32f411 thumbv7em-none-eabihf 131072 m4f fixed" \
            "board-nrf52840 thumbv7em-none-eabihf 262144 m4f all" \
            "board-rp2040 thumbv6m-none-eabi 270336 m0 all"; do
    set -- $spec
    feature=$1 target=$2 ram=$3 which=$4 holds=$5
    cargo build -q -p neuroloop-firmware --profile firmware --target "$target" --features "$feature"
    cargo clippy -q -p neuroloop-firmware --profile firmware --target "$target" --features "$feature" -- -D warnings
    elf="$TARGET_DIR/$target/firmware/neuroloop-firmware"
    read -r text data bss _ < <("$SIZE" -B "$elf" | tail -1)
    static=$((data + bss)) room=$((ram - data - bss))
    p=$([ "$which" = m4f ] && echo "$m4f" || echo "$m0")
    if [ -n "$p" ]; then
        read -r c f r <<<"$p"
        # The STM32F411 holds no RLS readout (its arena is for fixed weights): its worst load is
        # the larger of the CTRNN and the fixed-readout SORN.
        if [ "$holds" = fixed ]; then peak=$((c > f ? c : f)); what="CTRNN $c B, SORN fixed readout $f B (RLS refused)"
        else peak=$(printf '%s\n' "$c" "$f" "$r" | sort -n | tail -1); what="CTRNN $c B, SORN fixed $f B, SORN + RLS $r B"; fi
        [ "$which" = m0 ] && what="$what (M3 image)"
        margin=$(awk -v p="$peak" -v r="$room" 'BEGIN { printf "%.0f %%", 100 * (1 - p / r) }')
    else
        what="(not measured)" margin=""
    fi
    printf '| %s (`%s`, %s) | %d KiB | %d B | %d B | %d B | %s | %s |\n' "${feature#board-}" "$feature" "$target" \
        $((ram / 1024)) $((text + data)) "$static" "$room" "$what" "$margin"
done
