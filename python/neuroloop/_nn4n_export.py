#!/usr/bin/env python3
"""Export an nn4n CTRNN to a neuroloop model file (`neuroloop-ctrnn`, version 1).

This file is the exporter: the Python package ships it (`neuroloop.ctrnn.CTRNN.from_nn4n`)
and `tools/nn4n_export.py` runs it from a checkout without installing the package.

One-line install (PyTorch and nn4n 1.1.1 from PyPI, in a venv outside the repository):

    python3 -m venv ~/venv-nn4n && ~/venv-nn4n/bin/pip install torch nn4n numpy

Usage:

    ~/venv-nn4n/bin/python tools/nn4n_export.py CHECKPOINT.pth MODEL.json   # written by model.save(path)
    ~/venv-nn4n/bin/python tools/nn4n_export.py --allow-non-dale CHECKPOINT.pth MODEL.json
    ~/venv-nn4n/bin/python tools/nn4n_export.py --self-test OUT_DIR           # round trip (tests)

From Python, a live model (no checkpoint needed):

    sys.path.insert(0, "tools"); import nn4n_export
    nn4n_export.write_model(nn4n_export.export(model), "model.json")

Both nn4n APIs are read: 1.1.1 (PyPI; time-major forward, `alpha` a Python float, the
initial state `recurrent_layer.hidden_state` learnable with `init_state="learn"`) and 1.2.0
(git tag; batch-major forward, `alpha` a tensor, learnable with `learn_alpha=True`). A
checkpoint written by either loads under either (the state dict is translated).

What it does (shared/spec/ctrnn.md section 11.3): rebuilds the model from the checkpoint's
kwargs (as nn4n's own `load` does, but trusted checkpoints are read with `weights_only=False`,
since PyTorch >= 2.6 refuses the numpy arrays nn4n stores there), reads every layer's
`sparsity_mask` and `ei_mask` (already `[to][from]` and converted), enforces the constraints on
a copy of the weights (nn4n only enforces them before training-mode forward passes, so the last
optimiser step may have left violations; the count is printed), checks Dale's law (every
presynaptic column of the recurrent sign mask, and the readout's, has one sign; `neuron_sign`
is written from it), reads the state dict (`[to][from]`, no transposition), takes alpha from
the live model (a non-learnable alpha is not in the state dict), and writes each float32 as
the decimal of its exact double value.

`--allow-non-dale` exports a sign mask that is not Dale's law (columns of mixed sign) as
`masks.ei_rec` without `neuron_sign`.

`--self-test OUT_DIR` builds a small E/I CTRNN with nn4n's own MultiAreaEI builder (Dale's
law: one sign per presynaptic neuron), trains it a few Adam steps, saves it with nn4n's
`model.save` (OUT_DIR/model.pth), exports that checkpoint to OUT_DIR/model.json and writes
OUT_DIR/fixture.json (the parity-fixture format, spec section 12) with nn4n's own
trajectories, which `neuroloop ctrnn check` must replay within 1e-5.
"""
import json
import math
import sys

ACTIVATIONS = ("relu", "tanh", "sigmoid", "retanh")
WEIGHT_KEYS = {
    "w_in": "recurrent_layer.input_layer.weight",
    "b_in": "recurrent_layer.input_layer.bias",
    "w_rec": "recurrent_layer.hidden_layer.weight",
    "b_rec": "recurrent_layer.hidden_layer.bias",
    "w_out": "readout_layer.weight",
    "b_out": "readout_layer.bias",
}
ALPHA_KEY = "recurrent_layer.alpha"  # nn4n 1.2.0 with learn_alpha=True
HIDDEN_STATE_KEY = "recurrent_layer.hidden_state"  # nn4n 1.1.1 (always saved)
LAYERS = (("in", "input_layer"), ("rec", "hidden_layer"), ("out", "readout_layer"))
NN4N_FORMS = "nn4n 1.1.1 (PyPI) or 1.2.0 (git tag v1.2.0)"


class ExportError(Exception):
    """A model or checkpoint the exporter cannot turn into a valid model file."""


def nn4n_version():
    """The installed nn4n's version ("unknown" when its metadata is missing)."""
    try:
        from importlib.metadata import version

        return version("nn4n")
    except Exception:  # noqa: BLE001 - metadata is optional
        return "unknown"


def api_of(model):
    """Which nn4n API a live CTRNN has: "1.1.1" (time-major, `hidden_state`) or "1.2.0"."""
    rl = _attr(model, "recurrent_layer", "the model")
    return "1.1.1" if hasattr(rl, "init_state") else "1.2.0"


