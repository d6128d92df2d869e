import os
import pathlib

import pytest

# fixtures/sorn_repo/test_sorn.py is the sorn package's test module, run by a test with its
# import changed; collected as it is, it would import the package.
collect_ignore = ["fixtures"]

# Plots render off screen.
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def fixtures():
    return FIXTURES
