#!/usr/bin/env bash
# Processor-in-the-loop figures under QEMU, as Markdown tables for BENCHMARKS.md:
#  1. bytes on the wire per control step (request and reply frames) and control steps per
#     second, for every plant (a CTRNN controller on qemu-m3 without -icount; an untrained
#     controller for the plants other than CartPole: the bytes depend only on the sizes);
#  2. the board's instructions per control step (qemu-m4f and qemu-m3 with -icount): the CartPole
#     CTRNN controller, the SORN controller's fixed readout, and the SORN + RLS readout learning
#     from the teacher over the link (act and teach), with the brain's peak stack.
#   bash scripts/pil-report.sh
# Needs the thumb targets and qemu-system-arm; takes ~4 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p neuroloop-host
for t in thumbv7em-none-eabihf thumbv7m-none-eabi; do
    cargo build -q -p neuroloop-firmware --profile firmware --target "$t" --bin brain
done
nl=target/release/neuroloop
out=target/pil-report
mkdir -p "$out"
teacher=tests/fixtures/cartpole_controller.json
field() { python3 -c "import json,sys; d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print(d.get('$1', ''))"; }
pil() { "$nl" pil --image "target/$1/firmware/brain" "${@:2}" 2>/dev/null; }

echo "| plant | observation, action | bytes per control step | control steps per second (qemu-m3, no -icount) |"
echo "|---|---|---|---|"
for env in CartPole-v1 Pendulum-v1 MountainCar-v0 MountainCarContinuous-v0 Acrobot-v1 DiffDrive-v0; do
    model=$teacher
    if [ "$env" != CartPole-v1 ]; then
        "$nl" train --env "$env" --controller ctrnn --seed 1 --generations 1 --out "$out/$env" --force >/dev/null 2>&1
        model=$out/$env/model.json
    fi
    json=$(pil thumbv7m-none-eabi --env "$env" --model "$model" --board qemu-m3 --episodes 1 --seed 7)
    dims=$(python3 -c "import json; m=json.load(open('$model')); print(len(m['w_in'][0]), 'values,', len(m['w_out']), 'outputs')")
    printf '| %s | %s | %.1f | %.0f |\n' "$env" "$dims" "$(echo "$json" | field bytes_per_step)" "$(echo "$json" | field steps_per_second)"
done

echo
"$nl" train --env CartPole-v1 --controller sorn --teacher "$teacher" --seed 1 --out "$out/sorn" --force >/dev/null 2>&1
echo "| board (QEMU, -icount) | CTRNN controller step (H 8) | SORN readout step (N_E 200, fixed readout) | SORN + RLS: act | SORN + RLS: teach | peak stack (RLS learning) |"
echo "|---|---|---|---|---|---|"
for spec in "qemu-m4f thumbv7em-none-eabihf" "qemu-m3 thumbv7m-none-eabi"; do
    set -- $spec
    board=$1 target=$2
    ctrnn=$(pil "$target" --env CartPole-v1 --model "$teacher" --board "$board" --icount --episodes 1 --seed 7)
    sorn=$(pil "$target" --env CartPole-v1 --model "$out/sorn/controller.json" --board "$board" --icount --episodes 1 --seed 7)
    rls=$(pil "$target" --env CartPole-v1 --learn rls --teacher "$teacher" --reservoir-seed 1 --board "$board" --icount --episodes 1 --seed 7 --teacher-episodes 2)
    printf '| %s | %s instr. | %s instr. | %s instr. | %s instr. | %s B |\n' "$board" \
        "$(echo "$ctrnn" | field act_cost_mean)" "$(echo "$sorn" | field act_cost_mean)" \
        "$(echo "$rls" | field act_cost_mean)" "$(echo "$rls" | field teach_cost_mean)" "$(echo "$rls" | field stack_bytes)"
done
