#!/usr/bin/env python3
"""Writes gymnasium replay fixtures (`neuroloop-env-fixture`, version 1) for the classic-control
plants neuroloop reproduces: Pendulum-v1, MountainCar-v0, MountainCarContinuous-v0 and
Acrobot-v1 (CartPole-v1's fixture came with the project: tests/fixtures/cartpole_v1.json).

Every episode starts from a fixed initial state set on the unwrapped environment (no reset
sampling) and applies actions from a fixed numpy seed, chosen to reach the corners of each
plant: torques beyond the clip, the left wall, the goal (MountainCarContinuous's +100), angles
that wrap, velocities that clip. After every step the observation, reward, terminated flag and
internal state are recorded. Python's json writes the shortest decimal that reads back to the
same double, so a reader that parses to the nearest double gets gymnasium's numbers exactly.

    python3 -m venv /tmp/gym && /tmp/gym/bin/pip install "gymnasium==1.4.0" numpy
    /tmp/gym/bin/python tools/make_env_fixtures.py tests/fixtures        # writes the four files
    /tmp/gym/bin/python tools/make_env_fixtures.py --check tests/fixtures  # regenerates, compares
"""

import argparse
import json
import math
import pathlib
import sys

import gymnasium as gym
import numpy as np


def episode(env, initial_state, dtype, actions):
    """Runs `actions` (a callable obs, step -> action) from `initial_state` until termination
    or the actions run out (the time limit is not applied: the unwrapped env is stepped)."""
    u = env.unwrapped
    u.state = np.array(initial_state, dtype=dtype)
    get = getattr(u, "_get_obs", None) or getattr(u, "_get_ob", None)
    obs = get() if get else np.array(u.state, dtype=np.float32)
    steps = []
    for t in range(10_000):
        a = actions(obs, t)
        if a is None:
            break
        obs, reward, terminated, _, _ = u.step(a)
        steps.append(
            {
                "action": int(a) if np.isscalar(a) else [float(np.float32(x)) for x in a],
                "obs": [float(x) for x in obs],
                "reward": float(reward),
                "terminated": bool(terminated),
                "state": [float(x) for x in u.state],
            }
        )
        if terminated:
            break
    return {
        "initial_state": [float(x) for x in np.array(initial_state, dtype=dtype)],
        "state_dtype": np.dtype(dtype).name,
        "steps": steps,
    }


def limited(n, choose):
    """An action source that gives `choose(obs, t)` for `n` steps."""
    return lambda obs, t: choose(obs, t) if t < n else None


def pendulum():
    env = gym.make("Pendulum-v1")
    rng = np.random.default_rng(11)
    box = lambda lo, hi: lambda obs, t: np.array([rng.uniform(lo, hi)], dtype=np.float32)
    # Energy pumping: torque along the angular velocity, saturating.
    pump = lambda obs, t: np.array([3.0 if obs[2] >= 0 else -3.0], dtype=np.float32)
    return env, [
        episode(env, [math.pi, 0.0], np.float64, limited(200, box(-2.0, 2.0))),
        episode(env, [0.3, -0.7], np.float64, limited(200, box(-4.0, 4.0))),  # clipped torques
        episode(env, [-2.9, 7.5], np.float64, limited(200, pump)),  # speed clip, many turns
        episode(env, [1e-3, 0.0], np.float64, limited(200, lambda obs, t: np.array([0.0], dtype=np.float32))),
    ]


def mountain_car():
    env = gym.make("MountainCar-v0")
    rng = np.random.default_rng(12)
    energy = lambda obs, t: 2 if obs[1] >= 0 else 0
    return env, [
        episode(env, [-0.5, 0.0], np.float64, limited(400, energy)),  # reaches the goal
        episode(env, [-1.1, -0.05], np.float64, limited(200, lambda obs, t: 0)),  # the left wall
        episode(env, [-0.45, 0.0], np.float64, limited(300, lambda obs, t: int(rng.integers(3)))),
    ]


def mountain_car_continuous():
    env = gym.make("MountainCarContinuous-v0")
    rng = np.random.default_rng(13)
    energy = lambda obs, t: np.array([1.7 if obs[1] >= 0 else -1.3], dtype=np.float32)  # clipped
    inside = lambda obs, t: np.array([0.8 if obs[1] >= 0 else -0.9], dtype=np.float32)
    noise = lambda obs, t: np.array([rng.uniform(-1.5, 1.5)], dtype=np.float32)
    return env, [
        episode(env, [-0.5, 0.0], np.float32, limited(999, energy)),  # reaches the goal: +100
        episode(env, [-0.55, 0.01], np.float32, limited(999, inside)),
        episode(env, [-1.15, -0.06], np.float32, limited(300, noise)),  # the wall, both clips
    ]


def acrobot():
    env = gym.make("Acrobot-v1")
    rng = np.random.default_rng(14)
    # Torque along the first link's velocity: swings up, wraps angles, clips velocities.
    swing = lambda obs, t: 2 if obs[4] >= 0 else 0
    return env, [
        episode(env, [0.05, -0.03, 0.02, 0.01], np.float32, limited(500, swing)),
        episode(env, [3.0, -3.0, 12.0, -28.0], np.float64, limited(200, lambda obs, t: int(rng.integers(3)))),
        episode(env, [-0.1, 0.1, 0.0, 0.0], np.float64, limited(150, lambda obs, t: 1)),
    ]


PLANTS = {
    "pendulum_v1.json": ("Pendulum-v1", pendulum),
    "mountain_car_v0.json": ("MountainCar-v0", mountain_car),
    "mountain_car_continuous_v0.json": ("MountainCarContinuous-v0", mountain_car_continuous),
    "acrobot_v1.json": ("Acrobot-v1", acrobot),
}


def fixture(name, make):
    _, episodes = make()
    doc = {
        "format": "neuroloop-env-fixture",
        "version": 1,
        "env": name,
        "gymnasium_version": gym.__version__,
        "numpy_version": np.__version__,
        "made_by": "tools/make_env_fixtures.py",
        "episodes": episodes,
    }
    return json.dumps(doc, separators=(",", ":")) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=pathlib.Path, help="directory of the fixtures")
    ap.add_argument("--check", action="store_true", help="regenerate and compare with the files")
    args = ap.parse_args()
    bad = 0
    for file, (name, make) in PLANTS.items():
        text = fixture(name, make)
        path = args.out / file
        if args.check:
            same = path.exists() and path.read_text() == text
            print(f"{file}: {'same' if same else 'DIFFERS'}")
            bad += not same
        else:
            path.write_text(text)
            d = json.loads(text)
            n = sum(len(e["steps"]) for e in d["episodes"])
            ends = sum(e["steps"][-1]["terminated"] for e in d["episodes"])
            print(f"{file}: {len(d['episodes'])} episodes, {n} steps, {ends} terminated, {len(text)} bytes")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
