"""neuroloop's Python bindings against the Python packages, side by side in one process.

    python benches/compare/bindings.py sorn    # neuroloop.sorn vs sorn 0.7.4 (both importable)
    python benches/compare/bindings.py env     # neuroloop/CartPole-v1 vs gymnasium's CartPole-v1
    python benches/compare/bindings.py ctrnn   # neuroloop.ctrnn vs nn4n CTRNN forward (torch, CPU)

`benches/compare/bindings.sh` runs all three in the venvs that have the packages. Each line of
output is a JSON object: workload, seconds on each side (best of the repetitions), ratio.
Run from a scratch directory: sorn writes sorn.log into the working directory.
"""
import json
import os
import sys
import time

import numpy as np

os.environ.setdefault("TQDM_DISABLE", "1")


def best(fn, reps):
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return min(out)


def emit(workload, ours, theirs, target=None):
    print(json.dumps({"workload": workload, "neuroloop_s": ours, "python_s": theirs, "ratio": theirs / ours,
                      "target": target}), flush=True)


def sorn_part():
    import importlib.util

    # sorn 0.7.4 imports its own module as the top-level name `utils`.
    sys.path.append(os.path.dirname(importlib.util.find_spec("sorn").origin))
    import sorn
    import neuroloop.sorn as nl

    u = np.random.rand(10, 2000)
    readme = ["ExcitatoryActivation", "WEE", "EEConnectionCounts"]

    def readme_run(mod):
        return lambda: mod.Simulator.run(inputs=u[:, :200], phase="plasticity", state=None, noise=True, timesteps=200,
                                         callbacks=readme)

    emit("sorn README example: Simulator.run, fresh N_E 200, 200 plastic steps, ExcitatoryActivation + WEE + "
         "EEConnectionCounts", best(readme_run(nl), 7), best(readme_run(sorn), 2), ">= 300x")
    rec = ["ExcitatoryActivation", "EEConnectionCounts"]

    def long_run(mod):
        return lambda: mod.Simulator.run(inputs=u, phase="plasticity", state=None, noise=True, timesteps=2000,
                                         callbacks=rec)

    emit("2,000 plastic steps, fresh N_E 200, recording ExcitatoryActivation + EEConnectionCounts",
         best(long_run(nl), 5), best(long_run(sorn), 1), ">= 2,000x")
    print(json.dumps({"versions": {"sorn": sorn.__version__, "numpy": np.__version__}}))


def env_part():
    import gymnasium
    import neuroloop.envs  # noqa: F401  (registers neuroloop/<id>)

    steps = 100_000
    actions = np.random.default_rng(0).integers(0, 2, steps)

    def loop(env_id):
        env = gymnasium.make(env_id)

        def go():
            env.reset(seed=0)
            for a in actions:
                _, _, term, trunc, _ = env.step(int(a))
                if term or trunc:
                    env.reset()
        return go

    ours, theirs = best(loop("neuroloop/CartPole-v1"), 3) / steps, best(loop("CartPole-v1"), 3) / steps
    emit("env.step from Python, CartPole-v1 through gymnasium.make (wrappers included), per step", ours, theirs)
    print(json.dumps({"versions": {"gymnasium": gymnasium.__version__}}))


def ctrnn_part():
    import torch
    from nn4n.model import CTRNN as Nn4n

    from neuroloop.ctrnn import CTRNN

    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    steps = 1000
    for h in (32, 128, 512):
        for batch in (1, 64):
            torch.manual_seed(1)
            model = Nn4n(dims=[8, h, 4], activation="tanh", biases=None, suppress_warnings=True)
            model.eval()
            net = CTRNN.from_nn4n(model)
            x = np.random.default_rng(h).uniform(-1, 1, (batch, steps, 8)).astype(np.float32)
            xt = torch.as_tensor(x.transpose(1, 0, 2).copy())  # nn4n 1.1.1 is time-major

            def theirs():
                with torch.no_grad():
                    model(xt)

            reps = 3 if h * batch < 10_000 else 1
            emit(f"CTRNN forward, H {h}, batch {batch}, {steps} steps (per step of the batch)",
                 best(lambda: net.forward(x), reps) / steps, best(theirs, reps) / steps)
    import nn4n

    print(json.dumps({"versions": {"torch": torch.__version__, "nn4n": getattr(nn4n, "__version__", "?")}}))


if __name__ == "__main__":
    {"sorn": sorn_part, "env": env_part, "ctrnn": ctrnn_part}[sys.argv[1]]()
