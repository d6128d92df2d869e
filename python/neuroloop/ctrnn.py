"""CTRNN models with nn4n parity over the Rust core.

    from neuroloop.ctrnn import CTRNN
    net = CTRNN.load("model.json")                    # the neuroloop-ctrnn model file
    net = CTRNN.from_nn4n(nn4n_model)                 # a live nn4n CTRNN (1.1.1 or 1.2.0)
    net = CTRNN.from_arrays(w_in=..., w_rec=..., w_out=..., alpha=0.1, activation="tanh")
    outputs, hidden = net.forward(x)                  # x (batch, time, input)

Weights are ``[to][from]`` (PyTorch's ``nn.Linear`` layout). Every step is the core's
``Ctrnn::step`` in float32; the committed nn4n fixtures replay within 1e-5.
"""
import json

import numpy as np

from . import _neuroloop

__all__ = ["CTRNN"]


def _native(name, doc):
    """A read-only attribute of the native model."""
    return property(lambda self: getattr(self._m, name), doc=doc)


def _rows(name, a, shape=None):
    a = np.asarray(a, dtype=np.float32)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D [to][from], not of shape {a.shape}")
    if shape is not None and a.shape != shape:
        raise ValueError(f"{name} has shape {a.shape}; expected {shape}")
    return a.astype(np.float64).tolist()


def _vec(name, a, n):
    a = np.asarray(a, dtype=np.float32).reshape(-1) if np.ndim(a) else np.full(n, a, dtype=np.float32)
    if a.shape != (n,):
        raise ValueError(f"{name} has {a.shape[0]} values; expected {n}")
    return a.astype(np.float64).tolist()


