"""neuroloop.ctrnn: parity with nn4n on the committed fixtures (as tests/nn4n_fixtures.rs replays
them), model files, arrays, live nn4n models, seeded noise and errors."""
import json
import os
import pathlib
import pickle
import subprocess

import numpy as np
import pytest

from neuroloop.ctrnn import CTRNN

TOL = 1e-5
HERE = pathlib.Path(__file__).resolve().parent


def parity_fixtures(fixtures):
    names = sorted(p.name for p in fixtures.glob("*_nn4n.json"))
    assert len(names) >= 7, names
    return names


def from_fixture(d):
    masks = None
    if d["masks"]:
        names = ("sparsity_in", "sparsity_rec", "sparsity_out", "ei_in", "ei_rec", "ei_out")
        masks = {k: d["masks"][k + "_to_from"] for k in names if d["masks"].get(k + "_to_from") is not None}
    return CTRNN.from_arrays(d["w_in_to_from"], d["w_rec_to_from"], d["w_out_to_from"], d["b_in"], d["b_rec"],
                             d["b_out"], alpha=d["alpha"], activation=d["activation"], masks=masks,
                             neuron_sign=(d["masks"] or {}).get("neuron_sign"))


def test_every_parity_fixture_within_tolerance(fixtures):
    for name in parity_fixtures(fixtures):
        d = json.loads((fixtures / name).read_text())
        net = from_fixture(d)
        assert net.dims == (d["dims"]["input"], d["dims"]["hidden"], d["dims"]["output"])
        # All runs of the fixture in one batch when they have the same length.
        for run in d["runs"]:
            x = np.asarray(run["input"], dtype=np.float32)[None]
            y, r, v = net.trajectory(x, v0=np.asarray(run["v0"], dtype=np.float32))
            assert y.shape == (1, len(run["input"]), d["dims"]["output"])
            assert np.abs(y[0] - np.asarray(run["output"])).max() <= TOL, name
            assert np.abs(r[0] - np.asarray(run["hidden_fr"])).max() <= TOL, name
            if run.get("hidden_v") is not None:
                assert np.abs(v[0] - np.asarray(run["hidden_v"])).max() <= TOL, name


def test_every_exported_model_file_runs_like_nn4n(fixtures):
    models = sorted(fixtures.glob("*.model.json"))
    assert len(models) >= 6
    for path in models:
        net = CTRNN.load(path)
        d = json.loads((fixtures / path.name.replace(".model.json", "_nn4n.json")).read_text())
        runs = d["runs"]
        # A batch of every run (same T), each from its own v0.
        x = np.stack([np.asarray(r["input"], dtype=np.float32) for r in runs])
        v0 = np.stack([np.asarray(r["v0"], dtype=np.float32) for r in runs])
        y, h = net.forward(x, v0=v0)
        assert y.shape == (len(runs), x.shape[1], net.dims[2]) and h.shape == (len(runs), x.shape[1], net.dims[1])
        for b, r in enumerate(runs):
            assert np.abs(y[b] - np.asarray(r["output"])).max() <= TOL, path.name
            assert np.abs(h[b] - np.asarray(r["hidden_fr"])).max() <= TOL, path.name


def test_model_file_round_trip_and_pickle(fixtures, tmp_path):
    net = CTRNN.load(fixtures / "nn4n111_maei2_tanh.model.json")
    p = tmp_path / "m.json"
    net.save(p)
    again = CTRNN.load(p)
    x = np.random.RandomState(1).uniform(-1, 1, (3, 20, net.dims[0]))
    assert np.array_equal(net.forward(x)[0], again.forward(x)[0])
    assert np.array_equal(net.forward(x)[1], pickle.loads(pickle.dumps(net)).forward(x)[1])
    # (time, input) is one sample.
    y1, _ = net.forward(x[0])
    assert np.array_equal(y1, net.forward(x)[0][0])


