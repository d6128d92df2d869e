"""neuroloop.sorn against the sorn 0.7.4 package's API: README examples with only the import
changed, keys, shapes, dtypes, orientation, continuation, snapshots, seeds and errors."""
import pickle
import warnings

import numpy as np
import pytest

from neuroloop.sorn import Simulator, SornState, Trainer

STATE_SHAPES = {"Wee": (200, 200), "Wei": (40, 200), "Wie": (200, 40), "Te": (200, 1), "Ti": (40, 1),
                "X": (200, 2), "Y": (40, 2)}


def test_readme_plasticity_example():
    # The sorn README, verbatim except the import.
    state_dict, sim_dict = Simulator.run(inputs=np.random.rand(10, 200), phase="plasticity", state=None, noise=True,
                                         timesteps=200,
                                         callbacks=["ExcitatoryActivation", "WEE", "EEConnectionCounts"])
    assert list(state_dict) == ["Wee", "Wei", "Wie", "Te", "Ti", "X", "Y"]
    for k, shape in STATE_SHAPES.items():
        assert state_dict[k].shape == shape and state_dict[k].dtype == np.float64, k
    assert set(sim_dict) == {"ExcitatoryActivation", "WEE", "EEConnectionCounts"}
    e, w, c = sim_dict["ExcitatoryActivation"], sim_dict["WEE"], sim_dict["EEConnectionCounts"]
    assert all(isinstance(v, list) and len(v) == 200 for v in (e, w, c))
    assert e[0].shape == (200,) and e[0].dtype == np.float64 and set(np.unique(e[-1])) <= {0.0, 1.0}
    assert w[0].shape == (200, 200) and w[0].dtype == np.float64
    assert isinstance(c[0], np.int64)
    # [pre][post]: columns (incoming) sum to 1 after normalisation, the diagonal is empty.
    wee = state_dict["Wee"]
    cols = wee.sum(axis=0)
    assert np.allclose(cols[cols > 0], 1.0, atol=1e-5)
    assert not np.diag(wee).any()
    assert np.array_equal(w[-1], wee)
    # X: column 1 is x(T), column 0 x(T-1).
    assert np.array_equal(state_dict["X"][:, 1], e[-1]) and np.array_equal(state_dict["X"][:, 0], e[-2])
    # Counts are taken before each step's plasticity: they lag the weights by one step.
    for t in range(199):
        assert c[t + 1] == np.count_nonzero(w[t])
    assert 3800 <= c[0] <= 4000


def test_readme_training_example():
    # The README's Trainer call passes ne=100 on a 200-unit state (the package crashes there);
    # the state fixes the sizes, the ignored keywords are reported.
    state_dict, _ = Simulator.run(inputs=np.random.rand(10, 20), phase="plasticity", state=None, noise=True,
                                  timesteps=20, callbacks=["ExcitatoryActivation"])
    with pytest.warns(UserWarning, match="ne=100"):
        state_dict, sim_dict = Trainer.run(inputs=np.random.rand(10, 1), phase="training", state=state_dict,
                                           noise=False, timesteps=1, ne=100, nu=10, lambda_ee=10, eta_stdp=0.001,
                                           callbacks=["InhibitoryActivation", "WEI", "EIConnectionCounts"])
    assert sim_dict["InhibitoryActivation"][0].shape == (40,)
    assert sim_dict["WEI"][0].shape == (40, 200)
    assert isinstance(sim_dict["EIConnectionCounts"][0], np.int64)
    assert state_dict.steps == 21


def test_every_callback_shape_small_network():
    state, rec = Simulator.run(np.random.rand(10, 5), "plasticity", None, 5, True, None, list(reversed(
        ["ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation", "WEE", "WEI", "TE", "TI",
         "EIConnectionCounts", "EEConnectionCounts"])), ne=40, lambda_ee=5, lambda_ei=5, nu=10, seed=3)
    shapes = {"ExcitatoryActivation": (40,), "InhibitoryActivation": (8,), "RecurrentActivation": (40, 1),
              "WEE": (40, 40), "WEI": (8, 40), "TE": (40, 1), "TI": (8, 1), "EEConnectionCounts": (),
              "EIConnectionCounts": ()}
    for k, s in shapes.items():
        assert len(rec[k]) == 5 and np.shape(rec[k][0]) == s, k
    assert {k: v.shape for k, v in state.items()} == {"Wee": (40, 40), "Wei": (8, 40), "Wie": (40, 8),
                                                       "Te": (40, 1), "Ti": (8, 1), "X": (40, 2), "Y": (8, 2)}
    # Recordings come back in the order asked for.
    assert list(rec)[0] == "EEConnectionCounts"


