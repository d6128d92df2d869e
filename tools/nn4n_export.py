#!/usr/bin/env python3
"""Export an nn4n CTRNN to a neuroloop model file (`neuroloop-ctrnn`, version 1).

One-line install (CPU PyTorch and nn4n in a venv):

    python3 -m venv .venv-nn4n && .venv-nn4n/bin/pip install torch nn4n numpy

Usage:

    .venv-nn4n/bin/python tools/nn4n_export.py CHECKPOINT.pth MODEL.json   # a saved nn4n model
    .venv-nn4n/bin/python tools/nn4n_export.py --self-test OUT_DIR           # round trip (tests)

What it does (shared/spec/ctrnn.md section 11.3): rebuilds the model, enforces its constraints
once (nn4n only enforces them before training-mode forward passes, so the last optimiser step
may have left violations), reads the state dict (`[to][from]`, no transposition), takes alpha
from the live model (a non-learnable alpha is not in the state dict), reads every layer's
`sparsity_mask` and `ei_mask` (already `[to][from]` and converted), and writes each float32 as
the decimal of its exact double value.

`--self-test OUT_DIR` builds a small E/I CTRNN, exports it to OUT_DIR/model.json and writes
OUT_DIR/fixture.json (the parity-fixture format) with nn4n's own trajectory, which
`neuroloop ctrnn check` must replay within 1e-5.
"""
import json
import sys


def _f32_list(t):
    return [float(x) for x in t.detach().cpu().float().reshape(-1).tolist()]


def _matrix(t):
    t = t.detach().cpu().float()
    return [[float(x) for x in row] for row in t.tolist()]


def _layers(model):
    rl = model.recurrent_layer
    return {"in": rl.input_layer, "rec": rl.hidden_layer, "out": model.readout_layer}


def _enforce(layer):
    import torch

    if hasattr(layer, "enforce_constraints"):
        layer.enforce_constraints()
        return
    with torch.no_grad():
        w = layer.weight
        sp = getattr(layer, "sparsity_mask", None)
        if sp is not None:
            w.mul_((sp != 0).to(w.dtype))
        ei = getattr(layer, "ei_mask", None)
        if ei is not None:
            w.copy_(torch.where(ei > 0, w.clamp(min=0), w.clamp(max=0)))


def export(model, dt=None, tau=None):
    """The model file of a live nn4n CTRNN, as a dict."""
    import torch

    layers = _layers(model)
    for layer in layers.values():
        _enforce(layer)
    sd = model.state_dict()
    h = sd["recurrent_layer.hidden_layer.weight"].shape[0]
    alpha = getattr(model.recurrent_layer, "alpha", None)
    if torch.is_tensor(alpha):
        alpha = _f32_list(alpha.reshape(-1).expand(h) if alpha.numel() == 1 else alpha)
    else:
        a = float(torch.tensor(alpha if alpha is not None else dt / tau, dtype=torch.float32))
        alpha = [a] * h
    out = {
        "format": "neuroloop-ctrnn",
        "version": 1,
        "activation": getattr(model.recurrent_layer, "activation_name", None) or getattr(model, "activation", "relu"),
        "alpha": alpha,
        "w_in": _matrix(sd["recurrent_layer.input_layer.weight"]),
        "w_rec": _matrix(sd["recurrent_layer.hidden_layer.weight"]),
        "b_rec": _f32_list(sd.get("recurrent_layer.hidden_layer.bias", torch.zeros(h))),
        "w_out": _matrix(sd["readout_layer.weight"]),
        "b_out": _f32_list(sd.get("readout_layer.bias", torch.zeros(sd["readout_layer.weight"].shape[0]))),
        "noise_std": {
            "preact": float(getattr(model.recurrent_layer, "preact_noise", 0.0) or 0.0),
            "postact": float(getattr(model.recurrent_layer, "postact_noise", 0.0) or 0.0),
        },
    }
    if "recurrent_layer.input_layer.bias" in sd:
        out["b_in"] = _f32_list(sd["recurrent_layer.input_layer.bias"])
    if "recurrent_layer.hidden_state" in sd:  # nn4n 1.1.1: the learnable initial pre-activation
        out["v0"] = _f32_list(sd["recurrent_layer.hidden_state"])
    masks = {}
    for name, layer in layers.items():
        sp = getattr(layer, "sparsity_mask", None)
        ei = getattr(layer, "ei_mask", None)
        if sp is not None:
            masks["sparsity_" + name] = [[1.0 if x != 0 else 0.0 for x in row] for row in _matrix(sp)]
        if ei is not None:
            masks["ei_" + name] = [[1.0 if x > 0 else -1.0 for x in row] for row in _matrix(ei)]
    if masks:
        out["masks"] = masks
    if "ei_rec" in masks:
        sp = masks.get("sparsity_rec")
        signs = []
        for j in range(h):
            col = [masks["ei_rec"][i][j] for i in range(h) if sp is None or sp[i][j] != 0]
            signs.append(col[0] if col else -1.0)
        out["neuron_sign"] = signs
    meta = {"source": "nn4n", "torch": torch.__version__}
    try:
        import nn4n

        meta["nn4n"] = getattr(nn4n, "__version__", "unknown")
    except ImportError:
        pass
    if dt is not None:
        meta["dt"], meta["tau"] = dt, tau
    out["meta"] = meta
    return out


def self_test(out_dir):
    """Builds a small masked E/I CTRNN with nn4n, exports it, and writes nn4n's trajectory."""
    import os

    import torch
    from nn4n.model import CTRNN

    torch.manual_seed(0)
    dims = [3, 12, 2]
    ei = torch.ones(12, 12)
    ei[:, 9:] = -1  # [from][to] for nn4n's constructor: rows are presynaptic; 9..11 inhibitory
    model = CTRNN(dims=dims, activation="tanh", tau=100, dt=10, ei_masks=[None, ei, None], biases="uniform")
    model.eval()
    doc = export(model, dt=10, tau=100)
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(doc, f)
    x = torch.rand(1, 40, 3)
    with torch.no_grad():
        res = model(x)
    y, states = (res if isinstance(res, tuple) else (res, None))
    hidden = states[0] if isinstance(states, (list, tuple)) else states
    fixture = {
        "name": "nn4n_export_self_test",
        "activation": doc["activation"],
        "alpha": doc["alpha"],
        "noise": {"preact_noise": 0.0, "postact_noise": 0.0},
        "w_in_to_from": doc["w_in"],
        "b_in": doc.get("b_in"),
        "w_rec_to_from": doc["w_rec"],
        "b_rec": doc["b_rec"],
        "w_out_to_from": doc["w_out"],
        "b_out": doc["b_out"],
        "masks": None,
        "runs": [
            {
                "name": "zero_init",
                "input": _matrix(x[0]),
                "v0": [0.0] * dims[1],
                "hidden_fr": _matrix(hidden.reshape(40, dims[1])),
                "hidden_v": None,
                "output": _matrix(y.reshape(40, dims[2])),
            }
        ],
    }
    with open(os.path.join(out_dir, "fixture.json"), "w") as f:
        json.dump(fixture, f)


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        self_test(argv[2])
        return 0
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    import torch

    from nn4n.model import CTRNN

    model = CTRNN.load(argv[1]) if hasattr(CTRNN, "load") else torch.load(argv[1], weights_only=False)
    model.eval()
    with open(argv[2], "w") as f:
        json.dump(export(model), f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
