#!/usr/bin/env python3
"""Make the committed nn4n fixtures: models built with nn4n's own mask builders (MultiArea,
MultiAreaEI), trained a few Adam steps, saved with nn4n's `model.save`, exported with
tools/nn4n_export.py, and replayed by nn4n itself.

For every fixture NAME it writes, into tests/fixtures/ (or OUT_DIR):

* NAME.model.json - the model file (`neuroloop-ctrnn`, spec section 11), exported from the
  checkpoint that nn4n's `model.save(path)` wrote;
* NAME_nn4n.json  - the parity fixture (spec section 12): the same weights, masks, and nn4n's own
  trajectories (`v`, rates, readout) for two runs of 30 steps, one from the model's initial
  state and one from a random `v0`.

Each fixture is made by the nn4n version it names (`nn4n111_*` by nn4n 1.1.1, the PyPI
release; `nn4n120_*` by nn4n 1.2.0, the git tag); the script makes the ones of the nn4n it runs
under and skips the others. Seeds are fixed: running it again writes the same bytes (with the
same nn4n and PyTorch); `--check` compares instead of writing.

    ~/venv-nn4n/bin/python tools/make_nn4n_fixtures.py            # nn4n 1.1.1 fixtures
    ~/venv-nn4n12/bin/python tools/make_nn4n_fixtures.py          # nn4n 1.2.0 fixtures
    ~/venv-nn4n/bin/python tools/make_nn4n_fixtures.py --check    # same bytes as committed?

Install: see tools/nn4n_export.py.
"""
import json
import os
import sys
import tempfile

sys.dont_write_bytecode = True  # no tools/__pycache__ in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn4n_export as ne  # noqa: E402

T = 30  # steps per run

# name: builder ("MultiArea" or "MultiAreaEI") and its kwargs, CTRNN kwargs (masks are added),
# Adam steps and learning rate, seed, and the nn4n API that makes it.
FIXTURES = {
    "nn4n111_ma3_relu": {
        "api": "1.1.1",
        "seed": 11,
        "builder": "MultiArea",
        "mask": {
            "dims": [3, 18, 2],
            "n_areas": 3,
            "area_connectivities": [0.4, 0.1, 0.9],
            "input_areas": [0],
            "readout_areas": [2],
        },
        "ctrnn": {"activation": "relu", "dt": 10, "tau": 100, "biases": "uniform"},
        "train": {"steps": 15, "lr": 0.02},
    },
    "nn4n111_maei2_tanh": {
        "api": "1.1.1",
        "seed": 12,
        "builder": "MultiAreaEI",
        "mask": {
            "dims": [2, 20, 1],
            "n_areas": 2,
            "area_connectivities": [0.5, 0.2, 0.8],
            "exc_pct": 0.8,
            "input_areas": [0],
            "readout_areas": [1],
        },
        "ctrnn": {"activation": "tanh", "dt": 10, "tau": 100, "biases": "uniform"},
        "train": {"steps": 10, "lr": 0.02},
    },
    "nn4n111_maei3_sigmoid": {
        "api": "1.1.1",
        "seed": 13,
        "builder": "MultiAreaEI",
        "mask": {
            "dims": [4, 20, 3],
            "n_areas": [8, 6, 6],
            "area_connectivities": [[0.7, 0.1, 0.0], [0.4, 0.8, 0.2], [0.0, 0.5, 0.9]],
            "exc_pct": 0.75,
            "inter_area_connections": [True, False, True, False],
            "inh_readout": False,
            "input_areas": [0, 1],
            "readout_areas": [1, 2],
        },
        "ctrnn": {"activation": "sigmoid", "dt": 5, "tau": 40, "weights": "normal", "biases": "normal"},
        "train": {"steps": 20, "lr": 0.01},
    },
    "nn4n111_maei2_relu_learned_v0": {
        "api": "1.1.1",
        "seed": 14,
        "builder": "MultiAreaEI",
        "mask": {
            "dims": [3, 16, 2],
            "n_areas": 2,
            "area_connectivities": [0.3, 0.3, 0.7],
            "exc_pct": 0.5,
        },
        "ctrnn": {"activation": "relu", "dt": 10, "tau": 50, "biases": "uniform", "init_state": "learn"},
        "train": {"steps": 12, "lr": 0.05},
    },
    "nn4n120_maei3_tanh_learned_alpha": {
        "api": "1.2.0",
        "seed": 21,
        "builder": "MultiAreaEI",
        "mask": {
            "dims": [2, 24, 2],
            "n_areas": 3,
            "area_connectivities": [0.3, 0.15, 0.8],
            "exc_pct": 0.75,
            "input_areas": [0],
            "readout_areas": [2],
        },
        "ctrnn": {"activation": "tanh", "dt": 10, "tau": 100, "biases": "uniform", "learn_alpha": True},
        # nn4n never clamps a learned alpha: at lr 0.02 one alpha turns negative within 10 steps
        # (a model neuroloop refuses unless --allow-any-alpha); 0.005 keeps them in (0, 1].
        "train": {"steps": 10, "lr": 0.005},
    },
    "nn4n120_ma2_retanh": {
        "api": "1.2.0",
        "seed": 22,
        "builder": "MultiArea",
        "mask": {
            "dims": [3, 12, 1],
            "n_areas": 2,
            "area_connectivities": [0.5, 0.2],
            "readout_areas": [1],
        },
        "ctrnn": {"activation": "retanh", "dt": 10, "tau": 100, "biases": "uniform"},
        "train": {"steps": 8, "lr": 0.02},
    },
}


