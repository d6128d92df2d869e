"""``Simulator`` and ``Trainer``: the ``sorn`` 0.7.4 entry points over the Rust core.

Arguments, keywords, return keys, shapes, dtypes and orientations are the package's
(``/work/notes/sorn_api.md`` holds the measurements). What differs, deliberately:

- A returned state carries its network (sizes, rates, random stream): passing it back
  continues the run exactly, and no keyword leaks from one call into the next (spec oddity #4).
  Size and structure keywords given with a state are ignored with a warning (the package
  crashes on them); rate keywords given with a state apply to that continuation.
- ``seed=`` makes a fresh network reproducible; without it the seed is drawn from numpy's
  global generator, so ``np.random.seed(k)`` also makes runs repeatable.
- Bad arguments raise ``ValueError``/``TypeError`` with the core's message instead of the
  package's AssertionError/IndexError.
- A plain state dict (the sorn package's, or built by hand) is imported: sizes from its arrays,
  the other parameters from the keywords (package defaults otherwise), a fresh random stream
  (``seed=``). A neuroloop state whose arrays were edited continues from the edited arrays.
- No progress bar, no ``sorn.log``, no change to the root logger.
"""
import json
import warnings

import numpy as np

from .. import _neuroloop

__all__ = ["Simulator", "Trainer", "SornState", "Config", "Simulator_", "Trainer_", "PARAMETERS", "CALLBACKS"]

#: The 17 keywords the package's ``run`` reads (any other keyword is ignored, as there).
PARAMETERS = (
    "ne", "nu", "network_type_ee", "network_type_ei", "network_type_ie", "lambda_ee", "lambda_ei",
    "lambda_ie", "eta_stdp", "eta_inhib", "eta_ip", "te_max", "ti_max", "ti_min", "te_min", "mu_ip",
    "sigma_ip",
)
#: Keywords that fix a network's structure: only used when a fresh network is built.
STRUCTURE = ("ne", "nu", "network_type_ee", "network_type_ei", "network_type_ie", "lambda_ee", "lambda_ei",
             "lambda_ie", "ti_max", "ti_min", "sigma_ip")
#: Keywords a continuing network may change.
RATES = ("eta_stdp", "eta_inhib", "eta_ip", "mu_ip", "te_min", "te_max")
#: The package's callback names, in its order.
CALLBACKS = (
    "ExcitatoryActivation", "InhibitoryActivation", "RecurrentActivation", "WEE", "WEI", "TE", "TI",
    "EIConnectionCounts", "EEConnectionCounts",
)
#: The plasticity rules in the order a step applies them.
RULES = ("stdp", "ip", "sp", "istdp", "ss")
_STATE_KEYS = ("Wee", "Wei", "Wie", "Te", "Ti", "X", "Y")
_NETWORK_TYPES = {"network_type_ee": "Sparse", "network_type_ei": "Sparse", "network_type_ie": "Dense"}


class Config:
    """A SORN configuration as an object: every field of the core's ``Config`` (the package's 17
    parameters under its names, plus what the package hard-codes: ``noise_sd``, ``p_sp``,
    ``w_sp``, ``w_max``, ``h_ip``, ``ni``, ...), package defaults for the rest.

        cfg = Config(ne=400, eta_stdp=0.002)       # ni follows ne (floor(0.2 ne)) unless given
        state, rec = Simulator.run(u, timesteps=100, config=cfg)

    ``check()`` validates it as building a network would; keywords given to ``run`` override it,
    and ``nu`` always comes from the inputs' row count.
    """

    _DEFAULT = json.loads(_neuroloop.sorn_default_config())

    def __init__(self, **fields):
        unknown = sorted(set(fields) - set(self._DEFAULT))
        if unknown:
            raise TypeError(f"unknown SORN config field(s) {unknown}; fields are {', '.join(self._DEFAULT)}")
        d = json.loads(json.dumps(self._DEFAULT))
        d.update(fields)
        if "ne" in fields and "ni" not in fields:
            d["ni"] = int(0.2 * int(fields["ne"]))
        object.__setattr__(self, "_d", d)

    def __getattr__(self, name):
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        if name not in self._d:
            raise AttributeError(f"no SORN config field {name!r}")
        self._d[name] = value

    def to_dict(self):
        """The fields as a dict (JSON-ready)."""
        return json.loads(json.dumps(self._d))

    @classmethod
    def from_dict(cls, d):
        return cls(**d)

    def check(self):
        """Validates (the core's rules and the memory budget); returns self."""
        _neuroloop.sorn_check_config(json.dumps(self._d))
        return self

    def __eq__(self, other):
        return isinstance(other, Config) and self._d == other._d

    def __repr__(self):
        changed = {k: v for k, v in self._d.items() if self._DEFAULT.get(k) != v}
        return f"Config({', '.join(f'{k}={v!r}' for k, v in changed.items())})"