def _attr(obj, name, what):
    if not hasattr(obj, name):
        raise ExportError(
            f"{what} ({type(obj).__module__}.{type(obj).__name__}) has no attribute {name!r}: "
            f"not an nn4n CTRNN of {NN4N_FORMS} (nn4n 1.2.1's nn4n.nn modules are not supported)"
        )
    return getattr(obj, name)


def _layer(model, name):
    owner = model if name == "readout_layer" else _attr(model, "recurrent_layer", "the model")
    layer = _attr(owner, name, "readout_layer's owner" if name == "readout_layer" else "model.recurrent_layer")
    for a in ("weight", "bias"):
        _attr(layer, a, f"layer {name}")
    return layer


def _np32(t):
    """A tensor, array or number as a float32 numpy array (a copy)."""
    import numpy as np

    if hasattr(t, "detach"):
        t = t.detach().cpu().double().numpy()
    return np.array(t, dtype=np.float64).astype(np.float32)


def _exact(a):
    """A float32 array as nested lists of the exact double values."""
    return a.astype("float64").tolist()


def _check_finite(field, a):
    import numpy as np

    bad = np.argwhere(~np.isfinite(a))
    if len(bad):
        idx = "".join(f"[{int(k)}]" for k in bad[0])
        raise ExportError(f"{field}{idx} = {a[tuple(bad[0])]} is not a finite float32")


def _mask(layer, attr, field, shape):
    """A layer's mask as float32 `[to][from]`, checked: 0/1 for sparsity, +-1 for signs."""
    import numpy as np

    m = getattr(layer, attr, None)
    if m is None:
        return None
    m = _np32(m)
    if m.shape != shape:
        raise ExportError(f"{field}: the layer's {attr} has shape {m.shape}, its weight {shape}")
    allowed = (0.0, 1.0) if attr == "sparsity_mask" else (-1.0, 1.0)
    bad = np.argwhere(~np.isin(m, allowed))
    if len(bad):
        r, c = (int(x) for x in bad[0])
        raise ExportError(
            f"{field}[{r}][{c}] = {m[r, c]}: entries must be {' or '.join(str(int(x)) for x in allowed)} "
            f"(nn4n's constructor converts its masks; was the layer's {attr} replaced by hand?)"
        )
    return m


def _enforce(w, sp, ei):
    """nn4n's enforcement (prune, then clamp by sign) on a copy; returns (w, changed)."""
    import numpy as np

    out = w.copy()
    if sp is not None:
        out = np.where(sp != 0, out, np.float32(0.0)).astype(np.float32)
    if ei is not None:
        out = np.where(ei > 0, np.maximum(out, np.float32(0.0)), np.minimum(out, np.float32(0.0))).astype(np.float32)
    return out, int(np.count_nonzero(out != w))


def _dale_hint(ei, sp):
    import numpy as np

    live = np.ones_like(ei, dtype=bool) if sp is None else sp != 0
    rows_uniform = all(len(set(ei[i][live[i]].tolist())) <= 1 for i in range(ei.shape[0]))
    if rows_uniform:
        return (
            " The mask's ROWS (postsynaptic) have one sign each: it looks transposed. nn4n's "
            "constructor takes ei_masks as [from][to] (rows presynaptic), which is what the "
            "builders' get_masks() return; a square mask given [to][from] is not detected by nn4n."
        )
    if sp is None:
        return (
            " nn4n maps 0 in a sign mask to -1 (inhibitory), so a builder's zeros become inhibitory "
            "synapses unless the synapses are also pruned: pass sparsity_masks=[(m != 0).astype(int) "
            "for m in mask.get_masks()] too."
        )
    return ""


