"""``Statistics`` and ``Plotter`` with the ``sorn`` package's function names and arguments.

Spike trains are ``(time, units)`` arrays, as ``np.asarray(recordings["ExcitatoryActivation"])``.
Statistics run in the host crate (``neuroloop_host::sorn::statistics``), which computes the
intended statistic where the package is buggy (spec oddity #24): ``avg_corr_coeff`` averages
over the data's N (the package divides by a hard-coded 200), silent units contribute 0 to the
spike source entropy (the package returns NaN), and a constant series gives NaN where numpy
would. Plotter draws with matplotlib (optional: ``pip install matplotlib``). Initializer has
the package's input and array helpers; its network-building functions are not offered (the
core builds networks: ``Simulator.run`` or ``Config``).
"""
import math

import numpy as np

from .. import _neuroloop as _n

__all__ = ["Statistics", "Plotter", "Initializer"]


def _train(spike_train):
    a = np.asarray(spike_train, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"a spike train is (time, units), not of shape {a.shape}")
    return np.ascontiguousarray(a)


def _nan(x):
    return np.float64("nan") if x is None else np.float64(x)


class Statistics:
    """The package's statistics (static methods)."""

    @staticmethod
    def firing_rate_neuron(spike_train, neuron, bin_size):
        """``(time_period, bin_size, mean spikes per bin)`` of unit ``neuron``."""
        return _n.stats_firing_rate_neuron(_train(spike_train), int(neuron), int(bin_size))

    @staticmethod
    def firing_rate_network(spike_train):
        """Active units per step, int64 ``(T,)``."""
        return _n.stats_firing_rate_network(_train(spike_train))

    @staticmethod
    def scale_dependent_smoothness_measure(firing_rates):
        """Standard deviation of the first difference of a rate series."""
        return np.float64(_n.stats_scale_dependent_smoothness([float(x) for x in firing_rates]))

    @staticmethod
    def scale_independent_smoothness_measure(firing_rates):
        """std / |mean| of the first difference (``inf`` when the mean difference is 0, as numpy)."""
        r = _n.stats_scale_independent_smoothness([float(x) for x in firing_rates])
        return np.float64("inf") if r is None else np.float64(r)

    @staticmethod
    def autocorr(firing_rates, t=2):
        """The 2 x 2 correlation matrix of the series and itself shifted by ``t``."""
        m = _n.stats_autocorr([float(x) for x in firing_rates], int(t))
        return np.full((2, 2), np.nan) if m is None else np.array(m)

    @staticmethod
    def avg_corr_coeff(spike_train):
        """``(correlation matrix (units, units), its mean)``."""
        m, avg = _n.stats_avg_corr_coeff(_train(spike_train))
        return m, np.float64(avg)

    @staticmethod
    def spike_times(spike_train):
        """Indices of the spikes: ``(times,)`` for one unit's train, ``(times, units)`` for a 2-D train
        (``np.where``'s form, as the package)."""
        a = np.asarray(spike_train, dtype=np.float64)
        if a.ndim == 1:
            return (_n.stats_spike_times(np.ascontiguousarray(a)),)
        return np.where(a == 1.0)

    @staticmethod
    def spike_time_intervals(spike_train):
        """Inter-spike intervals: of one unit for a 1-D train; of every unit, concatenated in unit order,
        for a 2-D train (the package diffs column indices there, which measures nothing)."""
        a = np.asarray(spike_train, dtype=np.float64)
        if a.ndim == 1:
            return _n.stats_spike_time_intervals(np.ascontiguousarray(a))
        parts = [_n.stats_spike_time_intervals(np.ascontiguousarray(a[:, i])) for i in range(a.shape[1])]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    @staticmethod
    def hamming_distance(actual_spike_train, perturbed_spike_train):
        """Per step, the number of units that differ (a list, as the package)."""
        d = _n.stats_hamming_distance(_train(actual_spike_train), _train(perturbed_spike_train))
        return [np.int64(x) for x in d]

    @staticmethod
    def fanofactor(spike_train, neuron, window_size):
        """``(mean, variance, fano)`` of unit ``neuron``'s counts in ``window_size`` equal windows (as the
        package, ``window_size`` is the number of windows)."""
        m, v, f = _n.stats_fanofactor(_train(spike_train), int(neuron), int(window_size))
        return np.float64(m), np.float64(v), _nan(f)

    @staticmethod
    def spike_source_entropy(spike_train, num_neurons):
        """Normalised entropy of which unit fired (1 = every unit fires equally)."""
        return np.float64(_n.stats_spike_source_entropy(_train(spike_train), int(num_neurons)))