class SornState(dict):
    """The package's state dict (``Wee``, ``Wei``, ``Wie``, ``Te``, ``Ti``, ``X``, ``Y``; float64)
    that also carries the network it was read from, so passing it back continues exactly.

    ``save(path)`` writes the CLI's snapshot file (``neuroloop sorn run --load`` reads it);
    ``SornState.load(path)`` reads one (also those ``neuroloop sorn run --save`` wrote).
    """

    def __init__(self, network):
        if not isinstance(network, _neuroloop.SornNetwork):
            raise TypeError("SornState wraps a neuroloop SornNetwork")
        super().__init__(network.state())
        self._network = network

    @property
    def network(self):
        """A copy of the network this state holds."""
        return self._network.copy()

    ne = property(lambda self: self._network.ne, doc="Excitatory units.")
    ni = property(lambda self: self._network.ni, doc="Inhibitory units.")
    nu = property(lambda self: self._network.nu, doc="Input channels.")
    steps = property(lambda self: self._network.steps, doc="Steps since the network was built.")
    seed = property(lambda self: self._network.seed, doc="The seed the network was built from.")

    @property
    def config(self):
        """The network's full configuration (a dict of the core's ``Config`` fields)."""
        return json.loads(self._network.config_json())

    @property
    def config_object(self):
        """The network's configuration as a ``Config``."""
        return Config(**self.config)

    def save(self, path):
        """Writes the state as the CLI's snapshot file."""
        self._current_network().save(str(path))

    @classmethod
    def load(cls, path):
        """Reads a snapshot file."""
        return cls(_neuroloop.SornNetwork.load(str(path)))

    def to_bytes(self):
        """The snapshot file's bytes."""
        return self._current_network().to_bytes()

    @classmethod
    def from_bytes(cls, data):
        """A state from a snapshot file's bytes."""
        return cls(_neuroloop.SornNetwork.from_bytes(bytes(data)))

    def __reduce__(self):
        return (SornState.from_bytes, (self.to_bytes(),))

    def _current_network(self):
        """The network as the dict's arrays now say: the carried one, or, when arrays were
        edited after the run returned them, a copy with the edited arrays imported."""
        fresh = self._network.state()
        net = self._network.copy()
        if any(not np.array_equal(np.asarray(self.get(k)), fresh[k]) for k in _STATE_KEYS):
            _import(net, self)
        return net

    def __repr__(self):
        return f"SornState(ne={self.ne}, ni={self.ni}, nu={self.nu}, steps={self.steps})"