def test_continuation_is_exact():
    u = np.random.RandomState(0).rand(10, 10)
    whole, rec_whole = Simulator.run(u, timesteps=10, seed=5, callbacks=["ExcitatoryActivation"])
    first, rec_a = Simulator.run(u[:, :4], timesteps=4, seed=5, callbacks=["ExcitatoryActivation"])
    second, rec_b = Simulator.run(u[:, 4:], state=first, timesteps=6, callbacks=["ExcitatoryActivation"])
    for k in whole:
        assert np.array_equal(whole[k], second[k]), k
    assert np.array_equal(np.asarray(rec_whole["ExcitatoryActivation"]),
                          np.asarray(rec_a["ExcitatoryActivation"] + rec_b["ExcitatoryActivation"]))
    # The same state passed twice continues the same way (it is not consumed).
    again, _ = Simulator.run(u[:, 4:], state=first, timesteps=6)
    assert np.array_equal(again["Wee"], second["Wee"])


def test_weight_recordings_are_the_state_after_each_step():
    # WEE and WEI are written into numpy's memory while the network steps (a second thread
    # faults the pages in ahead): each step's matrix must be the state after that step, as
    # stepping one call at a time shows. 40 steps cover structural plasticity's additions.
    u = np.random.RandomState(1).rand(10, 40)
    _, rec = Simulator.run(u, timesteps=40, seed=9, callbacks=["WEI", "EEConnectionCounts", "WEE"])
    state = None
    for t in range(40):
        state, _ = Simulator.run(u[:, t:t + 1], state=state, timesteps=1, seed=9)
        assert np.array_equal(rec["WEE"][t], state["Wee"]), t
        assert np.array_equal(rec["WEI"][t], state["Wei"]), t
    assert len({np.count_nonzero(w) for w in rec["WEE"]}) > 1


def test_seed_reproduces_and_numpy_seed_too():
    u = np.random.rand(10, 30)
    a, _ = Simulator.run(u, timesteps=30, seed=11)
    b, _ = Simulator.run(u, timesteps=30, seed=11)
    c, _ = Simulator.run(u, timesteps=30, seed=12)
    assert np.array_equal(a["Wee"], b["Wee"]) and not np.array_equal(a["Wee"], c["Wee"])
    np.random.seed(4)
    d, _ = Simulator.run(u, timesteps=30)
    np.random.seed(4)
    e, _ = Simulator.run(u, timesteps=30)
    assert np.array_equal(d["Wee"], e["Wee"]) and d.seed == e.seed


def test_no_keyword_leaks_between_calls():
    small, _ = Simulator.run(np.random.rand(10, 2), timesteps=2, ne=26, lambda_ee=4, lambda_ei=4, eta_stdp=0.5)
    assert small["Wee"].shape == (26, 26) and small.config["eta_stdp"] == 0.5
    fresh, _ = Simulator.run(np.random.rand(10, 2), timesteps=2)
    assert fresh["Wee"].shape == (200, 200) and abs(fresh.config["eta_stdp"] - 0.004) < 1e-9
    # A continuation keeps the state's rates unless new ones are given for it.
    cont, _ = Simulator.run(np.random.rand(10, 2), state=small, timesteps=2)
    assert cont.config["eta_stdp"] == 0.5
    cont, _ = Simulator.run(np.random.rand(10, 2), state=small, timesteps=2, eta_stdp=0.25)
    assert cont.config["eta_stdp"] == 0.25


def test_phases_and_freeze():
    s0, _ = Simulator.run(np.random.rand(10, 20), timesteps=20, seed=1)
    # Trainer outside the plasticity phase changes no weight or threshold.
    s1, _ = Trainer.run(np.random.rand(10, 20), state=s0, timesteps=20)
    for k in ("Wee", "Wei", "Wie", "Te", "Ti"):
        assert np.array_equal(s0[k], s1[k]), k
    # The package's Simulator ignores the phase: plasticity goes on in "training".
    s2, _ = Simulator.run(np.random.rand(10, 20), phase="training", state=s0, timesteps=20)
    assert not np.array_equal(s0["Wee"], s2["Wee"])
    # Freezing every rule in the plasticity phase also keeps everything.
    s3, _ = Simulator.run(np.random.rand(10, 20), state=s0, timesteps=20, freeze=["stdp", "ip", "sp", "istdp", "ss"])
    assert np.array_equal(s0["Wee"], s3["Wee"]) and np.array_equal(s0["Te"], s3["Te"])
    # Only ip frozen: thresholds stay, weights move.
    s4, _ = Simulator.run(np.random.rand(10, 20), state=s0, timesteps=20, freeze=["ip"])
    assert np.array_equal(s0["Te"], s4["Te"]) and not np.array_equal(s0["Wee"], s4["Wee"])
    # A string is a substring test, as in the package: "istdp" also freezes stdp (and unknown names are ignored).
    s5, _ = Simulator.run(np.random.rand(10, 20), state=s0, timesteps=20, freeze="istdp", noise=False)
    s6, _ = Simulator.run(np.random.rand(10, 20), state=s0, timesteps=20, freeze=["istdp", "stdp", "zz"], noise=False)
    assert s5.config == s6.config
    # Trainer in the plasticity phase builds a fresh network.
    s7, _ = Trainer.run(np.random.rand(10, 5), phase="plasticity", timesteps=5, ne=40, lambda_ee=5, lambda_ei=5)
    assert s7["Wee"].shape == (40, 40)