def neuron_signs(masks, h):
    """Dale's law from the sign masks: +1/-1 per presynaptic neuron, or None without `ei_rec`.

    Every synapse that is not pruned must carry its neuron's sign, in `ei_rec` (column j) and in
    `ei_out` (column j); otherwise an ExportError names the neuron and the two entries.
    """
    import numpy as np

    ei, sp = masks.get("ei_rec"), masks.get("sparsity_rec")
    if ei is None:
        return None
    live = np.ones(ei.shape, dtype=bool) if sp is None else sp != 0
    pos, neg = (ei > 0) & live, (ei < 0) & live
    mixed = np.flatnonzero(pos.any(axis=0) & neg.any(axis=0))
    if len(mixed):
        j = int(mixed[0])
        ip, ineg = int(np.flatnonzero(pos[:, j])[0]), int(np.flatnonzero(neg[:, j])[0])
        raise ExportError(
            f"the recurrent sign mask breaks Dale's law at presynaptic neuron {j}: "
            f"masks.ei_rec[{ip}][{j}] = +1 (synapse {j} -> {ip} excitatory) but "
            f"masks.ei_rec[{ineg}][{j}] = -1 (synapse {j} -> {ineg} inhibitory); "
            f"{int(pos[:, j].sum())} excitatory and {int(neg[:, j].sum())} inhibitory synapses leave "
            f"neuron {j}, and {len(mixed)} neuron(s) are mixed in all ([to][from] orientation, "
            "column = presynaptic)." + _dale_hint(ei, sp)
            + " Use --allow-non-dale (export(..., dale=False)) to export the mask without neuron_sign."
        )
    # +1, -1, or 0 for a neuron without any unpruned recurrent synapse.
    signs = np.where(pos.any(axis=0), 1.0, np.where(neg.any(axis=0), -1.0, 0.0))
    eo, so = masks.get("ei_out"), masks.get("sparsity_out")
    if eo is not None:
        out_live = np.ones(eo.shape, dtype=bool) if so is None else so != 0
        for j in np.flatnonzero(out_live.any(axis=0)):
            rows = np.flatnonzero(out_live[:, j])
            if signs[j] == 0:
                signs[j] = 1.0 if eo[rows[0], j] > 0 else -1.0
            wrong = [int(o) for o in rows if (eo[o, j] > 0) != (signs[j] > 0)]
            if wrong:
                o = wrong[0]
                raise ExportError(
                    f"the readout sign mask breaks Dale's law at neuron {j}: its recurrent synapses "
                    f"are {'excitatory' if signs[j] > 0 else 'inhibitory'} but masks.ei_out[{o}][{j}] = "
                    f"{int(eo[o, j]):+d}. Use --allow-non-dale (export(..., dale=False)) to export "
                    "the masks without neuron_sign."
                )
    # A neuron without any unpruned outgoing synapse: its sign constrains nothing.
    return [1.0 if s == 0 else float(s) for s in signs]


def _alpha(model, h, override=None):
    import numpy as np

    a = override if override is not None else getattr(model.recurrent_layer, "alpha", None)
    if a is None:
        raise ExportError("model.recurrent_layer has no alpha")
    a = _np32(a).reshape(-1)
    if a.size == 1:
        a = np.full(h, a[0], dtype=np.float32)
    if a.size != h:
        raise ExportError(f"alpha has {a.size} values, the hidden layer {h} neurons")
    _check_finite("alpha", a)
    return a


def _kwargs(model):
    k = getattr(model, "kwargs_checkpoint", None)
    return dict(k) if isinstance(k, dict) else {}


def _plain(x):
    """A kwargs value as JSON (numbers, lists)."""
    if hasattr(x, "tolist"):
        return x.tolist()
    return x if isinstance(x, (int, float, str, bool, type(None))) else str(x)