class Initializer:
    """The package's helpers for inputs and weight arrays (static methods drawing from numpy's
    global generator and Python's ``random``, in the package's order, so the same seeds give the
    package's arrays). They make arrays for a user's own code; the networks of
    ``Simulator``/``Trainer`` are built by the core."""

    @staticmethod
    def generate_gaussian_inputs(length, reservoir_size):
        """A list of ``reservoir_size`` inputs with standard normal values at random indices below
        ``length`` (drawn with replacement, a random number of them), and those indices.

        The package draws a single number here (``np.random.normal(length)``) and then fails
        indexing it whenever an index was drawn; this draws the ``length`` values its docstring
        describes."""
        out = [0] * reservoir_size
        x = [0] * length
        idx = np.random.choice(length, np.random.randint(reservoir_size))
        inp = np.random.normal(size=length)
        for i in idx:
            x[i] = inp[i]
        out[: len(x)] = x
        return out, idx

    @staticmethod
    def generate_lambd_connections(synaptic_connection, ne, ni, lambd_w, lambd_std):
        """A random weight matrix as the package draws it: ``"EE"`` gives ``(ne, ne)`` ``[pre][post]``
        with about ``lambd_w`` inputs per unit (normal, sd ``lambd_std``, truncated to an integer),
        no self-connections; ``"EI"`` gives ``(ni, ne)`` with about ``lambd_w`` targets per
        inhibitory unit. Weights are uniform in [0, 0.1). Other types raise ``ValueError`` (the
        package returns ``None``)."""
        import random
        from statistics import NormalDist

        if synaptic_connection not in ("EE", "EI"):
            raise ValueError(f"synaptic_connection must be 'EE' or 'EI', not {synaptic_connection!r}")
        n_units = ne if synaptic_connection == "EE" else ni
        # scipy's norm.ppf, which the package uses, is the inverse normal CDF.
        dist = NormalDist(mu=float(lambd_w), sigma=float(lambd_std))
        lambdas = np.array([dist.inv_cdf(p) for p in np.random.random(n_units)]).astype(int)
        weights = np.random.uniform(0.0, 0.1, sum(lambdas))
        ee = synaptic_connection == "EE"
        out = np.zeros((ne, ne) if ee else (ni, ne))
        # Row `unit` of `by_unit` is that unit's inputs (EE, a column of [pre][post]) or targets (EI).
        by_unit = out.T if ee else out
        at = 0
        for unit in range(n_units):
            pool = [j for j in range(ne) if j != unit] if ee else list(range(ne))
            chosen = random.sample(pool, lambdas[unit])
            for k, w in enumerate(weights[at: at + lambdas[unit]]):
                by_unit[unit, chosen[k]] = w
            at += lambdas[unit]
        return out

    @staticmethod
    def zero_sum_incoming_check(weights):
        """Gives every unit without input (a zero column) two random inputs from the first 20 % of
        the presynaptic units, uniform in [0, 0.1); in place, as the package; returns ``weights``."""
        zero_sum_incomings = np.where(np.sum(weights, axis=0) == 0.0)
        for col in zero_sum_incomings[-1]:
            rand_indices = np.random.randint(int(weights.shape[0] * 0.2), size=2)
            rand_values = np.random.uniform(0.0, 0.1, 2)
            for i, idx in enumerate(rand_indices):
                weights[:, col][idx] = rand_values[i]
        return weights

    @staticmethod
    def generate_strong_inp(length, reservoir_size):
        """A list of ``reservoir_size`` inputs with ``1e4`` at random indices below ``length`` (drawn
        with replacement, a random number of them), and those indices."""
        inp = [0] * reservoir_size
        x = [0] * length
        idx = np.random.choice(length, np.random.randint(reservoir_size))
        for i in idx:
            x[i] = 1.0e4
        inp[: len(x)] = x
        return inp, idx

    @staticmethod
    def multi_one_hot_inp(ne, inputs, n_nodes_per_inp):
        """For each label of ``inputs``, ``n_nodes_per_inp`` random units set to 1: ``(ne, len(inputs))``
        float64, and the units of each label."""
        import random

        one_hot = np.zeros((ne, len(inputs)))
        idxs = list(zip(*[random.sample(range(0, ne), len(inputs)) for _ in range(n_nodes_per_inp)]))
        for j, idx_list in enumerate(idxs):
            for i in idx_list:
                one_hot[i][j] = 1
        return one_hot, idxs

    @staticmethod
    def normalize_weight_matrix(weight_matrix):
        """Every column (a unit's incoming weights) divided by its sum."""
        w = np.asarray(weight_matrix)
        return w / np.sum(w, axis=0)

    @staticmethod
    def get_incoming_connection_dict(weights):
        """``{unit: [presynaptic units]}`` from a ``[pre][post]`` matrix (without the package's spurious
        extra key)."""
        w = np.asarray(weights)
        return {i: list(np.nonzero(w[:, i])[0]) for i in range(w.shape[1])}

    @staticmethod
    def get_outgoing_connection_dict(weights):
        """``{unit: [postsynaptic units]}`` (rows; without the package's spurious extra key)."""
        w = np.asarray(weights)
        return {i: list(np.nonzero(w[i, :])[0]) for i in range(w.shape[0])}

    @staticmethod
    def reset_min(z, cutoff_val):
        """Values ``<= cutoff_val`` set to ``cutoff_val``, in place (as the package)."""
        z[z <= cutoff_val] = cutoff_val
        return z

    @staticmethod
    def reset_max(z, cutoff_val):
        """Values ``> cutoff_val`` set to ``cutoff_val``, in place."""
        z[z > cutoff_val] = cutoff_val
        return z

    @staticmethod
    def inactive_synapses(wee):
        """The ``(pre, post)`` pairs without a synapse, the diagonal excluded."""
        i, j = np.where(np.asarray(wee) <= 0.0)
        return [(a, b) for a, b in zip(i, j) if a != b]

    @staticmethod
    def white_gaussian_noise(mu, sigma, t):
        """``t`` normal values as a ``(t, 1)`` column."""
        return np.expand_dims(np.random.normal(mu, sigma, t), 1)


