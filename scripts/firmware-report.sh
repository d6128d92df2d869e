#!/usr/bin/env bash
# Flash and RAM of every firmware image (per scenario and target) and the instructions of one
# SORN and one CTRNN step counted by QEMU (-icount), built with the `firmware` profile. Prints a Markdown table for BENCHMARKS.md.
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