def _call(name, kwargs):
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def build(spec):
    """The builder and the CTRNN, made by nn4n (numpy seed for the masks, torch seed for the
    weights)."""
    import numpy as np
    import torch
    from nn4n import mask as nmask
    from nn4n.model import CTRNN

    np.random.seed(spec["seed"])
    torch.manual_seed(spec["seed"])
    kw = dict(spec["mask"])
    if isinstance(kw.get("area_connectivities"), list) and isinstance(kw["area_connectivities"][0], list):
        kw["area_connectivities"] = np.array(kw["area_connectivities"])
    builder = getattr(nmask, spec["builder"])(**kw)
    masks = builder.get_masks()  # [from][to], as nn4n's constructor takes them
    sparsity = [(m != 0).astype(int) for m in masks]
    ckw = dict(spec["ctrnn"], dims=spec["mask"]["dims"], sparsity_masks=sparsity)
    if spec["builder"] == "MultiAreaEI":
        ckw["ei_masks"] = [None, masks[1], masks[2]]  # the input mask is 0/1: not a sign mask
    model = CTRNN(**ckw)
    return builder, model


def construction(spec, losses):
    masks = "sparsity_masks=[(m != 0).astype(int) for m in masks]"
    if spec["builder"] == "MultiAreaEI":
        masks += ", ei_masks=[None, masks[1], masks[2]]"
    t = spec["train"]
    return (
        f"np.random.seed({spec['seed']}); torch.manual_seed({spec['seed']}); "
        f"masks = {_call(spec['builder'], spec['mask'])}.get_masks(); "
        f"model = CTRNN({', '.join(f'{k}={v!r}' for k, v in spec['ctrnn'].items())}, "
        f"dims={spec['mask']['dims']!r}, {masks}); "
        f"{t['steps']} Adam steps (lr {t['lr']}) on a random regression target "
        f"(train_steps in tools/nn4n_export.py, MSE {losses[0]:.4f} -> {losses[-1]:.4f}), nn4n's "
        "_enforce_constraints(), eval(); model.save(path); exported with tools/nn4n_export.py"
    )


def make(name, spec):
    """(model file, parity fixture) of one fixture, as JSON text."""
    import numpy as np

    builder, model = build(spec)
    losses = ne.train_steps(model, spec["train"]["steps"], seed=spec["seed"] + 1000, lr=spec["train"]["lr"])
    dims = spec["mask"]["dims"]
    with tempfile.TemporaryDirectory() as tmp:
        ckpt = os.path.join(tmp, f"{name}.pth")
        model.save(ckpt)
        doc = ne.export_checkpoint(ckpt, areas=builder)
    live = ne.export(model, areas=builder)
    if json.dumps({**live, "meta": None}) != json.dumps({**doc, "meta": None}):
        raise SystemExit(f"{name}: export(model) and the export of its model.save checkpoint differ")
    if spec["builder"] == "MultiAreaEI":
        exc = {int(j) for a in builder.excitatory_neurons for j in a}
        if doc["neuron_sign"] != [1.0 if j in exc else -1.0 for j in range(dims[1])]:
            raise SystemExit(f"{name}: neuron_sign is not the builder's E/I assignment")
    rng = np.random.default_rng(spec["seed"])
    v0_model = doc.get("v0", [0.0] * dims[1])
    runs = [
        ("learned_init" if "v0" in doc else "zero_init", rng.uniform(-1, 1, (T, dims[0])), v0_model),
        ("random_init", rng.uniform(-1, 1, (T, dims[0])), rng.uniform(-1, 1, dims[1])),
    ]
    fixture = ne.parity_fixture(
        model, doc, runs, name, construction(spec, losses), "tools/make_nn4n_fixtures.py"
    )
    if fixture["verification"]["max_abs_diff_vs_nn4n"] > 1e-5:
        raise SystemExit(f"{name}: the float64 replay differs from nn4n by {fixture['verification']}")
    return json.dumps(doc) + "\n", json.dumps(fixture) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv[1:] if a != "--check"]
    out_dir = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures")
    api = "1.1.1" if _is_111() else "1.2.0"
    bad = 0
    for name, spec in FIXTURES.items():
        if spec["api"] != api:
            print(f"{name}: skipped (made by nn4n {spec['api']}; this is nn4n {ne.nn4n_version()})")
            continue
        model_text, fixture_text = make(name, spec)
        for fname, text in ((f"{name}.model.json", model_text), (f"{name}_nn4n.json", fixture_text)):
            path = os.path.join(out_dir, fname)
            if check:
                same = os.path.exists(path) and open(path).read() == text
                bad += not same
                print(f"{fname}: {'same' if same else 'DIFFERS'}")
            else:
                with open(path, "w") as f:
                    f.write(text)
                print(f"{fname}: {len(text)} bytes")
    return 1 if bad else 0


def _is_111():
    """True under nn4n 1.1.1's API (its recurrent layer keeps `hidden_state`)."""
    import inspect

    from nn4n.layer import RecurrentLayer

    return "hidden_state" in inspect.getsource(RecurrentLayer.__init__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
