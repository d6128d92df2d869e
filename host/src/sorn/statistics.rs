//! The statistics of the Python package's `Statistics` class, over recorded spike trains
//! ([`Raster`]: time x units) and rate series.
//!
//! Where the package is buggy (spec oddity #24) the intended statistic is computed: N comes from
//! the data (the package divides by a hard-coded 200), the Fano factor's parameter is named for
//! what it is (the number of windows), and units that never fired contribute 0 to the spike
//! source entropy (the package returns NaN). Variances are population variances (numpy's
//! default `ddof = 0`). Nothing panics on bad input: each function returns a [`StatsError`] or
//! `None` where numpy would return NaN.

use std::fmt;

use super::Raster;

/// Input a statistic cannot be computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsError {
    /// The train or series has no steps (or too few for the statistic).
    Empty,
    /// A unit index past the number of units.
    NoSuchUnit {
        /// The index asked for.
        unit: usize,
        /// Units in the train.
        units: usize,
    },
    /// Two trains of different shapes.
    ShapeMismatch,
    /// A window count of 0 or more than the steps.
    BadWindows {
        /// Windows asked for.
        windows: usize,
        /// Steps available.
        steps: usize,
    },
}

impl fmt::Display for StatsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StatsError::Empty => f.write_str("not enough data: the train or series is empty or too short"),
            StatsError::NoSuchUnit { unit, units } => {
                write!(f, "unit {unit} does not exist: the train has {units} units")
            }
            StatsError::ShapeMismatch => f.write_str("the two trains have different shapes"),
            StatsError::BadWindows { windows, steps } => {
                write!(f, "{windows} windows do not fit {steps} steps: need 1..={steps}")
            }
        }
    }
}

impl std::error::Error for StatsError {}

fn check_unit(train: &Raster, unit: usize) -> Result<(), StatsError> {
    if unit >= train.units() {
        return Err(StatsError::NoSuchUnit { unit, units: train.units() });
    }
    if train.steps() == 0 {
        return Err(StatsError::Empty);
    }
    Ok(())
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Population variance.
fn variance(xs: &[f64]) -> f64 {
    let m = mean(xs);
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64
}

/// Population standard deviation.
fn std(xs: &[f64]) -> f64 {
    variance(xs).sqrt()
}

/// Pearson correlation of two equally long series; `None` if either is constant.
fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let (ma, mb) = (mean(a), mean(b));
    let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma) * (x - ma)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb) * (y - mb)).sum();
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// One unit's spike train as 0/1 values.
pub fn unit_train(train: &Raster, unit: usize) -> Result<Vec<f64>, StatsError> {
    check_unit(train, unit)?;
    Ok((0..train.steps()).map(|t| if train.get(t, unit) { 1.0 } else { 0.0 }).collect())
}

/// Firing rate of one unit: its total spikes times `bin` over the duration (mean spikes per
/// bin). Returns `(duration, bin, rate)` as the package does.
///
/// ```
/// use neuroloop_host::sorn::Raster;
/// use neuroloop_host::sorn::statistics::firing_rate_neuron;
/// let mut r = Raster::with_capacity(2, 4);
/// for w in [0b01u32, 0b11, 0b00, 0b01] { r.push_words(&[w]); }
/// assert_eq!(firing_rate_neuron(&r, 0, 2).unwrap(), (4, 2, 1.5)); // 3 spikes * 2 / 4
/// ```
pub fn firing_rate_neuron(train: &Raster, unit: usize, bin: usize) -> Result<(usize, usize, f64), StatsError> {
    let spikes: f64 = unit_train(train, unit)?.iter().sum();
    let duration = train.steps();
    Ok((duration, bin, spikes * bin as f64 / duration as f64))
}

/// Number of active units at each step.
pub fn firing_rate_network(train: &Raster) -> Vec<usize> {
    train.counts().into_iter().map(|c| c as usize).collect()
}

fn diff(rates: &[f64]) -> Result<Vec<f64>, StatsError> {
    if rates.len() < 2 {
        return Err(StatsError::Empty);
    }
    Ok(rates.windows(2).map(|w| w[1] - w[0]).collect())
}