def test_snapshot_save_load_and_pickle(tmp_path):
    u = np.random.rand(10, 20)
    s, _ = Simulator.run(u[:, :10], timesteps=10, seed=9)
    p = tmp_path / "net.nlsnap"
    s.save(p)
    assert p.read_bytes()[:8] == b"\x89NLSNAP\n"
    loaded = SornState.load(p)
    for k in s:
        assert np.array_equal(s[k], loaded[k]), k
    a, _ = Simulator.run(u[:, 10:], state=s, timesteps=10)
    b, _ = Simulator.run(u[:, 10:], state=loaded, timesteps=10)
    c, _ = Simulator.run(u[:, 10:], state=pickle.loads(pickle.dumps(s)), timesteps=10)
    assert np.array_equal(a["Wee"], b["Wee"]) and np.array_equal(a["Wee"], c["Wee"])


def test_committed_cli_snapshot_loads(fixtures):
    s = SornState.load(fixtures / "snapshot_v1.nlsnap")
    assert s["Wee"].shape == (s.ne, s.ne) and s["Wei"].shape == (s.ni, s.ne)
    s2, rec = Simulator.run(np.random.rand(s.nu, 3), state=s, timesteps=3, callbacks=["TE"])
    assert s2.steps == s.steps + 3 and rec["TE"][0].shape == (s.ne, 1)


def test_plain_and_edited_states_are_imported():
    u = np.random.rand(10, 20)
    s, _ = Simulator.run(u, timesteps=20, seed=2)
    quiet = dict(timesteps=20, noise=False, freeze=["sp"], callbacks=["ExcitatoryActivation", "EEConnectionCounts"])
    a, ra = Simulator.run(u, state=s, **quiet)
    # A plain dict with the same arrays (as the sorn package or a pickle would give) continues the same
    # way when nothing random is drawn.
    b, rb = Simulator.run(u, state={k: v.copy() for k, v in s.items()}, **quiet)
    assert np.array_equal(np.asarray(ra["ExcitatoryActivation"]), np.asarray(rb["ExcitatoryActivation"]))
    assert ra["EEConnectionCounts"] == rb["EEConnectionCounts"]
    assert np.abs(a["Wee"] - b["Wee"]).max() < 1e-5
    assert b.ne == 200 and b.steps == 20
    # Editing a returned state's arrays edits the network that continues.
    s["Wee"][s["Wee"] < 0.05] = 0.0
    kept = np.count_nonzero(s["Wee"])
    c, rc = Simulator.run(u, state=s, timesteps=1, callbacks=["EEConnectionCounts"])
    assert rc["EEConnectionCounts"][0] == kept < rb["EEConnectionCounts"][0]
    # Sizes come from the arrays: a plain 40-unit state.
    small, _ = Simulator.run(u, timesteps=5, ne=40, lambda_ee=5, lambda_ei=5)
    d, _ = Simulator.run(u, state=dict(small), timesteps=5, eta_stdp=0.01)
    assert d["Wee"].shape == (40, 40) and d.config["eta_stdp"] == 0.01