def export(model, dale=True, v0=None, alpha=None, areas=None, stats=None):
    """The model file (spec section 11) of a live nn4n CTRNN (nn4n 1.1.1 or 1.2.0), as a dict.

    The model is not changed: its constraints are enforced on copies of the weights.
    `dale=False` accepts a sign mask that is not Dale's law (then no `neuron_sign`).
    `v0` and `alpha` override the initial pre-activation and alpha (used when a checkpoint of
    the other nn4n version is loaded). `areas`, a MultiArea/MultiAreaEI builder, fills the
    descriptive `areas` block. `stats`, a dict, receives `enforced` (weights changed) and
    `warnings` (e.g. a learned alpha outside (0, 1], which nn4n does not clamp).
    """
    import numpy as np
    import torch

    if not isinstance(model, torch.nn.Module):
        raise ExportError(f"the model ({type(model).__name__}) is not a torch.nn.Module, not an nn4n CTRNN")
    api = api_of(model)
    rl = model.recurrent_layer
    layers = {short: _layer(model, name) for short, name in LAYERS}
    sd = model.state_dict()
    missing = [k for k in WEIGHT_KEYS.values() if k not in sd]
    if missing:
        raise ExportError(f"the state dict has no key {missing[0]!r} (it has: {', '.join(sd)})")
    w = {field: _np32(sd[key]) for field, key in WEIGHT_KEYS.items()}
    if w["w_rec"].ndim != 2 or w["w_in"].ndim != 2 or w["w_out"].ndim != 2:
        raise ExportError("the weights of nn4n's layers must be matrices")
    h, i = w["w_rec"].shape[0], w["w_in"].shape[1]
    o = w["w_out"].shape[0]
    shapes = {"w_in": (h, i), "w_rec": (h, h), "w_out": (o, h), "b_in": (h,), "b_rec": (h,), "b_out": (o,)}
    for field, shape in shapes.items():
        if w[field].shape != shape:
            raise ExportError(f"{WEIGHT_KEYS[field]} has shape {tuple(w[field].shape)}, expected {shape}")
        _check_finite(field, w[field])

    act = getattr(rl, "act", None)
    if act not in ACTIVATIONS:
        raise ExportError(f"activation {act!r} (model.recurrent_layer.act) is not one of {', '.join(ACTIVATIONS)}")

    masks = {}
    for short, _ in LAYERS:
        shape = shapes["w_" + short]
        for attr, prefix in (("sparsity_mask", "sparsity_"), ("ei_mask", "ei_")):
            m = _mask(layers[short], attr, f"masks.{prefix}{short}", shape)
            if m is not None:
                masks[prefix + short] = m
    enforced = 0
    for short, _ in LAYERS:
        w["w_" + short], n = _enforce(w["w_" + short], masks.get("sparsity_" + short), masks.get("ei_" + short))
        enforced += n
    if stats is not None:
        stats["enforced"] = enforced
    signs = neuron_signs(masks, h) if dale else None

    a = _alpha(model, h, alpha)
    bad = np.flatnonzero(~((a > 0) & (a <= 1)))
    if len(bad) and stats is not None:
        k = int(bad[0])
        stats["warnings"] = stats.get("warnings", []) + [
            f"alpha[{k}] = {float(a[k])!r} ({len(bad)} value(s) outside (0, 1]; nn4n does not clamp a learned "
            "alpha): neuroloop refuses this model unless run with --allow-any-alpha"
        ]
    if v0 is None and api == "1.1.1":
        init = getattr(rl, "init_state", "zero")
        if init == "learn":
            v0 = sd.get(HIDDEN_STATE_KEY, rl.hidden_state)
        elif init == "keep":
            raise ExportError(
                "init_state='keep' (nn4n 1.1.1) carries the last state from one forward call to the "
                "next: there is no fixed initial state to export; rebuild with init_state='zero' or 'learn'"
            )
    kw = _kwargs(model)
    out = {
        "format": "neuroloop-ctrnn",
        "version": 1,
        "activation": act,
        "alpha": _exact(a),
        "w_in": _exact(w["w_in"]),
        "b_in": _exact(w["b_in"]),
        "w_rec": _exact(w["w_rec"]),
        "b_rec": _exact(w["b_rec"]),
        "w_out": _exact(w["w_out"]),
        "b_out": _exact(w["b_out"]),
    }
    if v0 is not None:
        v = _np32(v0).reshape(-1)
        if v.size != h:
            raise ExportError(f"the initial state has {v.size} values, the hidden layer {h} neurons")
        _check_finite("v0", v)
        out["v0"] = _exact(v)
    # The constructor's levels: eval() sets the recurrent layer's to 0 (and nn4n 1.2.0 never
    # copies them there before train()).
    noise = {}
    for key, attr in (("preact", "preact_noise"), ("postact", "postact_noise")):
        x = getattr(model, attr, None)
        if x is None:
            x = kw.get(attr, getattr(rl, attr, 0.0))
        x = float(x or 0.0)
        if not math.isfinite(x) or x < 0:
            raise ExportError(f"{attr} = {x}: must be a finite number >= 0")
        noise[key] = x
    out["noise_std"] = noise
    if signs is not None:
        out["neuron_sign"] = signs
    if masks:
        out["masks"] = {k: _exact(masks[k]) for k in sorted(masks, key=_mask_order)}
    if areas is not None:
        out["areas"] = areas_block(areas, h)
    meta = {
        "source": f"nn4n {nn4n_version()}",
        "nn4n": nn4n_version(),
        "nn4n_api": api,
        "torch": torch.__version__,
        "dt": _plain(kw.get("dt", 10)),
        "tau": _plain(kw.get("tau", 100)),
        "exporter": "tools/nn4n_export.py",
    }
    if api == "1.1.1":
        meta["init_state"] = getattr(rl, "init_state", "zero")
    out["meta"] = meta
    return out


def _mask_order(key):
    return ["sparsity_in", "sparsity_rec", "sparsity_out", "ei_in", "ei_rec", "ei_out"].index(key)


def areas_block(builder, h):
    """The descriptive `areas` block of a MultiArea/MultiAreaEI builder."""
    import numpy as np

    nodes = _attr(builder, "node_assigment", "the area builder")  # sic: nn4n's spelling
    area_of = [-1] * h
    for a, idx in enumerate(nodes):
        for n in np.asarray(idx).tolist():
            area_of[int(n)] = a
    conn = np.asarray(_attr(builder, "area_connectivities", "the area builder"), dtype=np.float64)
    return {"area_of_neuron": area_of, "connectivity_to_from": conn.tolist()}