/// Scale-dependent smoothness: the standard deviation of the first difference of a rate series.
///
/// ```
/// // diff = [1, 1, -2]: mean 0, std sqrt((1 + 1 + 4) / 3) = sqrt(2)
/// let s = neuroloop_host::sorn::statistics::scale_dependent_smoothness(&[0.0, 1.0, 2.0, 0.0]).unwrap();
/// assert!((s - 2f64.sqrt()).abs() < 1e-12);
/// ```
pub fn scale_dependent_smoothness(rates: &[f64]) -> Result<f64, StatsError> {
    Ok(std(&diff(rates)?))
}

/// Scale-independent smoothness: that standard deviation over the absolute mean of the
/// difference; `Ok(None)` when the mean difference is 0 (numpy: division by zero).
///
/// ```
/// // diff = [1, 3]: std 1, mean 2
/// let s = neuroloop_host::sorn::statistics::scale_independent_smoothness(&[0.0, 1.0, 4.0]).unwrap();
/// assert_eq!(s, Some(0.5));
/// ```
pub fn scale_independent_smoothness(rates: &[f64]) -> Result<Option<f64>, StatsError> {
    let d = diff(rates)?;
    let m = mean(&d).abs();
    Ok((m > 0.0).then(|| std(&d) / m))
}

/// Autocorrelation at lag `lag`: the 2x2 Pearson correlation matrix of `rates[..n-lag]` and
/// `rates[lag..]` (numpy's `corrcoef`); `Ok(None)` when a part is constant (numpy: NaN).
///
/// ```
/// let m = neuroloop_host::sorn::statistics::autocorr(&[1.0, 2.0, 3.0, 4.0, 5.0], 2).unwrap().unwrap();
/// assert!((m[0][1] - 1.0).abs() < 1e-12); // a line is perfectly correlated with itself shifted
/// ```
pub fn autocorr(rates: &[f64], lag: usize) -> Result<Option<[[f64; 2]; 2]>, StatsError> {
    if rates.len() < lag + 2 {
        return Err(StatsError::Empty);
    }
    let n = rates.len();
    Ok(pearson(&rates[..n - lag], &rates[lag..]).map(|r| [[1.0, r], [r, 1.0]]))
}

/// The unit-by-unit correlation matrix (`N x N`, row-major) of a spike train and its grand sum
/// over `N^2`. Convention for a unit that never or always fired (numpy: NaN): correlation 0 with
/// every other unit, 1 with itself.
///
/// ```
/// use neuroloop_host::sorn::Raster;
/// let mut r = Raster::with_capacity(3, 4);
/// // unit 0: 1010, unit 1: 1010, unit 2: 0101 -> r01 = 1, r02 = r12 = -1
/// for w in [0b011u32, 0b100, 0b011, 0b100] { r.push_words(&[w]); }
/// let (m, avg) = neuroloop_host::sorn::statistics::avg_corr_coeff(&r).unwrap();
/// assert_eq!(m[1], 1.0);
/// assert_eq!(m[2], -1.0);
/// assert!((avg - (3.0 + 2.0 - 4.0) / 9.0).abs() < 1e-12);
/// ```
pub fn avg_corr_coeff(train: &Raster) -> Result<(Vec<f64>, f64), StatsError> {
    let n = train.units();
    if train.steps() == 0 || n == 0 {
        return Err(StatsError::Empty);
    }
    let trains: Vec<Vec<f64>> = (0..n).map(|i| unit_train(train, i)).collect::<Result<_, _>>()?;
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
        for j in 0..i {
            let r = pearson(&trains[i], &trains[j]).unwrap_or(0.0);
            m[i * n + j] = r;
            m[j * n + i] = r;
        }
    }
    let avg = m.iter().sum::<f64>() / (n * n) as f64;
    Ok((m, avg))
}