def _array(state, key, ndim):
    if key not in state:
        raise ValueError(f"the state has no {key!r} (a state has {', '.join(_STATE_KEYS)})")
    a = np.asarray(state[key])
    if a.dtype == object or not np.issubdtype(a.dtype, np.number) or a.ndim != ndim:
        raise ValueError(f"state[{key!r}] must be a {ndim}-D numeric array, not {a.dtype} of shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float32)


def _import(net, state):
    """Imports the package's arrays of `state` into `net` (the core checks every value)."""
    a = {k: _array(state, k, 2) for k in _STATE_KEYS}
    ne, ni = net.ne, net.ni
    want = {"Wee": (ne, ne), "Wei": (ni, ne), "Wie": (ne, ni), "Te": (ne, 1), "Ti": (ni, 1), "X": (ne, 2),
            "Y": (ni, 2)}
    for k, shape in want.items():
        if a[k].shape != shape:
            raise ValueError(f"state[{k!r}] has shape {a[k].shape}; a network of ne={ne}, ni={ni} needs {shape}")
    net.import_state(a["Wee"], a["Wei"], a["Wie"], a["Te"], a["Ti"], a["X"], a["Y"])


def _network_of(state, params, nu_rows, seed):
    if isinstance(state, SornState):
        return state._current_network(), False
    if not isinstance(state, dict):
        raise TypeError(f"state must be a state dict returned by run, or None, not {type(state).__name__}")
    # A plain dict: sizes from its arrays, the rest as for a fresh network.
    wee, wei = _array(state, "Wee", 2), _array(state, "Wei", 2)
    ne, ni = wee.shape[0], wei.shape[0]
    if wee.shape != (ne, ne) or wei.shape[1:] != (ne,) or ni < 1:
        raise ValueError(f"state['Wee'] must be (ne, ne) and state['Wei'] (ni, ne), not {wee.shape} and {wei.shape}")
    cfg = _config({k: v for k, v in params.items() if k not in STRUCTURE}, nu_rows)
    # Capacity for the given synapses (lambda only sizes the lists of an imported network).
    cfg.update(ne=int(ne), ni=int(ni), lambda_ee=max(1.0, np.count_nonzero(wee) / ne),
               lambda_ei=min(float(ne), max(1.0, np.count_nonzero(wei) / ni)))
    net = _neuroloop.SornNetwork(json.dumps(cfg), _seed(seed))
    _import(net, state)
    return net, True  # imported


def _config(params, nu_rows, base=None):
    for k, default in _NETWORK_TYPES.items():
        v = params.get(k, default)
        if v not in ("Sparse", "Dense"):
            raise ValueError(f"{k} must be 'Sparse' or 'Dense', not {v!r}")
        if k != "network_type_ie" and v != default:
            raise ValueError(f"{k}={v!r} is not supported (the sorn package crashes on it too); use {default!r}")
    base = {} if base is None else base.to_dict()
    ne = params.get("ne", base.get("ne", 200))
    if isinstance(ne, bool) or not isinstance(ne, (int, np.integer)):
        raise TypeError(f"ne must be an integer, not {type(ne).__name__}")
    # nu is the inputs' row count (a Config's nu too is replaced by it).
    nu = params.get("nu", nu_rows)
    if nu != nu_rows:
        raise ValueError(f"Input units and input size mismatch: {nu} != {nu_rows}")
    cfg = dict(base)
    # ni follows ne as in the package, unless the config object sets both.
    ni = base["ni"] if base and "ne" not in params else int(0.2 * int(ne))
    cfg.update({"ne": int(ne), "ni": ni, "nu": int(nu_rows)})
    for k in ("lambda_ee", "lambda_ei", "eta_stdp", "eta_inhib", "eta_ip", "te_max", "ti_max", "ti_min", "te_min",
              "mu_ip", "sigma_ip"):
        if k in params:
            cfg[k] = _real(k, params[k])
    # As the package: lambda_ie only means something for a sparse E->I matrix.
    if params.get("network_type_ie", "Dense") == "Sparse":
        cfg["lambda_ie"] = _real("lambda_ie", params.get("lambda_ie", 100))
    return cfg


def _real(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, not {type(v).__name__}")
    return float(v)


def _callbacks(callbacks):
    if not callbacks:
        return []
    if not isinstance(callbacks, list):
        raise TypeError(f"Callbacks must be a list, not {type(callbacks).__name__}")
    names = []
    for c in callbacks:
        if not isinstance(c, str):
            raise TypeError(f"callback names are strings, not {type(c).__name__}")
        if c not in names:
            names.append(c)
    unknown = [c for c in names if c not in CALLBACKS]
    if unknown:
        raise ValueError(f"{unknown} not available: callbacks are {', '.join(CALLBACKS)}")
    return names


def _inputs(inputs, timesteps):
    if inputs is None:
        raise TypeError("inputs is required: an array of shape (nu, timesteps)")
    a = np.asarray(inputs)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise TypeError(f"inputs must be numeric, not {a.dtype}")
    if a.ndim != 2:
        raise ValueError(f"inputs must be 2-D (nu, timesteps), not of shape {a.shape}")
    if timesteps is None:
        raise TypeError("timesteps is required")
    if isinstance(timesteps, bool) or not isinstance(timesteps, (int, np.integer)):
        raise TypeError(f"timesteps must be an integer, not {type(timesteps).__name__}")
    if timesteps < 1:
        raise ValueError(f"timesteps must be at least 1, not {timesteps}")
    if a.shape[1] < timesteps:
        raise ValueError(f"inputs have {a.shape[1]} columns (time steps) but timesteps = {timesteps}")
    return np.ascontiguousarray(a[:, :timesteps], dtype=np.float32)


def _seed(seed):
    if seed is None:
        return int(np.random.randint(0, 2**63 - 1, dtype=np.int64))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    return int(seed)


class _Runner:
    """What ``Simulator_`` and ``Trainer_`` share."""

    _trainer = False

    def _run(self, inputs, phase, state, timesteps, noise, freeze, callbacks, seed, kwargs):
        config = kwargs.pop("config", None)
        if config is not None and not isinstance(config, Config):
            config = Config(**config) if isinstance(config, dict) else None
            if config is None:
                raise TypeError("config must be a neuroloop.sorn.Config or a dict of its fields")
        if phase not in ("plasticity", "training"):
            raise ValueError(f"phase must be 'plasticity' or 'training', not {phase!r}")
        names = _callbacks(callbacks)
        u = _inputs(inputs, timesteps)
        params = {k: kwargs[k] for k in PARAMETERS if k in kwargs}
        if state is None:
            if phase == "training":
                raise ValueError("the training phase continues a network: pass the state a plasticity run returned")
            net = _neuroloop.SornNetwork(json.dumps(_config(params, u.shape[0], config)), _seed(seed))
        else:
            if config is not None:
                warnings.warn("config= ignored: it sets up a fresh network; a state carries its own "
                              "(pass rate keywords to change them)", stacklevel=3)
            net, _ = _network_of(state, params, u.shape[0], seed)
            same = {"ne": net.ne, "nu": net.nu}
            ignored = {k: params[k] for k in STRUCTURE if k in params and params[k] != same.get(k, object())}
            if ignored:
                warnings.warn(
                    f"{', '.join(f'{k}={v!r}' for k, v in ignored.items())} ignored: the state fixes the network "
                    f"(ne={net.ne}, nu={net.nu})",
                    stacklevel=3,
                )
            rates = {k: _real(k, params[k]) for k in RATES if k in params}
            if rates:
                net.set_rates(json.dumps(rates))
        if isinstance(freeze, (list, tuple, set, str)):
            # `in` as the package tests it: a string is a substring test ("istdp" also freezes stdp).
            frozen = [r for r in RULES if r in freeze]
        elif freeze is None:
            frozen = []
        else:
            raise TypeError(f"freeze must be a list of rule names, not {type(freeze).__name__}")
        # The package's Simulator ignores the phase (plasticity runs in "training" too);
        # its Trainer freezes every rule outside the plasticity phase.
        run_phase = phase if self._trainer else "plasticity"
        rec = net.run(u, run_phase, frozen, bool(noise), names)
        return SornState(net), {n: list(rec[n]) for n in names}


class Simulator_(_Runner):
    """The package's ``Simulator`` (use the instance ``Simulator``)."""

    def run(self, inputs=None, phase="plasticity", state=None, timesteps=None, noise=True, freeze=None,
            callbacks=[], seed=None, **kwargs):
        """Runs ``timesteps`` steps; returns ``(state, recordings)`` as the package does."""
        return self._run(inputs, phase, state, timesteps, noise, freeze, callbacks, seed, kwargs)


class Trainer_(_Runner):
    """The package's ``Trainer`` (use the instance ``Trainer``)."""

    _trainer = True

    def run(self, inputs=None, phase="training", state=None, timesteps=None, noise=True, freeze=None,
            callbacks=[], seed=None, **kwargs):
        """Runs ``timesteps`` steps, frozen unless ``phase="plasticity"``; returns ``(state, recordings)``."""
        return self._run(inputs, phase, state, timesteps, noise, freeze, callbacks, seed, kwargs)


Simulator = Simulator_()
Trainer = Trainer_()
