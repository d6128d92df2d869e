#!/usr/bin/env bash
# Flash and RAM of every firmware image (per scenario and target), the instructions of one step
# of each scenario counted by QEMU (-icount), and each scenario's peak stack with the margin it
# leaves on real parts; built with the `firmware` profile. Prints Markdown tables for
# BENCHMARKS.md and RELIABILITY.md.
#   bash scripts/firmware-report.sh
# Needs the thumb targets, llvm-tools (rustup component add llvm-tools) and qemu-system-arm.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup component add llvm-tools >/dev/null 2>&1 || true
SIZE="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin/llvm-size"
[ -x "$SIZE" ] || { echo "llvm-size not found: rustup component add llvm-tools" >&2; exit 1; }

echo "| target | scenarios | flash (text+data) | static RAM (data+bss) | SORN step | CTRNN step (H 16) | controller step (H 8) | SORN + RLS learning step |"
echo "|---|---|---|---|---|---|---|---|"
for spec in "thumbv7em-none-eabihf mps2-an386 cortex-m4" "thumbv7m-none-eabi mps2-an385 cortex-m3"; do
    set -- $spec
    target=$1 machine=$2 cpu=$3
    for features in sorn ctrnn cartpole sorn-rls "sorn,ctrnn,cartpole" "sorn,ctrnn,cartpole,sorn-rls"; do
        cargo build -q -p neuroloop-firmware --profile firmware --target "$target" --no-default-features --features "$features"
        elf="target/$target/firmware/neuroloop-firmware"
        read -r text data bss _ < <("$SIZE" -B "$elf" | tail -1)
        out=$(timeout 120 qemu-system-arm -machine "$machine" -cpu "$cpu" -nographic \
            -semihosting-config enable=on,target=native -icount shift=10,sleep=off -kernel "$elf")
        sorn=$(echo "$out" | sed -n 's/^sorn_step_instructions=//p')
        ctrnn=$(echo "$out" | sed -n 's/^ctrnn_step_instructions=//p')
        ctl=$(echo "$out" | sed -n 's/^cartpole_controller_step_instructions=//p')
        rls=$(echo "$out" | sed -n 's/^sorn_rls_step_instructions=//p')
        printf '| %s (%s) | %s | %d B | %d B | %s | %s | %s | %s |\n' "$target" "$cpu" "$features" $((text + data)) $((data + bss)) \
            "${sorn:+$sorn instr.}" "${ctrnn:+$ctrnn instr.}" "${ctl:+$ctl instr.}" "${rls:+$rls instr.}"
    done
done

# Stack: the deepest each scenario's stack went (painted at start-up, src/stack.rs), and the
# margin left on the parts docs/boards.md names, for the images that fit them:
# margin = 1 - peak / (part RAM - static RAM). The promise is >= 25 %.
echo
echo "| target | image | static RAM | peak stack per scenario | part (RAM) | stack room | margin |"
echo "|---|---|---|---|---|---|---|"
for spec in "thumbv7em-none-eabihf mps2-an386 cortex-m4 sorn,ctrnn,cartpole,sorn-rls STM32F411=131072 nRF52840=262144" \
            "thumbv7em-none-eabihf mps2-an386 cortex-m4 sorn,ctrnn,cartpole STM32F411=131072" \
            "thumbv7m-none-eabi mps2-an385 cortex-m3 sorn,ctrnn,cartpole,sorn-rls" \
            "thumbv6m-none-eabi microbit cortex-m0 ctrnn,cartpole micro:bit-v1=16384"; do
    set -- $spec
    target=$1 machine=$2 cpu=$3 features=$4
    shift 4
    cargo build -q -p neuroloop-firmware --profile firmware --target "$target" --no-default-features --features "$features"
    elf="target/$target/firmware/neuroloop-firmware"
    read -r _ data bss _ < <("$SIZE" -B "$elf" | tail -1)
    static=$((data + bss))
    out=$(timeout 300 qemu-system-arm -machine "$machine" -cpu "$cpu" -nographic \
        -semihosting-config enable=on,target=native -kernel "$elf")
    peaks=$(echo "$out" | sed -n 's/^\(.*\)_stack_bytes=\(.*\)$/\1 \2/p')
    peak=$(echo "$peaks" | awk '$2 > m { m = $2 } END { print m + 0 }')
    list=$(echo "$peaks" | awk '{ printf "%s%s %d B", (NR > 1 ? ", " : ""), $1, $2 }')
    [ $# -gt 0 ] || set -- "(QEMU only)=0"
    for part in "$@"; do
        name=${part%%=*} ram=${part##*=}
        if [ "$ram" -gt 0 ]; then
            room=$((ram - static))
            margin=$(awk -v p="$peak" -v r="$room" 'BEGIN { printf "%.0f %%", 100 * (1 - p / r) }')
            printf '| %s (%s) | %s | %d B | %s | %s (%d KiB) | %d B | %s |\n' "$target" "$cpu" "$features" "$static" "$list" "$name" $((ram / 1024)) "$room" "$margin"
        else
            printf '| %s (%s) | %s | %d B | %s | %s | | |\n' "$target" "$cpu" "$features" "$static" "$list" "$name"
        fi
    done
done
