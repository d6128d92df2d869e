"""The Python examples of python/README.md run as written (Ray/Dask sketches excepted)."""
import os
import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
REPO = README.parents[1]


def test_readme_examples_run(tmp_path):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    runnable = [b for b in blocks if "import ray" not in b]
    assert len(runnable) == 3
    # The examples name files relative to the repository root; run them in a scratch directory
    # that sees the repository's tests/.
    (tmp_path / "tests").symlink_to(REPO / "tests")
    for b in runnable:
        env = {**os.environ, "MPLBACKEND": "Agg"}
        out = subprocess.run([sys.executable, "-c", b], cwd=tmp_path, capture_output=True, text=True, env=env,
                             timeout=300)
        assert out.returncode == 0, f"{b}\n{out.stderr}"
    assert (tmp_path / "my_model.json").exists()
