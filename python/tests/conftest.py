import os
import pathlib

import pytest

# Plots render off screen.
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture
def fixtures():
    return FIXTURES