def _plt():
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("Plotter needs matplotlib: pip install matplotlib") from e
    return plt


def _line_plot(values, title, ylabel, savefig, name):
    """One series against the time step (the package's line figures)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(np.asarray(values, dtype=np.float64))
    ax.set(title=title, xlabel="time step", ylabel=ylabel)
    return _finish(plt, fig, savefig, name)


def _spike_plot(spike_train, draw, title, savefig, name):
    """Spikes (unit against step, drawn by `draw(ax, steps, units)`) above the population rate."""
    plt = _plt()
    fig, ax = _rate_axes(plt, spike_train)
    t, u = np.where(np.asarray(spike_train) == 1.0)
    draw(ax, t, u)
    ax.set(title=title, ylabel="unit")
    return _finish(plt, fig, savefig, name)


def _finish(plt, fig, savefig, name):
    if savefig:
        fig.savefig(name)
    return plt.show()


def _degree_hist(weights, bin_size, axis, title, savefig, name):
    plt = _plt()
    deg = (np.asarray(weights) > 0).sum(axis=axis)
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.hist(deg, bins=max(1, int(bin_size)), density=True, alpha=0.6)
    mu, sd = float(deg.mean()), float(deg.std())
    if sd > 0:
        x = np.linspace(deg.min(), deg.max(), 100)
        ax.plot(x, np.exp(-((x - mu) ** 2) / (2 * sd * sd)) / (sd * math.sqrt(2 * math.pi)), "k", lw=2)
    ax.set(title=f"{title}: mean {mu:.2f}, std {sd:.2f}", xlabel="connections", ylabel="probability")
    return _finish(plt, fig, savefig, name)


def _rate_axes(plt, spike_train):
    fig, (a0, a1) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    a1.plot(np.asarray(spike_train).sum(axis=1), lw=0.8)
    a1.set(xlabel="time step", ylabel="active units")
    return fig, a0


class Plotter:
    """The package's plots (static methods; ``savefig=True`` writes the package's file name)."""

    @staticmethod
    def hist_incoming_conn(weights, bin_size, histtype="bar", savefig=False):
        """Histogram of in-degrees (columns of a ``[pre][post]`` matrix)."""
        return _degree_hist(weights, bin_size, 0, "incoming connections", savefig, "hist_incoming_conn.png")

    @staticmethod
    def hist_outgoing_conn(weights, bin_size, histtype="bar", savefig=False):
        """Histogram of out-degrees (rows)."""
        return _degree_hist(weights, bin_size, 1, "outgoing connections", savefig, "hist_outgoing_conn.png")

    @staticmethod
    def network_connection_dynamics(connection_counts, savefig=False):
        """Synapse count over time."""
        return _line_plot(connection_counts, "network connection dynamics", "connections", savefig,
                          "connection_dynamics.png")

    @staticmethod
    def hist_firing_rate_network(spike_train, bin_size, savefig=False):
        """Histogram of active units per step (steps with no activity left out, as the package)."""
        plt = _plt()
        r = Statistics.firing_rate_network(spike_train)
        fig, ax = plt.subplots(figsize=(8, 4))
        ax.hist(r[r > 0], bins=max(1, int(bin_size)))
        ax.set(title="network firing rate", xlabel="active units", ylabel="steps")
        return _finish(plt, fig, savefig, "hist_firing_rate_network.png")

    @staticmethod
    def scatter_plot(spike_train, savefig=False):
        """Spikes as dots, with the population rate below."""
        return _spike_plot(spike_train, lambda ax, t, u: ax.scatter(t, u, s=2), "spike train", savefig,
                           "ScatterSpikeTrain.png")

    @staticmethod
    def raster_plot(spike_train, savefig=False):
        """Raster of spikes, with the population rate below."""
        return _spike_plot(spike_train, lambda ax, t, u: ax.plot(t, u, "|r", ms=3), "spike raster", savefig,
                           "RasterSpikeTrain.png")

    @staticmethod
    def correlation(corr, savefig=False):
        """Heat map of the lower triangle of a correlation matrix."""
        plt = _plt()
        c = np.array(corr, dtype=np.float64)
        c[np.triu_indices_from(c, 1)] = np.nan
        fig, ax = plt.subplots(figsize=(8, 7))
        im = ax.imshow(c, cmap="RdBu_r", vmin=-1, vmax=1)
        fig.colorbar(im, ax=ax)
        ax.set(title="correlation between neurons", xlabel="unit", ylabel="unit")
        if savefig:
            fig.savefig("Correlation between neurons.png")
        return None

    @staticmethod
    def isi_exponential_fit(spike_train, neuron, bin_size, savefig=False):
        """Histogram of one unit's inter-spike intervals with an exponential of the same mean."""
        plt = _plt()
        isi = Statistics.spike_time_intervals(np.asarray(spike_train, dtype=np.float64)[:, int(neuron)])
        fig, ax = plt.subplots(figsize=(8, 4))
        if len(isi):
            ax.hist(isi, bins=max(1, int(bin_size)), density=True, alpha=0.6)
            m = float(np.mean(isi))
            x = np.linspace(0, float(np.max(isi)), 100)
            ax.plot(x, np.exp(-x / m) / m, "k", lw=2)
        ax.set(title=f"ISI of unit {neuron}", xlabel="interval (steps)", ylabel="density")
        return _finish(plt, fig, savefig, "isi_exponential_fit.png")

    @staticmethod
    def weight_distribution(weights, bin_size, savefig=False):
        """Histogram of the weights >= 0.01, as dots."""
        plt = _plt()
        w = np.asarray(weights, dtype=np.float64)
        w = w[w >= 0.01]
        fig, ax = plt.subplots(figsize=(8, 4))
        if w.size:
            h, edges = np.histogram(w, bins=max(1, int(bin_size)))
            ax.scatter(edges[:-1], h)
        ax.set(title="weight distribution", xlabel="weight", ylabel="count")
        return _finish(plt, fig, savefig, "weight_distribution.png")

    @staticmethod
    def linear_lognormal_fit(weights, num_points, savefig=False):
        """Lognormal density of the weights >= 0.01, on linear and log axes."""
        plt = _plt()
        w = np.asarray(weights, dtype=np.float64)
        lw = np.log(w[w >= 0.01])
        fig, (a0, a1) = plt.subplots(1, 2, figsize=(10, 4))
        if lw.size and lw.std() > 0:
            mu, s = float(lw.mean()), float(lw.std())
            x = np.linspace(float(np.exp(lw.min())), float(np.exp(lw.max())), max(2, int(num_points)))
            pdf = np.exp(-((np.log(x) - mu) ** 2) / (2 * s * s)) / (x * s * math.sqrt(2 * math.pi))
            a0.plot(x, pdf)
            a1.semilogx(x, pdf)
        a0.set(title="lognormal fit (linear)", xlabel="weight")
        a1.set(title="lognormal fit (log)", xlabel="weight")
        return _finish(plt, fig, savefig, "LinearLognormalFit.png")

    @staticmethod
    def plot_network(corr, corr_thres, fig_name=None):
        """The pairs of units correlated above ``corr_thres`` as a graph on a circle (saved to
        ``fig_name`` when given; the package always saves, to ``None.png`` without a name)."""
        plt = _plt()
        from matplotlib.collections import LineCollection

        c = np.asarray(corr, dtype=np.float64)
        n = c.shape[0]
        ang = 2 * np.pi * np.arange(n) / max(n, 1)
        x, y = np.cos(ang), np.sin(ang)
        fig, ax = plt.subplots(figsize=(8, 8))
        i, j = np.where(np.tril(c, -1) > corr_thres)
        # One artist for all edges: a 1,000-unit matrix can have 10^5 of them.
        segments = np.stack([np.stack([x[i], y[i]], axis=1), np.stack([x[j], y[j]], axis=1)], axis=1)
        ax.add_collection(LineCollection(segments, colors="k", linewidths=0.3, alpha=0.5))
        ax.scatter(x, y, s=10, zorder=2)
        ax.set_title(f"{len(i)} pairs correlated above {corr_thres}")
        ax.set_axis_off()
        if fig_name:
            fig.savefig(fig_name)
        return None

    @staticmethod
    def hamming_distance(hamming_dist, savefig=False):
        """Hamming distance over time."""
        return _line_plot(hamming_dist, "Hamming distance", "units differing", savefig, "HammingDistance.png")
