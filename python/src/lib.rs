//! # neuroloop-python
//!
//! The native half of the `neuroloop` Python package (module `neuroloop._neuroloop`, built by
//! maturin from `python/pyproject.toml`). It only moves data between numpy and the
//! [`neuroloop_host`] / [`neuroloop_core`] types: every model step, rule, statistic and plant
//! is the crates' own code. The pure-Python modules in `python/neuroloop/` shape the API
//! (the `sorn` package's call conventions, gymnasium's classes).
//!
//! Long calls (runs, forward passes, vector steps) release the GIL, so Python threads running
//! separate networks use separate cores.
//!
//! Errors: a refused argument raises `ValueError` with the crates' message; nothing panics on
//! user input.

use pyo3::prelude::*;

mod ctrnn;
mod envs;
mod sorn;
mod stats;

/// An error of the crates as a Python `ValueError` carrying its full message chain.
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(e.to_string())
}

/// An `anyhow` error (with its context chain) as a `ValueError`.
pub(crate) fn anyhow_error(e: anyhow::Error) -> PyErr {
    pyo3::exceptions::PyValueError::new_err(format!("{e:#}"))
}

/// The extension module.
#[pymodule]
fn _neuroloop(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    sorn::register(m)?;
    stats::register(m)?;
    ctrnn::register(m)?;
    envs::register(m)?;
    Ok(())
}