def test_from_arrays_matches_the_update_rule():
    rng = np.random.RandomState(2)
    h, i, o = 8, 2, 3
    w_in, w_rec, w_out = rng.randn(h, i), rng.randn(h, h) / 3, rng.randn(o, h)
    b_rec = rng.randn(h) / 10
    net = CTRNN.from_arrays(w_in, w_rec, w_out, b_rec=b_rec, alpha=0.2, activation="tanh")
    x = rng.uniform(-1, 1, (2, 15, i)).astype(np.float32)
    y, r = net.forward(x)
    # float64 reference of spec section 3 (the same as tools/nn4n_export.py's reference_forward).
    v = np.zeros((2, h))
    for t in range(15):
        v = 0.8 * v + 0.2 * (np.tanh(v) @ w_rec.T + b_rec + x[:, t] @ w_in.T)
        assert np.abs(np.tanh(v) - r[:, t]).max() < 1e-5
        assert np.abs(np.tanh(v) @ w_out.T - y[:, t]).max() < 1e-5


def test_noise_needs_a_seed_and_is_reproducible(fixtures):
    net = CTRNN.load(fixtures / "nn4n111_maei2_tanh.model.json")
    x = np.zeros((2, 30, net.dims[0]), dtype=np.float32)
    clean = net.forward(x)[1]
    assert np.array_equal(clean, net.forward(x)[1])
    net.set_noise(0.1, 0.05)
    assert net.noise == pytest.approx((0.1, 0.05))
    assert np.array_equal(clean, net.forward(x)[1]), "no seed, no noise"
    a, b, c = net.forward(x, seed=3)[1], net.forward(x, seed=3)[1], net.forward(x, seed=4)[1]
    assert np.array_equal(a, b) and not np.array_equal(a, c) and not np.array_equal(a, clean)


def test_bad_input_is_an_error(fixtures, tmp_path):
    net = CTRNN.load(fixtures / "nn4n111_maei2_tanh.model.json")
    i, h, _ = net.dims
    with pytest.raises(ValueError, match=f"the model has {i} inputs"):
        net.forward(np.zeros((1, 5, i + 1)))
    with pytest.raises(ValueError, match="v0 has shape"):
        net.forward(np.zeros((2, 5, i)), v0=np.zeros((3, h)))
    with pytest.raises(ValueError, match="NaN|finite"):
        net.forward(np.full((1, 2, i), np.nan))
    with pytest.raises(ValueError, match="batch, time, input"):
        net.forward(np.zeros(3))
    with pytest.raises(ValueError):
        net.set_noise(-1.0, 0.0)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "neuroloop-ctrnn", "version": 1}')
    with pytest.raises(ValueError, match="bad.json"):
        CTRNN.load(bad)
    with pytest.raises(ValueError, match="w_rec must be square"):
        CTRNN.from_arrays(np.zeros((3, 2)), np.zeros((3, 4)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="activation|unknown"):
        CTRNN.from_arrays(np.zeros((3, 2)), np.zeros((3, 3)), np.zeros((1, 3)), activation="gelu")
    with pytest.raises(ValueError, match="alpha"):
        CTRNN.from_arrays(np.zeros((3, 2)), np.zeros((3, 3)), np.zeros((1, 3)), alpha=1.5)


def test_tools_nn4n_export_runs_the_bundled_exporter():
    # tools/nn4n_export.py is a launcher of the file the package ships: one exporter.
    import importlib.util

    repo = HERE.parents[1]
    spec = importlib.util.spec_from_file_location("nn4n_export_tool", repo / "tools" / "nn4n_export.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    from neuroloop import _nn4n_export

    assert tool.export.__code__.co_code == _nn4n_export.export.__code__.co_code
    assert tool.main.__code__.co_code == _nn4n_export.main.__code__.co_code


# Pythons with nn4n and PyTorch, ':'-separated; by default the venv of benches/compare/run.sh.
NN4N_VENVS = [p for p in os.environ.get("NEUROLOOP_NN4N_PYTHONS",
                                        str(HERE.parents[1] / "benches/compare/.venv/bin/python")).split(":") if p]


@pytest.mark.parametrize("python", NN4N_VENVS)
def test_live_nn4n_models_convert_and_match(python):
    # nn4n needs torch, too heavy for this suite's venv: run in an nn4n venv, with this package
    # importable from where it is installed here.
    if not os.path.exists(python):
        pytest.skip(f"no nn4n venv at {python} (set NEUROLOOP_NN4N_PYTHONS)")
    import neuroloop

    site = str(pathlib.Path(neuroloop.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": site}
    out = subprocess.run([python, str(HERE / "nn4n_live.py")], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout)
    assert res["shape"] == [4, 25, 2]
    assert set(res["worst"]) == {"relu", "tanh", "sigmoid", "retanh"}
    assert max(res["worst"].values()) <= TOL, res