def _torch_load(path):
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except TypeError:  # PyTorch < 1.13 has no weights_only
        return torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise ExportError(f"{path}: no such file") from None
    except Exception as e:  # noqa: BLE001 - a damaged or foreign file
        raise ExportError(f"{path}: not a PyTorch checkpoint ({type(e).__name__}: {e})") from None


def load_checkpoint(path):
    """Rebuilds the CTRNN a `model.save(path)` wrote (nn4n 1.1.1 or 1.2.0) with the installed nn4n.

    Returns (model, overrides) where overrides holds `v0`/`alpha` that the installed version
    cannot carry itself (a 1.1.1 learned initial state under 1.2.0, a 1.2.0 learned alpha under
    1.1.1), to pass to `export`, and `written_by`, the API of the nn4n that wrote the file
    ("1.1.1" when the state dict has `recurrent_layer.hidden_state`, else "1.2.0").
    """
    import torch

    ckpt = _torch_load(path)
    if isinstance(ckpt, torch.nn.Module):  # torch.save(model): the pickled model itself
        return ckpt, {}
    if not isinstance(ckpt, dict):
        raise ExportError(f"{path}: holds a {type(ckpt).__name__}, not an nn4n checkpoint (model.save(path))")
    for key in ("model_state_dict", "kwargs"):
        if key not in ckpt:
            if any(str(k).startswith("recurrent_layer.") for k in ckpt):
                raise ExportError(
                    f"{path}: a bare state dict (torch.save(model.state_dict())), without the key {key!r}: "
                    "the constructor's kwargs (masks, activation, dt, tau) are not in it; save with "
                    "nn4n's model.save(path) instead"
                )
            raise ExportError(
                f"{path}: missing key {key!r}: not a checkpoint of nn4n's model.save(path) "
                f"(it has: {', '.join(map(str, ckpt)) or 'nothing'})"
            )
    sd = dict(ckpt["model_state_dict"])
    kwargs = dict(ckpt["kwargs"])
    kwargs["suppress_warnings"] = True
    act = kwargs.get("activation", "relu")
    if act not in ACTIVATIONS:
        raise ExportError(f"{path}: activation {act!r} in the checkpoint's kwargs is not one of {', '.join(ACTIVATIONS)}")
    from nn4n.model import CTRNN

    with torch.random.fork_rng(devices=[]):
        import numpy as np

        state = np.random.get_state()
        try:
            model = CTRNN(**kwargs)
        except Exception as e:  # noqa: BLE001 - nn4n's own messages are asserts and ValueErrors
            raise ExportError(
                f"{path}: nn4n {nn4n_version()} cannot rebuild the model from the checkpoint's kwargs "
                f"({type(e).__name__}: {e})"
            ) from None
        finally:
            np.random.set_state(state)
    api = api_of(model)
    overrides = {"written_by": "1.1.1" if HIDDEN_STATE_KEY in sd else "1.2.0"}
    if api == "1.2.0" and HIDDEN_STATE_KEY in sd:  # written by 1.1.1
        hs = sd.pop(HIDDEN_STATE_KEY)
        if kwargs.get("init_state", "zero") == "learn":
            overrides["v0"] = hs
        elif kwargs.get("init_state") == "keep":
            raise ExportError(f"{path}: init_state='keep' (nn4n 1.1.1) has no fixed initial state to export")
    if api == "1.1.1":
        if ALPHA_KEY in sd:  # written by 1.2.0 with learn_alpha=True
            overrides["alpha"] = sd.pop(ALPHA_KEY)
        if HIDDEN_STATE_KEY not in sd:  # written by 1.2.0
            sd[HIDDEN_STATE_KEY] = model.recurrent_layer.hidden_state.detach().clone()
    try:
        res = model.load_state_dict(sd, strict=False)
    except RuntimeError as e:
        raise ExportError(f"{path}: the state dict does not fit the rebuilt model: {e}") from None
    if res.missing_keys:
        raise ExportError(f"{path}: the state dict has no key {res.missing_keys[0]!r} (missing: {res.missing_keys})")
    if res.unexpected_keys:
        raise ExportError(
            f"{path}: unknown key {res.unexpected_keys[0]!r} in the state dict: a layer or attribute "
            f"nn4n {nn4n_version()}'s CTRNN does not have (unexpected: {res.unexpected_keys})"
        )
    model.eval()
    return model, overrides


