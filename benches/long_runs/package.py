"""Long runs of the `sorn` package (0.7.4): the default network (N_E 200, all five rules,
noise on) driven by uniform [0, 1) input on its 10 channels, in chunks of 2,000 steps (the
package keeps every step's matrices, so a chunk at a time; each chunk continues from the last
one's state). After each chunk one JSON line: the seed, the step, E->E and I->E synapse counts,
the mean E->E weight, the mean threshold T_E, the E and I rates over the chunk, the largest
fraction of E units active in one step and the standard deviation of the E population rate.

    python benches/long_runs/package.py --seeds 1,2,3,4,5 --steps 20000 > package.jsonl

With --weights-dir DIR, each seed's E->E weights at the end (the nonzero entries of Wee, one
per line) go to DIR/package_seed{SEED}_{STEPS}.txt, for `neuroloop sorn weights FILE`.

Run it with the venv `benches/compare/run.sh` makes; the package writes sorn.log into the
working directory, so run it from a scratch directory.
"""

import argparse
import importlib.util
import json
import os
import random
import sys

os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np

# sorn 0.7.4 imports its own module as the top-level name `utils` (spec: sorn.md, oddity 23).
sys.path.append(os.path.dirname(importlib.util.find_spec("sorn").origin))

from sorn import Simulator  # noqa: E402

CHUNK = 2000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1,2,3,4,5")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--weights-dir", default=None)
    a = ap.parse_args()
    for seed in [int(s) for s in a.seeds.split(",")]:
        np.random.seed(seed)
        random.seed(seed)
        state = None
        for start in range(0, a.steps, CHUNK):
            inputs = np.random.rand(10, CHUNK)
            # ne and nu on every call: the package keeps keywords between calls (spec oddity 4).
            state, rec = Simulator.run(
                inputs=inputs,
                phase="plasticity",
                state=state,
                timesteps=CHUNK,
                noise=True,
                callbacks=["ExcitatoryActivation", "InhibitoryActivation"],
                ne=200,
                nu=10,
            )
            x = np.asarray(rec["ExcitatoryActivation"]).reshape(CHUNK, -1)
            y = np.asarray(rec["InhibitoryActivation"]).reshape(CHUNK, -1)
            wee = np.asarray(state["Wee"])
            pop = x.mean(axis=1)
            print(
                json.dumps(
                    {
                        "source": "sorn 0.7.4",
                        "seed": seed,
                        "step": start + CHUNK,
                        "ee": int((wee > 0).sum()),
                        "ie": int((np.asarray(state["Wei"]) > 0).sum()),
                        "mean_wee": float(wee[wee > 0].mean()),
                        "mean_te": float(np.asarray(state["Te"]).mean()),
                        "rate_e": float(x.mean()),
                        "rate_i": float(y.mean()),
                        "max_active_e": float(pop.max()),
                        "sd_rate_e": float(pop.std()),
                    }
                ),
                flush=True,
            )
        if a.weights_dir is not None:
            os.makedirs(a.weights_dir, exist_ok=True)
            wee = np.asarray(state["Wee"])
            path = os.path.join(a.weights_dir, f"package_seed{seed}_{a.steps}.txt")
            np.savetxt(path, wee[wee > 0], fmt="%.9g")


if __name__ == "__main__":
    main()
