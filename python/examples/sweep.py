"""A sweep over seeds and STDP rates with concurrent.futures.

    python examples/sweep.py              # threads: the runs release the GIL
    python examples/sweep.py --processes  # a process pool (results and states pickle)

`run_one` is a plain function of its arguments returning plain values, so the same function
goes to Ray (`ray.get([ray.remote(run_one).remote(s, e) for s, e in grid])`) or Dask
(`client.gather(client.map(run_one, seeds, etas))`) unchanged; see python/README.md.
"""
import argparse
import concurrent.futures as cf
import itertools
import os
import time

import numpy as np


def run_one(seed, eta_stdp, steps=2000):
    """One plastic run of the default network; its end-of-run figures."""
    from neuroloop.sorn import Simulator

    u = np.random.default_rng(seed).random((10, steps))
    state, rec = Simulator.run(u, timesteps=steps, seed=seed, eta_stdp=eta_stdp,
                               callbacks=["ExcitatoryActivation", "EEConnectionCounts"])
    x = np.asarray(rec["ExcitatoryActivation"][-steps // 4:])
    return {"seed": seed, "eta_stdp": eta_stdp, "rate_e": float(x.mean()),
            "ee_synapses": int(np.count_nonzero(state["Wee"])), "mean_te": float(state["Te"].mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", action="store_true", help="a process pool instead of threads")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--steps", type=int, default=2000)
    a = ap.parse_args()
    grid = list(itertools.product(range(1, 5), (0.002, 0.004, 0.008)))
    pool = cf.ProcessPoolExecutor if a.processes else cf.ThreadPoolExecutor
    t0 = time.perf_counter()
    with pool(max_workers=a.workers) as ex:
        results = list(ex.map(run_one, *zip(*grid), [a.steps] * len(grid)))
    wall = time.perf_counter() - t0
    print(f"{len(results)} runs of {a.steps} steps in {wall:.2f} s with {a.workers} "
          f"{'processes' if a.processes else 'threads'}")
    for r in results:
        print(f"seed {r['seed']} eta_stdp {r['eta_stdp']:.3f}: rate {r['rate_e']:.4f}, "
              f"E->E {r['ee_synapses']}, mean T_E {r['mean_te']:.3f}")


if __name__ == "__main__":
    main()