def export_checkpoint(path, dale=True, stats=None, areas=None):
    """The model file of a checkpoint written by nn4n's `model.save(path)` (see `export`)."""
    model, overrides = load_checkpoint(path)
    written_by = overrides.pop("written_by", None)
    doc = export(model, dale=dale, stats=stats, areas=areas, **overrides)
    doc["meta"]["checkpoint_api"] = written_by
    return doc


def write_model(doc, path):
    """Writes a model file (each float32 as the decimal of its exact double value)."""
    with open(path, "w") as f:
        json.dump(doc, f)
        f.write("\n")


# Parity fixtures (spec section 12) ---------------------------------------------------------


def nn4n_trajectory(model, inputs, v0):
    """nn4n's own trajectory of one batch-1 run: (hidden_v, hidden_fr, output), float32 numpy.

    Steps nn4n's `recurrent_layer._recurrence` (its update, both versions) from `v0`, reads out
    with `readout_layer`, and checks that the model's own forward gives the same rates and
    outputs where it can start from `v0` (1.2.0's `init_state`, 1.1.1's zero or learned state).
    """
    import numpy as np
    import torch

    rl = model.recurrent_layer
    x = torch.as_tensor(np.asarray(inputs, dtype=np.float32))  # (T, I)
    v = torch.as_tensor(np.asarray(v0, dtype=np.float32))
    hv, frs = [], []
    with torch.no_grad():
        fr = rl.activation(v)
        for t in range(x.shape[0]):
            fr, v = rl._recurrence(fr, v, x[t : t + 1])
            hv.append(v.reshape(-1).numpy().copy())
            frs.append(fr)
        # Read out all steps at once, as nn4n's forward does (the kernel's summation order
        # depends on the batch shape).
        stacked = torch.stack(frs, dim=0)  # (T, 1, H)
        y = model.readout_layer(stacked.float())
        hv, hr, ys = np.array(hv), stacked[:, 0].numpy().copy(), y[:, 0].numpy().copy()
        full = None
        if api_of(model) == "1.2.0":
            full = model(x[None], init_state=torch.as_tensor(np.asarray(v0, dtype=np.float32))[None])
            y_full, fr_full = full[0][0], full[1]["h"][0]
        else:
            start = rl._reset_state().detach().numpy()
            if np.array_equal(start, np.asarray(v0, dtype=np.float32)):
                full = model(x[:, None])
                y_full, fr_full = full[0][:, 0], full[1][0][:, 0]
        if full is not None:
            d = max(np.abs(fr_full.numpy() - hr).max(), np.abs(y_full.numpy() - ys).max())
            if d > 1e-6:
                raise ExportError(f"nn4n's forward and its stepped recurrence differ by {d}")
            hr, ys = fr_full.numpy().copy(), y_full.numpy().copy()  # what nn4n's forward returns
    return hv, hr, ys


