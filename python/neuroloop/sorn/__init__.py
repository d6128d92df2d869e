"""The ``sorn`` 0.7.4 package's API over neuroloop's Rust core: change only the import.

    from neuroloop.sorn import Simulator, Trainer          # was: from sorn import ...
    from neuroloop.sorn.sorn import Simulator, Trainer     # was: from sorn.sorn import ...
    from neuroloop.sorn.utils import Plotter, Statistics   # was: from sorn.utils import ...

See ``neuroloop.sorn.sorn`` for what differs from the package, deliberately.
"""
from . import sorn, utils
from .sorn import CALLBACKS, PARAMETERS, Config, Simulator, SornState, Trainer
from .utils import Initializer, Plotter, Statistics

__all__ = ["Simulator", "Trainer", "SornState", "Config", "Statistics", "Plotter", "Initializer", "CALLBACKS", "PARAMETERS", "sorn", "utils"]
