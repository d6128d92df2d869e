"""gymnasium environments for every plant of the core's registry, a vector env over the host's
batched stepping, and trained controllers as policies.

    import gymnasium, neuroloop.envs                       # importing registers the ids
    env = gymnasium.make("neuroloop/CartPole-v1")
    venv = neuroloop.envs.VectorEnv("CartPole-v1", 16)
    policy = neuroloop.envs.Policy("tests/fixtures/cartpole_controller.json", "CartPole-v1")

The plants' dynamics are the core's (``neuroloop_core::env``); observations are float32,
rewards float. A plant ends its own episodes at the registered time limit (truncated).
"""
import numpy as np

try:
    import gymnasium
    from gymnasium import spaces
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("neuroloop.envs needs gymnasium: pip install gymnasium") from e

from . import _neuroloop

__all__ = ["NeuroloopEnv", "VectorEnv", "Policy", "ENV_IDS", "register_envs", "run_episode"]

#: The core's plants, by gymnasium id.
ENV_IDS = tuple(_neuroloop.env_ids())


def _space(desc):
    kind, n, low, high = desc
    if kind == "discrete":
        return spaces.Discrete(n)
    return spaces.Box(np.asarray(low, dtype=np.float32), np.asarray(high, dtype=np.float32), dtype=np.float32)


def _u64(rng):
    return int(rng.integers(0, 2**63 - 1))


class NeuroloopEnv(gymnasium.Env):
    """One plant of the core (``plant`` is its id, e.g. ``"CartPole-v1"``)."""

    metadata = {"render_modes": []}

    def __init__(self, plant="CartPole-v1", render_mode=None):
        if render_mode is not None:
            raise ValueError("neuroloop plants do not render in Python (render_mode must be None); "
                             "`neuroloop env render` draws recorded episodes")
        self._plant = _neuroloop.Plant(plant)
        self.plant_id = plant
        self.observation_space = _space(self._plant.observation_space())
        self.action_space = _space(self._plant.action_space())
        self._discrete = isinstance(self.action_space, spaces.Discrete)
        self.render_mode = None

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        # The plant's own u64 seed, drawn from gymnasium's seeded generator: same seed, same episode.
        obs = self._plant.reset(_u64(self.np_random))
        return obs, {}

    def step(self, action):
        if self._discrete:
            if isinstance(action, (bool, np.bool_)) or not isinstance(action, (int, np.integer)) and not (
                    isinstance(action, np.ndarray) and action.shape == () and np.issubdtype(action.dtype, np.integer)):
                raise TypeError(f"a {self.plant_id} action is an integer, not {type(action).__name__}")
            if int(action) < 0:
                raise ValueError(f"action {int(action)} is negative")
            a = int(action)
        else:
            a = np.ascontiguousarray(np.asarray(action, dtype=np.float32).reshape(-1))
        obs, reward, terminated, truncated = self._plant.step(a)
        return obs, float(reward), terminated, truncated, {}

    def state(self):
        """The plant's internal state (float64, the variables gymnasium keeps)."""
        return self._plant.state()


class VectorEnv(gymnasium.vector.VectorEnv):
    """``num_envs`` copies of a plant stepped together in Rust (the GIL released), with gymnasium's
    ``NextStep`` autoreset: a copy whose episode ended is reset at the next ``step`` (its action
    ignored, reward 0). Copy ``i`` is reset from seed ``seed + i``."""

    metadata = {"autoreset_mode": gymnasium.vector.AutoresetMode.NEXT_STEP}

    def __init__(self, plant="CartPole-v1", num_envs=8):
        self._v = _neuroloop.VecPlant(plant, int(num_envs))
        one = _neuroloop.Plant(plant)
        self.plant_id = plant
        self.num_envs = int(num_envs)
        self.single_observation_space = _space(one.observation_space())
        self.single_action_space = _space(one.action_space())
        self.observation_space = gymnasium.vector.utils.batch_space(self.single_observation_space, self.num_envs)
        self.action_space = gymnasium.vector.utils.batch_space(self.single_action_space, self.num_envs)
        self._discrete = isinstance(self.single_action_space, spaces.Discrete)
        self._rng = np.random.default_rng()

    def reset(self, *, seed=None, options=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise TypeError("seed is one integer (copy i is reset with seed + i)")
        if seed is not None:
            self._rng = np.random.default_rng(int(seed))
        s = int(seed) if seed is not None else _u64(self._rng)
        return self._v.reset(s), {}

    def step(self, actions):
        a = np.asarray(actions)
        if self._discrete:
            a = [int(x) for x in a.reshape(-1)]
        else:
            a = np.ascontiguousarray(a, dtype=np.float32)
        obs, rew, term, trunc = self._v.step(a)
        return obs, rew, term, trunc, {}


class Policy:
    """A trained controller file (a CTRNN model file or a SORN controller file) for ``plant``;
    ``policy(obs)`` returns the action (an int for a discrete plant, a float32 array otherwise)."""

    def __init__(self, path, plant):
        self._c = _neuroloop.Controller(str(path), plant)
        self.plant_id = plant

    def reset(self, seed=0):
        """Back to the controller's start state (noise, if any, seeded by ``seed``)."""
        self._c.reset(int(seed))

    def act(self, observation):
        return self._c.act(np.ascontiguousarray(observation, dtype=np.float32))

    __call__ = act

    def evaluate(self, episodes=100, seed=0):
        """``episodes`` episodes in Rust, in parallel (the CLI's ``neuroloop eval``): a dict of
        ``episodes``, ``mean``, ``std`` of the return and the ``terminated_fraction``."""
        n, mean, std, term = self._c.evaluate(int(episodes), int(seed))
        return {"episodes": n, "mean": mean, "std": std, "terminated_fraction": term}


def run_episode(env, policy, seed=None):
    """One episode of ``policy`` on a gymnasium ``env``; returns ``(total reward, steps)``."""
    if hasattr(policy, "reset"):
        policy.reset(0 if seed is None else seed)
    obs, _ = env.reset(seed=seed)
    total, steps = 0.0, 0
    while True:
        obs, r, term, trunc, _ = env.step(policy(obs))
        total += r
        steps += 1
        if term or trunc:
            return total, steps


def register_envs():
    """Registers ``neuroloop/<id>`` for every plant (done when this module is imported)."""
    for pid in ENV_IDS:
        name = f"neuroloop/{pid}"
        if name not in gymnasium.registry:
            limit = _neuroloop.Plant(pid).time_limit
            gymnasium.register(id=name, entry_point="neuroloop.envs:NeuroloopEnv", kwargs={"plant": pid},
                               max_episode_steps=limit)
    return [f"neuroloop/{p}" for p in ENV_IDS]


register_envs()