def reference_forward(doc, inputs, v0):
    """A float64 re-implementation of spec section 3 reading only the model file."""
    import numpy as np

    act = {
        "relu": lambda z: np.maximum(z, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
        "retanh": lambda z: np.maximum(np.tanh(z), 0.0),
    }[doc["activation"]]
    g = {k: np.array(doc[k], dtype=np.float64) for k in ("alpha", "w_in", "b_in", "w_rec", "b_rec", "w_out", "b_out")}
    v = np.array(v0, dtype=np.float64)
    r = act(v)
    hv, hr, ys = [], [], []
    for u in np.asarray(inputs, dtype=np.float64):
        v = (1 - g["alpha"]) * v + g["alpha"] * ((g["w_rec"] @ r + g["b_rec"]) + (g["w_in"] @ u + g["b_in"]))
        r = act(v)
        hv.append(v)
        hr.append(r)
        ys.append(g["w_out"] @ r + g["b_out"])
    return np.array(hv), np.array(hr), np.array(ys)


def parity_fixture(model, doc, runs, name, construction, generator):
    """The parity fixture (spec section 12) of `model`/`doc` for `runs` [(run name, inputs, v0)]."""
    import numpy as np
    import torch

    h = len(doc["b_rec"])
    dims = {"input": len(doc["w_in"][0]), "hidden": h, "output": len(doc["b_out"])}
    out_runs, worst = [], 0.0
    for run_name, inputs, v0 in runs:
        inputs = np.asarray(inputs, dtype=np.float32)
        v0 = np.asarray(v0, dtype=np.float32)
        hv, hr, ys = nn4n_trajectory(model, inputs, v0)
        rv, rr, ry = reference_forward(doc, inputs, v0)
        worst = max(worst, float(np.abs(rv - hv).max()), float(np.abs(rr - hr).max()), float(np.abs(ry - ys).max()))
        fr0 = model.recurrent_layer.activation(torch.as_tensor(v0)).numpy()
        out_runs.append(
            {
                "name": run_name,
                "input": _exact(inputs),
                "v0": _exact(v0),
                "fr0": _exact(fr0),
                "hidden_v": _exact(hv),
                "hidden_fr": _exact(hr),
                "output": _exact(ys),
                "stats": {
                    "fr_min": float(hr.min()),
                    "fr_max": float(hr.max()),
                    "fraction_nonzero_fr": float(np.count_nonzero(hr) / hr.size),
                },
            }
        )
    meta = doc["meta"]
    masks = None
    if "masks" in doc:
        m = doc["masks"]
        masks = {
            "orientation": "[to][from], as the model file; as nn4n's layers hold them (sparsity_mask, ei_mask)",
            "sparsity_in_to_from": m.get("sparsity_in"),
            "sparsity_rec_to_from": m.get("sparsity_rec"),
            "sparsity_out_to_from": m.get("sparsity_out"),
            "ei_in_to_from": m.get("ei_in"),
            "ei_rec_to_from": m.get("ei_rec"),
            "ei_out_to_from": m.get("ei_out"),
            "neuron_sign": doc.get("neuron_sign"),
            "excitatory_neurons": None,
            "inhibitory_neurons": None,
            "area_of_neuron": None,
            "area_connectivity_to_from": None,
            "constraint_rule": "w = w * [sparsity != 0]; then w = max(w, 0) where ei = +1 and min(w, 0) where ei = -1 "
            "(nn4n's enforce_constraints; already applied to the weights in this file)",
        }
        if doc.get("neuron_sign") is not None:
            masks["excitatory_neurons"] = [j for j, s in enumerate(doc["neuron_sign"]) if s > 0]
            masks["inhibitory_neurons"] = [j for j, s in enumerate(doc["neuron_sign"]) if s < 0]
        if "areas" in doc:
            masks["area_of_neuron"] = doc["areas"]["area_of_neuron"]
            masks["area_connectivity_to_from"] = doc["areas"]["connectivity_to_from"]
    return {
        "name": name,
        "generator": generator,
        "nn4n_api": meta["nn4n_api"],
        "nn4n_version": meta["nn4n"],
        "torch_version": meta["torch"],
        "construction": construction,
        "dtype_in_nn4n": "float32",
        "batch": 1,
        "T": len(runs[0][1]),
        "dims": dims,
        "activation": doc["activation"],
        "dt": meta["dt"],
        "tau": meta["tau"],
        "alpha": doc["alpha"],
        "alpha_note": "alpha = float32 of nn4n's recurrent_layer.alpha per hidden neuron; use these values directly",
        "update_rule": "v[t] = (1 - alpha) * v[t-1] + alpha * (w_rec_to_from @ fr[t-1] + b_rec + w_in_to_from @ "
        "input[t] + b_in);  fr[t] = act(v[t]);  output[t] = w_out_to_from @ fr[t] + b_out;  v[-1] = v0, "
        "fr[-1] = act(v0); alpha and the products are element-wise per hidden neuron",
        "orientation": "all w_*_to_from matrices are [to][from] (PyTorch nn.Linear weight layout): element [i][j] "
        "is the synapse from unit j onto unit i; y = W @ x + b",
        "noise": {"preact_noise": 0.0, "postact_noise": 0.0},
        "training_noise": doc["noise_std"],
        "state_dict_keys": {v: k for k, v in WEIGHT_KEYS.items()},
        "w_in_to_from": doc["w_in"],
        "b_in": doc["b_in"],
        "w_rec_to_from": doc["w_rec"],
        "b_rec": doc["b_rec"],
        "w_out_to_from": doc["w_out"],
        "b_out": doc["b_out"],
        "masks": masks,
        "runs": out_runs,
        "verification": {
            "method": "plain numpy float64 re-implementation reading only the exported model file "
            "(reference_forward in tools/nn4n_export.py) vs nn4n's float32 trajectory",
            "max_abs_diff_vs_nn4n": worst,
            "tolerance": 1e-5,
        },
    }


def train_steps(model, steps, seed, lr=0.01, batch=4, t=20):
    """`steps` Adam steps of nn4n's model on a random regression target (weights leave their
    initial values); ends with nn4n's own constraint enforcement and eval()."""
    import torch

    g = torch.Generator().manual_seed(seed)
    dims = (model.recurrent_layer.input_layer.weight.shape[1], model.readout_layer.weight.shape[0])
    x = torch.rand(batch, t, dims[0], generator=g) * 2 - 1
    target = torch.rand(batch, t, dims[1], generator=g) * 2 - 1
    time_major = api_of(model) == "1.1.1"
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    losses = []
    for _ in range(steps):
        model.train()  # nn4n's train(): constraints are enforced at the start of the forward
        opt.zero_grad()
        y, _ = model(x.transpose(0, 1) if time_major else x)
        if time_major:
            y = y.transpose(0, 1)
        loss = torch.mean((y - target) ** 2)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    # The last optimiser step may have broken the masks; nn4n fixes that at the next
    # training-mode forward. Do it now, with nn4n's own method, so nn4n's eval-mode trajectory
    # and the exported (enforced) model agree.
    model._enforce_constraints()
    model.eval()
    return losses


def self_test(out_dir):
    """Builds a small masked E/I CTRNN with nn4n's MultiAreaEI builder, trains it a few Adam
    steps, saves it with model.save, exports the checkpoint, and writes nn4n's trajectories."""
    import os

    import numpy as np
    import torch
    from nn4n.mask import MultiAreaEI
    from nn4n.model import CTRNN

    np.random.seed(0)
    torch.manual_seed(0)
    dims = [3, 12, 2]
    builder = MultiAreaEI(dims=dims, n_areas=2, area_connectivities=[0.5, 0.3, 0.8], exc_pct=0.75)
    masks = builder.get_masks()  # [from][to], what nn4n's constructor takes; hidden/readout +-1/0
    sparsity = [(m != 0).astype(int) for m in masks]
    model = CTRNN(
        dims=dims,
        activation="tanh",
        tau=100,
        dt=10,
        biases="uniform",
        ei_masks=[None, masks[1], masks[2]],
        sparsity_masks=sparsity,
    )
    train_steps(model, 5, seed=1)
    os.makedirs(out_dir, exist_ok=True)
    ckpt = os.path.join(out_dir, "model.pth")
    model.save(ckpt)
    doc = export_checkpoint(ckpt)
    live = export(model)
    if json.dumps({**live, "meta": None}) != json.dumps({**doc, "meta": None}):
        raise ExportError("export(model) and the export of its model.save checkpoint differ")
    exc = [int(j) for a in builder.excitatory_neurons for j in a]
    if doc["neuron_sign"] != [1.0 if j in exc else -1.0 for j in range(dims[1])]:
        raise ExportError(f"neuron_sign {doc['neuron_sign']} is not the builder's E/I assignment")
    write_model(doc, os.path.join(out_dir, "model.json"))
    rng = np.random.default_rng(0)
    runs = [
        ("zero_init", rng.uniform(-1, 1, (40, dims[0])), np.zeros(dims[1])),
        ("random_init", rng.uniform(-1, 1, (40, dims[0])), rng.uniform(-1, 1, dims[1])),
    ]
    fixture = parity_fixture(
        model, doc, runs, "nn4n_export_self_test", "MultiAreaEI(dims=[3,12,2], n_areas=2, exc_pct=0.75), 5 Adam steps",
        "tools/nn4n_export.py --self-test",
    )
    with open(os.path.join(out_dir, "fixture.json"), "w") as f:
        json.dump(fixture, f)
    if fixture["verification"]["max_abs_diff_vs_nn4n"] > 1e-5:
        raise ExportError(f"self-test: float64 replay differs from nn4n by {fixture['verification']['max_abs_diff_vs_nn4n']}")


def main(argv):
    args = argv[1:]
    dale = True
    if "--allow-non-dale" in args:
        args.remove("--allow-non-dale")
        dale = False
    try:
        if len(args) == 2 and args[0] == "--self-test":
            self_test(args[1])
            return 0
        if len(args) != 2 or args[0].startswith("-") or args[1].startswith("-"):
            print(__doc__, file=sys.stderr)
            return 2
        stats = {}
        doc = export_checkpoint(args[0], dale=dale, stats=stats)
        write_model(doc, args[1])
    except ExportError as e:
        print(f"nn4n_export: error: {e}", file=sys.stderr)
        return 1
    except ImportError as e:
        print(f"nn4n_export: error: {e} (install: see the top of {__file__})", file=sys.stderr)
        return 1
    for w in stats.get("warnings", []):
        print(f"nn4n_export: warning: {w}", file=sys.stderr)
    h = len(doc["b_rec"])
    print(
        f"{args[1]}: {doc['activation']} CTRNN, I={len(doc['w_in'][0])} H={h} O={len(doc['b_out'])}, "
        f"nn4n {doc['meta']['nn4n']} (API {doc['meta']['nn4n_api']}); masks: "
        f"{', '.join(doc.get('masks', {})) or 'none'}; {stats['enforced']} weight(s) changed by enforcing the "
        "constraints (nn4n enforces them only before training-mode forwards)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
