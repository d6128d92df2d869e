#!/usr/bin/env python3
"""Export an nn4n CTRNN to a neuroloop model file, from a checkout, without installing the
neuroloop Python package:

    python tools/nn4n_export.py CHECKPOINT.pth MODEL.json      # --help for every option

The exporter itself, with its install notes and checks, is python/neuroloop/_nn4n_export.py
(the package ships it); this script loads that file and runs it, and `import nn4n_export`
(with tools/ on sys.path) gives its functions.
"""

import importlib.util
import pathlib
import sys

_path = pathlib.Path(__file__).resolve().parent.parent / "python" / "neuroloop" / "_nn4n_export.py"
_spec = importlib.util.spec_from_file_location("_nn4n_export", _path)
_exporter = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_exporter)
globals().update({k: v for k, v in vars(_exporter).items() if not k.startswith("__")})

if __name__ == "__main__":
    sys.exit(_exporter.main(sys.argv))
