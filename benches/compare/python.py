"""The Python half of the side-by-side comparison (`bash benches/compare/run.sh` runs it).

Runs the workloads of `benches/compare/rust.rs` with the Python packages: `sorn` (SORN),
`nn4n` on CPU PyTorch (CTRNN) and `gymnasium` (CartPole-v1), same sizes, same step counts,
same plasticity rules, and prints one JSON object per workload:
`{"key", "seconds_per_step", "steps"}`, then one with the versions (`"key": "versions"`).
Building a network is not timed (as in the Rust half). Run it from a scratch directory: the
`sorn` package writes `sorn.log` into the working directory on import.
"""

import importlib.util
import json
import os
import sys
import time

os.environ.setdefault("TQDM_DISABLE", "1")  # sorn prints a tqdm bar per run

import numpy as np

# sorn 0.7.4 imports its own module as the top-level name `utils` (spec: sorn.md, oddity 23).
sys.path.append(os.path.dirname(importlib.util.find_spec("sorn").origin))

import gymnasium  # noqa: E402
import nn4n  # noqa: E402
import sorn  # noqa: E402
import torch  # noqa: E402
from nn4n.model import CTRNN  # noqa: E402
from sorn import Simulator, Trainer  # noqa: E402


def emit(key, per_step, steps):
    print(json.dumps({"key": key, "seconds_per_step": per_step, "steps": steps}), flush=True)


def sorn_work(ne, steps, plastic):
    """Fresh network of `ne` excitatory units (package defaults otherwise, N_U 10), `steps`
    steps of uniform [0, 1) input, all five rules on (plastic) or the training phase, noise on.
    The package builds its matrices inside `run`, so one untimed 1-step run builds the network
    and the timed run continues from its state."""
    rng = np.random.default_rng(ne)
    inputs = rng.random((10, steps + 1))
    state, _ = Simulator.run(
        inputs=inputs[:, :1], phase="plasticity", state=None, timesteps=1, noise=True, ne=ne, nu=10
    )
    t0 = time.perf_counter()
    if plastic:
        Simulator.run(inputs=inputs[:, 1:], phase="plasticity", state=state, timesteps=steps, noise=True, ne=ne, nu=10)
    else:
        Trainer.run(inputs=inputs[:, 1:], phase="training", state=state, timesteps=steps, noise=True, ne=ne, nu=10)
    return (time.perf_counter() - t0) / steps


def ctrnn_work(h, batch, steps):
    """nn4n CTRNN (tanh, dims [8, h, 4], nn4n's default initialisation) in eval mode under
    no_grad, one forward pass over `steps` time steps of a fixed random input: nn4n loops over
    the steps in Python, one Euler update each. Per step of the whole batch."""
    torch.manual_seed(1)
    model = CTRNN(dims=[8, h, 4], activation="tanh", biases=None, suppress_warnings=True)
    model.eval()
    x = torch.rand(steps, batch, 8)
    with torch.no_grad():
        model(x[:10])  # warm-up (allocator, kernels)
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            model(x)
            best = min(best, time.perf_counter() - t0)
    return best / steps


def cartpole_work(steps):
    """gymnasium CartPole-v1 (with its default wrappers, as `gymnasium.make` gives it),
    alternating actions, reset at episode ends."""
    env = gymnasium.make("CartPole-v1")
    env.reset(seed=0)
    seed = 0
    t0 = time.perf_counter()
    for k in range(steps):
        _, _, term, trunc, _ = env.step(k & 1)
        if term or trunc:
            seed += 1
            env.reset(seed=seed)
    return (time.perf_counter() - t0) / steps


def closed_loop_work(steps):
    """CartPole-v1 and an nn4n CTRNN controller (dims [4, 8, 2], tanh) acting on each
    observation, one forward pass of one time step per control step, as a user would write it."""
    torch.manual_seed(1)
    model = CTRNN(dims=[4, 8, 2], activation="tanh", suppress_warnings=True)
    model.eval()
    env = gymnasium.make("CartPole-v1")
    obs, _ = env.reset(seed=0)
    seed = 0
    with torch.no_grad():
        t0 = time.perf_counter()
        for _ in range(steps):
            y, _ = model(torch.as_tensor(obs, dtype=torch.float32).reshape(1, 1, 4))
            action = int(y[0, 0, 1] > y[0, 0, 0])
            obs, _, term, trunc, _ = env.step(action)
            if term or trunc:
                seed += 1
                obs, _ = env.reset(seed=seed)
        return (time.perf_counter() - t0) / steps


def main():
    torch.set_num_threads(os.cpu_count() or 1)
    for ne, steps in [(200, 300), (400, 100), (800, 30), (1600, 10)]:
        emit(f"sorn_plastic_ne{ne}", sorn_work(ne, steps, True), steps)
    emit("sorn_frozen_ne200", sorn_work(200, 1000, False), 1000)
    for h in [32, 128, 512]:
        for batch in [1, 64]:
            steps = 100 if (h == 512 and batch == 64) else 1000
            emit(f"ctrnn_h{h}_b{batch}", ctrnn_work(h, batch, steps), steps)
    emit("cartpole_step", cartpole_work(100_000), 100_000)
    emit("closed_loop_cartpole_ctrnn_h8", closed_loop_work(5_000), 5_000)
    versions = {
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "nn4n": getattr(nn4n, "__version__", None) or importlib.metadata.version("nn4n"),
        "sorn": importlib.metadata.version("sorn"),
        "gymnasium": gymnasium.__version__,
    }
    print(json.dumps({"key": "versions", **versions}), flush=True)


if __name__ == "__main__":
    import importlib.metadata

    main()