class CTRNN:
    """A CTRNN model (wraps the host's model file type)."""

    def __init__(self, native):
        if not isinstance(native, _neuroloop.CtrnnModel):
            raise TypeError("use CTRNN.load, CTRNN.from_json, CTRNN.from_arrays or CTRNN.from_nn4n")
        self._m = native

    @classmethod
    def from_json(cls, text, clamp_on_load=False, allow_any_alpha=False):
        """A model from a model file's text (every field checked; errors name the field)."""
        return cls(_neuroloop.CtrnnModel.from_json(text, clamp_on_load, allow_any_alpha))

    @classmethod
    def load(cls, path, clamp_on_load=False, allow_any_alpha=False):
        """Reads a model file (``neuroloop ctrnn`` and ``tools/nn4n_export.py`` write them)."""
        with open(path) as f:
            text = f.read()
        try:
            return cls.from_json(text, clamp_on_load, allow_any_alpha)
        except ValueError as e:
            raise ValueError(f"{path}: {e}") from None

    @classmethod
    def from_arrays(cls, w_in, w_rec, w_out, b_in=None, b_rec=None, b_out=None, alpha=0.1, activation="relu",
                    v0=None, noise=(0.0, 0.0), neuron_sign=None, masks=None):
        """A model from numpy arrays: ``w_in`` (H, I), ``w_rec`` (H, H), ``w_out`` (O, H); biases default
        to zero; ``alpha`` (= dt/tau) a scalar or (H,); ``masks`` a dict with any of ``sparsity_in``,
        ``sparsity_rec``, ``sparsity_out``, ``ei_in``, ``ei_rec``, ``ei_out`` (each ``[to][from]``)."""
        w_rec_a = np.asarray(w_rec)
        if w_rec_a.ndim != 2 or w_rec_a.shape[0] != w_rec_a.shape[1]:
            raise ValueError(f"w_rec must be square (H, H), not of shape {w_rec_a.shape}")
        h = w_rec_a.shape[0]
        i = np.shape(w_in)[1] if np.ndim(w_in) == 2 else -1
        o = np.shape(w_out)[0] if np.ndim(w_out) == 2 else -1
        doc = {
            "format": "neuroloop-ctrnn",
            "version": 1,
            "activation": activation,
            "alpha": _vec("alpha", alpha, h),
            "w_in": _rows("w_in", w_in, (h, i)),
            "b_in": _vec("b_in", 0.0 if b_in is None else b_in, h),
            "w_rec": _rows("w_rec", w_rec, (h, h)),
            "b_rec": _vec("b_rec", 0.0 if b_rec is None else b_rec, h),
            "w_out": _rows("w_out", w_out, (o, h)),
            "b_out": _vec("b_out", 0.0 if b_out is None else b_out, o),
            "v0": _vec("v0", 0.0 if v0 is None else v0, h),
            "noise_std": {"preact": float(noise[0]), "postact": float(noise[1])},
        }
        if neuron_sign is not None:
            doc["neuron_sign"] = _vec("neuron_sign", neuron_sign, h)
        if masks:
            doc["masks"] = {k: _rows(k, v) for k, v in masks.items()}
        return cls.from_json(json.dumps(doc))

    @classmethod
    def from_nn4n(cls, model, dale=True):
        """Converts a live nn4n CTRNN (1.1.1 or 1.2.0) with ``tools/nn4n_export.py``'s ``export``
        (constraints enforced on copies of the weights, Dale's law checked unless ``dale=False``)."""
        from . import _nn4n_export

        doc = _nn4n_export.export(model, dale=dale)
        # nn4n does not clamp learned alphas; neither does the converted model.
        return cls.from_json(json.dumps(doc), allow_any_alpha=True)

    def to_json(self):
        """The model file's text."""
        return self._m.to_json()

    def save(self, path):
        """Writes the model file (``neuroloop ctrnn run`` and the board tools read it)."""
        with open(path, "w") as f:
            f.write(self.to_json())

    def to_dict(self):
        """The model file as a dict."""
        return json.loads(self.to_json())

    dims = _native("dims", "``(inputs, hidden, outputs)``.")
    activation = _native("activation", "The activation function's name.")
    v0 = _native("v0", "The initial pre-activation (H,), float32.")
    noise = _native("noise", "Noise standard deviations ``(pre, post)`` (applied only when ``forward`` gets a seed).")

    def set_noise(self, pre, post):
        """Sets the noise standard deviations."""
        self._m.set_noise(float(pre), float(post))

    def _run(self, inputs, v0, seed):
        x = np.asarray(inputs, dtype=np.float32)
        single = x.ndim == 2
        if single:
            x = x[None]
        if x.ndim != 3:
            raise ValueError(f"inputs must be (batch, time, input) or (time, input), not of shape {x.shape}")
        h = self.dims[1]
        v = self._m.v0 if v0 is None else np.asarray(v0, dtype=np.float32)
        v = np.ascontiguousarray(v.reshape(1, h) if v.ndim == 1 else v, dtype=np.float32)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
        y, r, pre = self._m.forward(np.ascontiguousarray(x), v, None if seed is None else int(seed))
        return (y[0], r[0], pre[0]) if single else (y, r, pre)

    def forward(self, inputs, v0=None, seed=None):
        """Runs ``inputs`` (batch, time, input) from ``v0`` (the model's, or (H,) or (batch, H)); returns
        ``(outputs (batch, time, output), hidden (batch, time, H))``, hidden being the rates
        ``r = phi(v)`` that nn4n returns. Noise-free unless ``seed`` is given: then pre- and
        post-activation noise at the model's levels, from the core's generator seeded by it. A
        (time, input) array is one sample (results without the batch axis)."""
        y, r, _ = self._run(inputs, v0, seed)
        return y, r

    __call__ = forward

    def trajectory(self, inputs, v0=None, seed=None):
        """As ``forward``, plus the pre-activations: ``(outputs, rates, v)``."""
        return self._run(inputs, v0, seed)

    def __reduce__(self):
        return (CTRNN.from_json, (self.to_json(), False, True))

    def __repr__(self):
        i, h, o = self.dims
        return f"CTRNN(inputs={i}, hidden={h}, outputs={o}, activation={self.activation!r})"
