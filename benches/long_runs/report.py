"""Table and figure of long runs, neuroloop against the `sorn` package (both JSON-lines files
from `benches/long_runs/run.sh`): per statistic and 2,000-step chunk, the mean over seeds, the
spread (min-max) and whether the two seed ranges overlap.

    python benches/long_runs/report.py neuroloop.jsonl package.jsonl docs/figures/long_runs.png > table.md
"""

import json
import sys

import numpy as np

STATS = [
    ("ee", "E->E synapses"),
    ("ie", "I->E synapses"),
    ("mean_wee", "mean E->E weight"),
    ("mean_te", "mean T_E"),
    ("rate_e", "E rate"),
    ("rate_i", "I rate"),
    ("max_active_e", "largest E fraction active in a step"),
    ("sd_rate_e", "sd of the E population rate"),
]


def load(path):
    rows = [json.loads(line) for line in open(path) if line.startswith("{")]
    steps = sorted({r["step"] for r in rows})
    seeds = sorted({r["seed"] for r in rows})
    data = {k: np.array([[next(r[k] for r in rows if r["seed"] == s and r["step"] == t) for s in seeds] for t in steps]) for k, _ in STATS}
    return steps, seeds, data


def main():
    nl_path, pkg_path, fig_path = sys.argv[1:4]
    steps, nl_seeds, nl = load(nl_path)
    psteps, pkg_seeds, pkg = load(pkg_path)
    steps = [t for t in steps if t in psteps]
    ni = [i for i, t in enumerate(load(nl_path)[0]) if t in steps]
    pi = [i for i, t in enumerate(psteps) if t in steps]
    print(f"neuroloop: {len(nl_seeds)} seeds; sorn 0.7.4: {len(pkg_seeds)} seeds. Each cell: neuroloop mean [min, max] / package mean [min, max]; "
          "`ok` when the two seed ranges overlap.\n")
    for key, label in STATS:
        print(f"**{label}**\n")
        print("| step | neuroloop | sorn 0.7.4 | ranges overlap |")
        print("|---|---|---|---|")
        for k, t in enumerate(steps):
            a, b = nl[key][ni[k]], pkg[key][pi[k]]
            fmt = (lambda v: f"{v:.0f}") if key in ("ee", "ie") else (lambda v: f"{v:.4f}")
            ok = a.min() <= b.max() and b.min() <= a.max()
            print(f"| {t} | {fmt(a.mean())} [{fmt(a.min())}, {fmt(a.max())}] | {fmt(b.mean())} [{fmt(b.min())}, {fmt(b.max())}] | {'ok' if ok else 'no'} |")
        print()
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib missing: no figure)", file=sys.stderr)
        return
    fig, axes = plt.subplots(2, 4, figsize=(16, 7))
    for ax, (key, label) in zip(axes.flat, STATS):
        for name, d, idx, color in (("neuroloop", nl, ni, "tab:red"), ("sorn 0.7.4", pkg, pi, "tab:blue")):
            v = d[key][idx]
            ax.plot(steps, v.mean(axis=1), color=color, marker="o", ms=3, label=name)
            ax.fill_between(steps, v.min(axis=1), v.max(axis=1), color=color, alpha=0.2)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("step")
    axes.flat[0].legend()
    fig.suptitle(f"Default SORN, uniform input: neuroloop ({len(nl_seeds)} seeds) vs sorn 0.7.4 ({len(pkg_seeds)} seeds), mean and min-max")
    fig.tight_layout()
    fig.savefig(fig_path, dpi=80)


if __name__ == "__main__":
    main()
