"""neuroloop.envs: gymnasium's env checker on every plant, gymnasium.make, parity with
gymnasium's own classic-control plants from one state, the vector env and controller policies."""
import warnings

import numpy as np
import pytest

gymnasium = pytest.importorskip("gymnasium", reason="gymnasium is not installed: the envs tests need it")
from gymnasium.utils.env_checker import check_env  # noqa: E402

import neuroloop.envs as ne  # noqa: E402


def test_every_plant_is_registered():
    assert set(ne.ENV_IDS) == {"CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0",
                               "Acrobot-v1", "DiffDrive-v0"}
    for pid in ne.ENV_IDS:
        assert f"neuroloop/{pid}" in gymnasium.registry


@pytest.mark.parametrize("pid", ne.ENV_IDS)
def test_env_checker(pid):
    env = gymnasium.make(f"neuroloop/{pid}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_env(env.unwrapped, skip_render_check=True)
    # The only advice gymnasium gives is about Pendulum's [-2, 2] torque, which is gymnasium's own space.
    msgs = [str(w.message) for w in caught]
    assert all("symmetric and normalized" in m for m in msgs), msgs
    env.close()


@pytest.mark.parametrize("pid", ne.ENV_IDS)
def test_seeded_episodes_repeat_and_respect_the_spaces(pid):
    env = gymnasium.make(f"neuroloop/{pid}")
    env.action_space.seed(0)
    actions = [env.action_space.sample() for _ in range(60)]

    def rollout(seed):
        obs, _ = env.reset(seed=seed)
        out = [obs]
        for a in actions:
            obs, r, term, trunc, _ = env.step(a)
            assert env.observation_space.contains(obs) and isinstance(r, float)
            out.append(obs)
            if term or trunc:
                break
        return np.array(out)

    a, b, c = rollout(3), rollout(3), rollout(4)
    assert np.array_equal(a, b) and not np.array_equal(a[0], c[0])


GYM_IDS = ["CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1"]


@pytest.mark.parametrize("pid", GYM_IDS)
def test_same_dynamics_as_gymnasium_from_one_state(pid):
    ours = ne.NeuroloopEnv(pid)
    theirs = gymnasium.make(pid).unwrapped
    theirs.reset(seed=0)
    theirs.action_space.seed(1)
    ours._plant.reset(0)
    ours._plant.set_state(np.asarray(theirs.state, dtype=np.float64).tolist())
    worst = 0.0
    for _ in range(50):
        a = theirs.action_space.sample()
        o2, r2, t2, _, _ = theirs.step(a)
        o1, r1, t1, _, _ = ours.step(a)
        worst = max(worst, float(np.abs(o1 - o2).max()))
        assert r1 == pytest.approx(r2, abs=1e-4) and t1 == t2
        if t2:
            break
    # float32 observations of the same float64 dynamics.
    assert worst < 1e-4, worst


def test_bad_actions_are_errors():
    env = ne.NeuroloopEnv("CartPole-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="out of range|action"):
        env.step(5)
    with pytest.raises(TypeError):
        env.step(0.5)
    env = ne.NeuroloopEnv("Pendulum-v1")
    env.reset(seed=0)
    with pytest.raises(ValueError):
        env.step(np.array([1.0, 2.0], dtype=np.float32))
    with pytest.raises(ValueError, match="finite|NaN"):
        env.step(np.array([np.nan], dtype=np.float32))
    with pytest.raises(ValueError, match="Humanoid|unknown"):
        ne.NeuroloopEnv("Humanoid-v4")
    with pytest.raises(ValueError, match="render"):
        ne.NeuroloopEnv("CartPole-v1", render_mode="human")


def test_vector_env_next_step_autoreset():
    v = ne.VectorEnv("CartPole-v1", 8)
    obs, _ = v.reset(seed=10)
    assert obs.shape == (8, 4) and obs.dtype == np.float32 and v.observation_space.contains(obs)
    # Copy i starts where a single env reset from plant seed 10 + i starts.
    single = ne.NeuroloopEnv("CartPole-v1")
    for i in range(8):
        assert np.array_equal(single._plant.reset(10 + i), obs[i])
    ended = np.zeros(8, dtype=bool)
    for _ in range(200):
        obs, rew, term, trunc, _ = v.step(np.zeros(8, dtype=np.int64))  # always push left: episodes end
        assert rew.shape == (8,) and term.dtype == np.bool_
        # NextStep: the step after an episode ended is a reset with reward 0.
        assert (rew[ended] == 0.0).all() and not term[ended].any()
        ended = term | trunc
    c = ne.VectorEnv("Pendulum-v1", 3)
    c.reset(seed=1)
    obs, rew, *_ = c.step(np.zeros((3, 1), dtype=np.float32))
    assert obs.shape == (3, 3) and rew.shape == (3,)


def test_controller_policy_runs_episodes(fixtures):
    policy = ne.Policy(fixtures / "cartpole_controller.json", "CartPole-v1")
    env = gymnasium.make("neuroloop/CartPole-v1")
    total, steps = ne.run_episode(env, policy, seed=1)
    assert (total, steps) == (500.0, 500)
    stats = policy.evaluate(episodes=20, seed=0)
    assert stats["episodes"] == 20 and stats["mean"] == 500.0
    a = policy(np.zeros(4, dtype=np.float32))
    assert isinstance(a, int) and a in (0, 1)
    # The policy also drives gymnasium's own CartPole.
    total, _ = ne.run_episode(gymnasium.make("CartPole-v1"), policy, seed=2)
    assert total >= 195
    with pytest.raises(ValueError):
        ne.Policy(fixtures / "cartpole_controller.json", "Pendulum-v1")
