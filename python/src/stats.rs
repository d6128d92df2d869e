//! The host's statistics of the package's `Statistics` class over numpy spike trains
//! (`(time, units)`, nonzero = spike) and rate series.

use neuroloop_host::sorn::Raster;
use neuroloop_host::sorn::statistics as st;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::value_error;

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stats_firing_rate_neuron, m)?)?;
    m.add_function(wrap_pyfunction!(stats_firing_rate_network, m)?)?;
    m.add_function(wrap_pyfunction!(stats_scale_dependent_smoothness, m)?)?;
    m.add_function(wrap_pyfunction!(stats_scale_independent_smoothness, m)?)?;
    m.add_function(wrap_pyfunction!(stats_autocorr, m)?)?;
    m.add_function(wrap_pyfunction!(stats_avg_corr_coeff, m)?)?;
    m.add_function(wrap_pyfunction!(stats_spike_times, m)?)?;
    m.add_function(wrap_pyfunction!(stats_spike_time_intervals, m)?)?;
    m.add_function(wrap_pyfunction!(stats_hamming_distance, m)?)?;
    m.add_function(wrap_pyfunction!(stats_fanofactor, m)?)?;
    m.add_function(wrap_pyfunction!(stats_spike_source_entropy, m)?)?;
    Ok(())
}

/// A `(T, N)` array as a raster (nonzero = spike).
fn raster(train: &PyReadonlyArray2<'_, f64>) -> Raster {
    let a = train.as_array();
    let (t, n) = a.dim();
    let mut r = Raster::with_capacity(n, t);
    let mut words = vec![0u32; n.div_ceil(32)];
    for row in a.rows() {
        words.fill(0);
        for (i, &v) in row.iter().enumerate() {
            if v != 0.0 {
                words[i / 32] |= 1 << (i % 32);
            }
        }
        r.push_words(&words);
    }
    r
}

/// `(duration, bin_size, mean spikes per bin)` of one unit.
#[pyfunction]
fn stats_firing_rate_neuron(
    train: PyReadonlyArray2<'_, f64>,
    neuron: usize,
    bin_size: usize,
) -> PyResult<(usize, usize, f64)> {
    st::firing_rate_neuron(&raster(&train), neuron, bin_size).map_err(value_error)
}

/// Active units per step.
#[pyfunction]
fn stats_firing_rate_network<'py>(py: Python<'py>, train: PyReadonlyArray2<'py, f64>) -> Bound<'py, PyArray1<i64>> {
    let v: Vec<i64> = st::firing_rate_network(&raster(&train)).into_iter().map(|c| c as i64).collect();
    PyArray1::from_vec(py, v)
}

/// Standard deviation of the first difference.
#[pyfunction]
fn stats_scale_dependent_smoothness(rates: Vec<f64>) -> PyResult<f64> {
    st::scale_dependent_smoothness(&rates).map_err(value_error)
}

/// std / |mean| of the first difference; `None` when the mean difference is 0.
#[pyfunction]
fn stats_scale_independent_smoothness(rates: Vec<f64>) -> PyResult<Option<f64>> {
    st::scale_independent_smoothness(&rates).map_err(value_error)
}

/// The 2 x 2 correlation matrix of the series and itself shifted by `t`; `None` when a part is
/// constant.
#[pyfunction]
fn stats_autocorr(rates: Vec<f64>, t: usize) -> PyResult<Option<[[f64; 2]; 2]>> {
    st::autocorr(&rates, t).map_err(value_error)
}

/// The units' correlation matrix (flat, `N x N`) and its mean.
#[pyfunction]
fn stats_avg_corr_coeff<'py>(py: Python<'py>, train: PyReadonlyArray2<'py, f64>) -> PyResult<(Bound<'py, PyAny>, f64)> {
    let r = raster(&train);
    let n = r.units();
    let (m, avg) = py.detach(|| st::avg_corr_coeff(&r)).map_err(value_error)?;
    Ok((PyArray1::from_vec(py, m).reshape([n, n])?.into_any(), avg))
}

/// Steps at which a 0/1 train is 1.
#[pyfunction]
fn stats_spike_times<'py>(py: Python<'py>, train: PyReadonlyArray1<'py, f64>) -> Bound<'py, PyArray1<i64>> {
    let t: Vec<f64> = train.as_array().iter().copied().collect();
    PyArray1::from_vec(py, st::spike_times(&t).into_iter().map(|x| x as i64).collect())
}

/// Inter-spike intervals of a 0/1 train.
#[pyfunction]
fn stats_spike_time_intervals<'py>(py: Python<'py>, train: PyReadonlyArray1<'py, f64>) -> Bound<'py, PyArray1<i64>> {
    let t: Vec<f64> = train.as_array().iter().copied().collect();
    PyArray1::from_vec(py, st::spike_time_intervals(&t).into_iter().map(|x| x as i64).collect())
}

/// Differing units per step of two trains of one shape.
#[pyfunction]
fn stats_hamming_distance(a: PyReadonlyArray2<'_, f64>, b: PyReadonlyArray2<'_, f64>) -> PyResult<Vec<usize>> {
    st::hamming_distance(&raster(&a), &raster(&b)).map_err(value_error)
}

/// `(mean, variance, fano)` of one unit's spike counts in `windows` equal windows.
#[pyfunction]
fn stats_fanofactor(
    train: PyReadonlyArray2<'_, f64>,
    neuron: usize,
    windows: usize,
) -> PyResult<(f64, f64, Option<f64>)> {
    st::fanofactor(&raster(&train), neuron, windows).map_err(value_error)
}

/// Normalised entropy of which unit produced each spike.
#[pyfunction]
fn stats_spike_source_entropy(train: PyReadonlyArray2<'_, f64>, num_neurons: usize) -> PyResult<f64> {
    st::spike_source_entropy(&raster(&train), num_neurons).map_err(value_error)
}
