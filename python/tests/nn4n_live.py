"""Run by test_ctrnn.py under an nn4n venv's python (with this package on PYTHONPATH): builds
live nn4n CTRNNs, converts them with CTRNN.from_nn4n and compares forward passes with nn4n's
own forward over a (batch, time, input) batch. Prints one JSON line of the largest deviations."""
import json
import sys

import numpy as np
import torch
from nn4n.model import CTRNN as Nn4nCTRNN

from neuroloop.ctrnn import CTRNN

torch.manual_seed(0)
np.random.seed(0)
worst = {}
for act in ("relu", "tanh", "sigmoid", "retanh"):
    model = Nn4nCTRNN(dims=[3, 16, 2], activation=act, tau=100, dt=10, biases="uniform")
    model.eval()
    net = CTRNN.from_nn4n(model)
    x = np.random.uniform(-1, 1, (4, 25, 3)).astype(np.float32)
    with torch.no_grad():
        try:  # nn4n 1.2.0: batch-major, (output, {"h": rates})
            out, hid = model(torch.as_tensor(x))
            y_ref, h_ref = out.numpy(), hid["h"].numpy()
        except Exception:  # nn4n 1.1.1: time-major, (output, [rates])
            out, hid = model(torch.as_tensor(x.transpose(1, 0, 2)))
            y_ref = out.numpy().transpose(1, 0, 2)
            h_ref = hid[0].numpy().transpose(1, 0, 2)
    v0 = net.v0  # nn4n starts from its own (zero or learned) state
    y, h = net.forward(x, v0=v0)
    worst[act] = max(float(np.abs(y - y_ref).max()), float(np.abs(h - h_ref).max()))
json.dump({"worst": worst, "shape": list(y.shape)}, sys.stdout)