def test_bad_arguments_raise_python_errors():
    u = np.random.rand(10, 5)
    with pytest.raises(TypeError, match="inputs is required"):
        Simulator.run(timesteps=2)
    with pytest.raises(TypeError, match="timesteps is required"):
        Simulator.run(u)
    with pytest.raises(ValueError, match="at least 1"):
        Simulator.run(u, timesteps=0)
    with pytest.raises(ValueError, match="5 columns"):
        Simulator.run(u, timesteps=6)
    with pytest.raises(ValueError, match="2-D"):
        Simulator.run(np.random.rand(10), timesteps=1)
    with pytest.raises(ValueError, match="mismatch: 7 != 10"):
        Simulator.run(u, timesteps=2, nu=7)
    with pytest.raises(ValueError, match=r"\['WIE'\] not available"):
        Simulator.run(u, timesteps=2, callbacks=["WIE"])
    with pytest.raises(TypeError, match="Callbacks must be a list"):
        Simulator.run(u, timesteps=2, callbacks="WEE")
    with pytest.raises(ValueError, match="phase"):
        Simulator.run(u, timesteps=2, phase="foo")
    with pytest.raises(ValueError, match="training phase continues"):
        Trainer.run(u, timesteps=2)
    with pytest.raises(ValueError, match="not supported"):
        Simulator.run(u, timesteps=2, network_type_ee="Dense")
    # The core's own messages come through.
    with pytest.raises(ValueError, match="lambda_ee"):
        Simulator.run(u, timesteps=2, lambda_ee=201)
    with pytest.raises(ValueError, match="nu = 30 exceeds ne = 20"):
        Simulator.run(np.random.rand(30, 2), timesteps=2, ne=20)
    with pytest.raises(ValueError, match="NaN or infinite"):
        Simulator.run(np.full((10, 2), np.nan), timesteps=2)
    s, _ = Simulator.run(u, timesteps=2)
    with pytest.raises(ValueError, match="input has 9 values"):
        Simulator.run(np.random.rand(9, 2), state=s, timesteps=2)
    bad = dict(s)
    del bad["Ti"]
    with pytest.raises(ValueError, match="has no 'Ti'"):
        Simulator.run(u, state=bad, timesteps=2)
    bad = {**s, "Wie": s["Wie"][:-1]}
    with pytest.raises(ValueError, match=r"state\['Wie'\] has shape \(199, 40\)"):
        Simulator.run(u, state=bad, timesteps=2)
    bad = {**s, "Wee": s["Wee"].copy()}
    bad["Wee"][4, 4] = 0.3
    with pytest.raises(ValueError, match="cannot synapse onto itself"):
        Simulator.run(u, state=bad, timesteps=2)
    bad["Wee"][4, 4] = np.nan
    with pytest.raises(ValueError, match=r"Wee\[804\] = NaN is out of range"):
        Simulator.run(u, state=bad, timesteps=2)
    with pytest.raises(ValueError, match="snapshot"):
        SornState.from_bytes(b"not a snapshot")
    with pytest.raises(TypeError):
        Simulator.run(u, timesteps=2, ne="200")
    # Unknown keywords are ignored, as in the package (its test passes matrices=None).
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Simulator.run(u, timesteps=2, matrices=None, foo=1)


def test_config_objects():
    from neuroloop.sorn import Config

    cfg = Config(ne=100, eta_stdp=0.002, noise_sd=0.0, p_sp=0.0)
    assert (cfg.ni, cfg.nu, cfg.lambda_ee) == (20, 10, 20.0)
    assert cfg.check() is cfg
    s, _ = Simulator.run(np.random.rand(10, 5), timesteps=5, config=cfg, seed=1)
    assert s["Wee"].shape == (100, 100)
    c = s.config_object
    assert c.eta_stdp == 0.002 and c.noise_sd == 0.0 and c.ne == 100 and isinstance(c, Config)
    # Keywords override the object; a dict works as well.
    s, _ = Simulator.run(np.random.rand(10, 5), timesteps=5, config={"ne": 60, "eta_ip": 0.02}, eta_ip=0.03)
    assert s.ne == 60 and s.config["eta_ip"] == 0.03
    # Same config and seed, same network; the object round-trips through a dict.
    u = np.random.rand(10, 5)
    a, _ = Simulator.run(u, timesteps=5, config=cfg, seed=4, noise=False)
    b, _ = Simulator.run(u, timesteps=5, config=Config.from_dict(cfg.to_dict()), seed=4, noise=False)
    assert np.array_equal(a["Wee"], b["Wee"])
    with pytest.raises(TypeError, match="unknown SORN config field"):
        Config(nee=3)
    with pytest.raises(AttributeError):
        cfg.foo = 1
    with pytest.raises(ValueError, match="ni = 200 exceeds ne = 100"):
        Config(ne=100, ni=200).check()
    with pytest.raises(ValueError, match="would need"):
        Config(ne=65535, ni=65535, lambda_ee=32000.0, lambda_ei=32000.0, h_ip=0.1).check()
    with pytest.warns(UserWarning, match="config= ignored"):
        Simulator.run(np.random.rand(10, 2), state=s, timesteps=2, config=cfg)


