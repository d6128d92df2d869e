"""Joins the two halves of the comparison into a table and a scaling figure.

    python report.py RUST.jsonl PYTHON.jsonl MACHINE.json BENCHMARKS.md FIGURE.png

Prints the table, replaces the text between `<!-- compare:begin -->` and
`<!-- compare:end -->` in BENCHMARKS.md with it (machine, date, versions, table, scaling), and
draws SORN time per step against N_E and CTRNN time per step against H (both halves, log-log).
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "sorn_plastic_ne200": ("SORN plastic step, N_E 200 (default)", 4000),
    "sorn_plastic_ne400": ("SORN plastic step, N_E 400", None),
    "sorn_plastic_ne800": ("SORN plastic step, N_E 800", None),
    "sorn_plastic_ne1600": ("SORN plastic step, N_E 1600", None),
    "sorn_frozen_ne200": ("SORN frozen step (training phase), N_E 200", None),
    "ctrnn_h32_b1": ("CTRNN step, H 32, batch 1", None),
    "ctrnn_h128_b1": ("CTRNN step, H 128, batch 1", 30),
    "ctrnn_h512_b1": ("CTRNN step, H 512, batch 1", None),
    "ctrnn_h32_b64": ("CTRNN step, H 32, batch 64", None),
    "ctrnn_h128_b64": ("CTRNN step, H 128, batch 64", None),
    "ctrnn_h512_b64": ("CTRNN step, H 512, batch 64", None),
    "cartpole_step": ("CartPole-v1 step", 100),
    "closed_loop_cartpole_ctrnn_h8": ("closed loop: CartPole-v1 + CTRNN controller (H 8)", None),
}


def load(path):
    rows = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                d = json.loads(line)
                rows[d["key"]] = d
    return rows


def fmt_time(s):
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    if s >= 1e-6:
        return f"{s * 1e6:.2f} us"
    return f"{s * 1e9:.0f} ns"


def main():
    rust_path, py_path, machine_path, bench_md, figure = sys.argv[1:6]
    rust, py = load(rust_path), load(py_path)
    machine = json.load(open(machine_path))
    versions = py.get("versions", {})
    lines = [
        "| workload | steps | Rust (neuroloop) | Python | Python / Rust (higher: Rust faster) | target |",
        "|---|---|---|---|---|---|",
    ]
    for key, (label, target) in LABELS.items():
        if key not in rust or key not in py:
            continue
        r, p = rust[key]["seconds_per_step"], py[key]["seconds_per_step"]
        ratio = p / r
        tgt = "" if target is None else (f">= {target:,}x: " + ("met" if ratio >= target else "**missed**"))
        shown = f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2f}x"
        lines.append(f"| {label} | {py[key]['steps']:,} | {fmt_time(r)} | {fmt_time(p)} | {shown} | {tgt} |")
    table = "\n".join(lines)
    print(table)

    ne = [200, 400, 800, 1600]
    hs = [32, 128, 512]
    scal = ["", "| N_E | Rust plastic step | Python plastic step | Rust time / N_E (ns) |", "|---|---|---|---|"]
    for n in ne:
        k = f"sorn_plastic_ne{n}"
        if k in rust and k in py:
            r = rust[k]["seconds_per_step"]
            scal.append(f"| {n} | {fmt_time(r)} | {fmt_time(py[k]['seconds_per_step'])} | {r / n * 1e9:.1f} |")
    scal += ["", "| H | Rust batch 1 | nn4n batch 1 | Rust batch 64 (per sample) | nn4n batch 64 (per sample) |", "|---|---|---|---|---|"]
    for h in hs:
        k1, k64 = f"ctrnn_h{h}_b1", f"ctrnn_h{h}_b64"
        if all(k in rust and k in py for k in (k1, k64)):
            scal.append(
                f"| {h} | {fmt_time(rust[k1]['seconds_per_step'])} | {fmt_time(py[k1]['seconds_per_step'])} | "
                f"{fmt_time(rust[k64]['seconds_per_step'] / 64)} | {fmt_time(py[k64]['seconds_per_step'] / 64)} |"
            )
    scaling = "\n".join(scal)
    print(scaling)

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    ax = axes[0]
    for src, name, style in [(rust, "neuroloop (Rust)", "o-"), (py, "sorn (Python)", "s--")]:
        xs = [n for n in ne if f"sorn_plastic_ne{n}" in src]
        ax.loglog(xs, [src[f"sorn_plastic_ne{n}"]["seconds_per_step"] for n in xs], style, label=name)
    ax.set_xlabel("N_E (N_I = N_E / 5, lambdas fixed)")
    ax.set_ylabel("seconds per plastic step")
    ax.set_title("SORN, all five rules")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    ax = axes[1]
    for src, name, style in [(rust, "neuroloop", "o-"), (py, "nn4n / PyTorch", "s--")]:
        for b, extra in [(1, "batch 1"), (64, "batch 64, per sample")]:
            xs = [h for h in hs if f"ctrnn_h{h}_b{b}" in src]
            ys = [src[f"ctrnn_h{h}_b{b}"]["seconds_per_step"] / b for h in xs]
            ax.loglog(xs, ys, style, label=f"{name}, {extra}", alpha=1.0 if b == 1 else 0.6)
    ax.set_xlabel("H (hidden neurons)")
    ax.set_ylabel("seconds per step")
    ax.set_title("CTRNN (tanh, I 8, O 4)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.suptitle(f"{machine['cpu']}, {machine['cores']} cores, {machine['date']}")
    fig.tight_layout()
    fig.savefig(figure, dpi=110)

    block = "\n".join(
        [
            "<!-- compare:begin -->",
            f"Generated by `bash benches/compare/run.sh` on {machine['date']}: {machine['cpu']}, "
            f"{machine['cores']} cores, {machine['os']}; {machine['rustc']}; Python {versions.get('python')}, "
            f"numpy {versions.get('numpy')}, torch {versions.get('torch')} (CPU, {versions.get('torch_threads')} threads), "
            f"nn4n {versions.get('nn4n')}, sorn {versions.get('sorn')}, gymnasium {versions.get('gymnasium')}. "
            "Both halves ran in the same session, one after the other; each number is the best of "
            "several repetitions of the whole workload (Python: SORN once, it is slow).",
            "",
            table,
            "",
            "Scaling (figure: `benches/compare/scaling.png`):",
            scaling,
            "<!-- compare:end -->",
        ]
    )
    text = open(bench_md).read()
    a, b = text.find("<!-- compare:begin -->"), text.find("<!-- compare:end -->")
    if a < 0 or b < 0:
        text = text.rstrip("\n") + "\n\n## Side by side with the Python packages (issue 8)\n\n" + block + "\n"
    else:
        text = text[:a] + block + text[b + len("<!-- compare:end -->"):]
    open(bench_md, "w").write(text)


if __name__ == "__main__":
    main()