/// Steps at which a 0/1 train is 1.
///
/// ```
/// assert_eq!(neuroloop_host::sorn::statistics::spike_times(&[0.0, 1.0, 1.0, 0.0, 1.0]), [1, 2, 4]);
/// ```
pub fn spike_times(unit_train: &[f64]) -> Vec<usize> {
    unit_train.iter().enumerate().filter(|(_, v)| **v == 1.0).map(|(t, _)| t).collect()
}

/// Inter-spike intervals of one unit's 0/1 train.
///
/// ```
/// assert_eq!(neuroloop_host::sorn::statistics::spike_time_intervals(&[0.0, 1.0, 1.0, 0.0, 1.0]), [1, 2]);
/// ```
pub fn spike_time_intervals(unit_train: &[f64]) -> Vec<usize> {
    spike_times(unit_train).windows(2).map(|w| w[1] - w[0]).collect()
}

/// Per step, the number of units whose state differs between two trains of the same shape.
pub fn hamming_distance(a: &Raster, b: &Raster) -> Result<Vec<usize>, StatsError> {
    if a.steps() != b.steps() || a.units() != b.units() {
        return Err(StatsError::ShapeMismatch);
    }
    Ok((0..a.steps())
        .map(|t| a.row(t).iter().zip(b.row(t)).map(|(x, y)| (x ^ y).count_ones() as usize).sum())
        .collect())
}

/// Fano factor of one unit: its train split into `windows` windows of `steps / windows` steps
/// (a remainder at the end is dropped), spikes counted per window. Returns the mean and
/// variance of the counts and their ratio (`None` when the mean is 0).
///
/// ```
/// use neuroloop_host::sorn::Raster;
/// let mut r = Raster::with_capacity(1, 6);
/// for w in [1u32, 1, 0, 1, 0, 0] { r.push_words(&[w]); } // windows of 2: counts 2, 1, 0
/// let (m, v, f) = neuroloop_host::sorn::statistics::fanofactor(&r, 0, 3).unwrap();
/// assert_eq!((m, v), (1.0, 2.0 / 3.0));
/// assert_eq!(f, Some(2.0 / 3.0));
/// ```
pub fn fanofactor(train: &Raster, unit: usize, windows: usize) -> Result<(f64, f64, Option<f64>), StatsError> {
    let x = unit_train(train, unit)?;
    if windows == 0 || windows > x.len() {
        return Err(StatsError::BadWindows { windows, steps: x.len() });
    }
    let len = x.len() / windows;
    let counts: Vec<f64> = x.chunks_exact(len).take(windows).map(|w| w.iter().sum()).collect();
    let m = mean(&counts);
    let v = variance(&counts);
    Ok((m, v, (m > 0.0).then(|| v / m)))
}

/// Normalised entropy of "which unit produced a spike": `sum p_i log p_i / log(1/n)` with
/// `p_i` unit `i`'s share of all spikes; units that never fired contribute 0. 1 when every unit
/// fired equally, 0 when one unit fired alone.
///
/// ```
/// use neuroloop_host::sorn::Raster;
/// let mut r = Raster::with_capacity(4, 2);
/// r.push_words(&[0b0011]);
/// r.push_words(&[0b0011]); // units 0 and 1 share all spikes: entropy log 2 / log 4 = 0.5
/// let h = neuroloop_host::sorn::statistics::spike_source_entropy(&r, 4).unwrap();
/// assert!((h - 0.5).abs() < 1e-12);
/// ```
pub fn spike_source_entropy(train: &Raster, n: usize) -> Result<f64, StatsError> {
    if n < 2 {
        return Err(StatsError::Empty);
    }
    let per_unit: Vec<f64> =
        (0..train.units()).map(|i| (0..train.steps()).filter(|&t| train.get(t, i)).count() as f64).collect();
    let total: f64 = per_unit.iter().sum();
    if total == 0.0 {
        return Err(StatsError::Empty);
    }
    let s: f64 = per_unit.iter().filter(|&&c| c > 0.0).map(|c| (c / total) * (c / total).ln()).sum();
    Ok(s / (1.0 / n as f64).ln())
}
