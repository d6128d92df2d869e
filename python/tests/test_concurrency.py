"""Long calls release the GIL; the sweep example runs in threads and processes."""
import pathlib
import subprocess
import sys
import threading
import time

import numpy as np

from neuroloop.ctrnn import CTRNN
from neuroloop.sorn import Simulator

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def python_progress_during(fn):
    """How many times the main thread ran Python code while `fn` ran in another thread, and for
    how long `fn` ran: with the GIL held by `fn`, the count would stay near zero."""
    done = threading.Event()
    t = threading.Thread(target=lambda: (fn(), done.set()))
    t0 = time.perf_counter()
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0)
    t.join()
    return ticks, time.perf_counter() - t0


def test_sorn_run_releases_the_gil():
    u = np.random.rand(10, 40000)
    ticks, secs = python_progress_during(lambda: Simulator.run(u, timesteps=40000, seed=1))
    assert secs > 0.05 and ticks > 100, (ticks, secs)


def test_ctrnn_forward_releases_the_gil(fixtures):
    net = CTRNN.load(fixtures / "nn4n111_maei2_tanh.model.json")
    x = np.random.rand(64, 2000, net.dims[0]).astype(np.float32)
    ticks, secs = python_progress_during(lambda: net.forward(x))
    assert secs > 0.02 and ticks > 20, (ticks, secs)


def test_sweep_example_threads_and_processes():
    for flag in ([], ["--processes"]):
        out = subprocess.run([sys.executable, str(EXAMPLES / "sweep.py"), "--steps", "300", "--workers", "2", *flag],
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr
        lines = out.stdout.splitlines()
        assert lines[0].startswith("12 runs of 300 steps") and len(lines) == 13, out.stdout