def test_initializer_helpers_on_a_state():
    from neuroloop.sorn import Initializer

    s, _ = Simulator.run(np.random.rand(10, 5), timesteps=5, ne=40, lambda_ee=5, lambda_ei=5, seed=2)
    wee = s["Wee"]
    inc = Initializer.get_incoming_connection_dict(wee)
    out = Initializer.get_outgoing_connection_dict(wee)
    assert len(inc) == len(out) == 40
    assert sum(map(len, inc.values())) == sum(map(len, out.values())) == np.count_nonzero(wee)
    assert all(wee[p, 7] > 0 for p in inc[7])
    pairs = Initializer.inactive_synapses(wee)
    assert len(pairs) == 40 * 39 - np.count_nonzero(wee) and all(a != b for a, b in pairs)
    n = Initializer.normalize_weight_matrix(wee + 0.0)
    cols = n.sum(axis=0)
    assert np.allclose(cols[np.isfinite(cols)], 1.0)
    z = np.array([-1.0, 0.5, 2.0])
    assert list(Initializer.reset_max(Initializer.reset_min(z, 0.0), 1.0)) == [0.0, 0.5, 1.0]
    assert Initializer.white_gaussian_noise(0.0, 0.04, 7).shape == (7, 1)
    inp, idx = Initializer.generate_strong_inp(10, 200)
    assert len(inp) == 200 and all(inp[i] == 1e4 for i in idx) and sum(v != 0 for v in inp) == len(set(idx))
    one_hot, idxs = Initializer.multi_one_hot_inp(40, ["a", "b", "c"], 4)
    # Each label's 4 draws may repeat a unit (as in the package).
    assert one_hot.shape == (40, 3) and len(idxs) == 3
    assert all(one_hot[:, j].sum() == len(set(idxs[j])) and len(idxs[j]) == 4 for j in range(3))
    # A strong input drives its units (the package's use: inputs for Simulator.run).
    u = np.zeros((10, 1))
    u[:, 0] = inp[:10]
    _, rec = Simulator.run(u, state=s, timesteps=1, callbacks=["ExcitatoryActivation"])
    assert all(rec["ExcitatoryActivation"][0][i] == 1.0 for i in idx)


def test_initializer_weight_builders():
    from neuroloop.sorn import Initializer

    np.random.seed(0)
    ee = Initializer.generate_lambd_connections("EE", 50, 10, 8, 1)
    assert ee.shape == (50, 50) and not np.diag(ee).any() and ((ee >= 0) & (ee < 0.1)).all()
    assert 6 <= (ee > 0).sum(axis=0).mean() <= 8  # about lambda inputs per unit (truncated)
    ei = Initializer.generate_lambd_connections("EI", 50, 10, 20, 2)
    assert ei.shape == (10, 50) and 17 <= (ei > 0).sum(axis=1).mean() <= 20
    with pytest.raises(ValueError, match="'EE' or 'EI'"):
        Initializer.generate_lambd_connections("IE", 50, 10, 8, 1)
    w = ee.copy()
    w[:, [3, 4]] = 0.0
    fixed = Initializer.zero_sum_incoming_check(w)
    assert fixed is w and (w[:, [3, 4]].sum(axis=0) > 0).all() and (w[10:, [3, 4]] == 0).all()
    inp, idx = Initializer.generate_gaussian_inputs(10, 200)
    assert len(inp) == 200 and all(inp[i] != 0 for i in idx) and not any(inp[10:])


def test_weight_recordings_over_the_memory_budget_raise_memory_error(monkeypatch):
    # 200 steps of WEE are 64 MB of float64; the budget is checked before numpy allocates.
    monkeypatch.setenv("NEUROLOOP_MEMORY_BUDGET_MB", "10")
    with pytest.raises(MemoryError, match="recording WEE for 200 steps would need 64.0 MB"):
        Simulator.run(np.random.rand(10, 200), timesteps=200, callbacks=["WEE"], seed=1)
    # Both weight recordings count: WEE 6.4 MB + WEI 1.28 MB at 20 steps, against 7 MB.
    monkeypatch.setenv("NEUROLOOP_MEMORY_BUDGET_MB", "7")
    _, rec = Simulator.run(np.random.rand(10, 20), timesteps=20, callbacks=["WEE"], seed=1)
    assert len(rec["WEE"]) == 20
    with pytest.raises(MemoryError, match="recording WEE and WEI for 20 steps"):
        Simulator.run(np.random.rand(10, 20), timesteps=20, callbacks=["WEE", "WEI"], seed=1)
