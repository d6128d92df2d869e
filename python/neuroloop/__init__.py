"""neuroloop from Python: the Rust core's SORN and CTRNN networks and plants.

- ``neuroloop.sorn``: the ``sorn`` package's API (``from neuroloop.sorn import Simulator, Trainer``).
- ``neuroloop.ctrnn``: CTRNN models (model files, numpy arrays, live nn4n models).
- ``neuroloop.envs``: gymnasium environments for every plant (``import neuroloop.envs``, then
  ``gymnasium.make("neuroloop/CartPole-v1")``).

Every model step runs in the Rust crates (``neuroloop._neuroloop``); these modules only shape
arguments and results.
"""
from . import _neuroloop

__version__ = _neuroloop.__version__
__all__ = ["sorn", "ctrnn", "envs", "__version__"]


def __getattr__(name):
    # Submodules load on first use: `neuroloop.envs` imports gymnasium, `sorn` stays light.
    if name in ("sorn", "ctrnn", "envs"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'neuroloop' has no attribute {name!r}")
