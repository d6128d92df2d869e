//! The model file's shape as serde sees it, and the checks that turn its numbers into the
//! core's `f32` arrays with errors that name the field and index.

use neuroloop_core::ctrnn::Activation;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ModelError;
use crate::json::JsonError;

/// `alpha`: one number for every neuron, or one per neuron.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged, expecting = "a number, or a list of one number per neuron")]
pub(super) enum Alpha {
    /// The same for every neuron.
    Scalar(f64),
    /// One per neuron.
    PerNeuron(Vec<f64>),
}

/// `noise_std`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(super) struct NoiseStd {
    pub preact: Option<f64>,
    pub postact: Option<f64>,
}

/// `masks`: every mask optional, `[to][from]`.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub(super) struct MasksFile {
    pub sparsity_in: Option<Vec<Vec<f64>>>,
    pub sparsity_rec: Option<Vec<Vec<f64>>>,
    pub sparsity_out: Option<Vec<Vec<f64>>>,
    pub ei_in: Option<Vec<Vec<f64>>>,
    pub ei_rec: Option<Vec<Vec<f64>>>,
    pub ei_out: Option<Vec<Vec<f64>>>,
}

/// The `neuroloop-ctrnn` model file, version 1 (spec section 11), in its field order.
#[serde_with::skip_serializing_none]
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(super) struct ModelFile {
    pub format: String,
    pub version: u64,
    pub activation: String,
    pub alpha: Alpha,
    pub w_in: Vec<Vec<f64>>,
    #[serde(default)]
    pub b_in: Option<Vec<f64>>,
    pub w_rec: Vec<Vec<f64>>,
    pub b_rec: Vec<f64>,
    pub w_out: Vec<Vec<f64>>,
    pub b_out: Vec<f64>,
    #[serde(default)]
    pub v0: Option<Vec<f64>>,
    #[serde(default)]
    pub noise_std: Option<NoiseStd>,
    #[serde(default)]
    pub neuron_sign: Option<Vec<f64>>,
    #[serde(default)]
    pub masks: Option<MasksFile>,
    #[serde(default)]
    pub areas: Option<Value>,
    #[serde(default)]
    pub meta: Option<Value>,
}

/// A serde error as a model error: unknown and missing keys get their own variants, the rest
/// names the path.
impl From<JsonError> for ModelError {
    fn from(e: JsonError) -> Self {
        let quoted = |p: &str| p.split('`').nth(1).map(str::to_string);
        let at = |key: String| if e.path == "." { key } else { e.path.clone() };
        if e.problem.starts_with("unknown field") {
            if let Some(key) = quoted(&e.problem) {
                return ModelError::UnknownKey { key: at(key) };
            }
        }
        if e.problem.starts_with("missing field") {
            if let Some(key) = quoted(&e.problem) {
                let field = if e.path == "." { key } else { format!("{}.{key}", e.path) };
                return ModelError::Missing { field };
            }
        }
        if e.syntax {
            return ModelError::Json(e.problem);
        }
        ModelError::Field { path: e.path, problem: e.problem }
    }
}

/// The activation named `name` (one of nn4n's four).
pub(super) fn activation(name: &str) -> Result<Activation, ModelError> {
    name.parse::<Activation>().map_err(|_| ModelError::Activation { name: name.to_string() })
}

/// `alpha` for `h` neurons.
pub(super) fn alpha(a: &Alpha, h: usize) -> Result<Vec<f32>, ModelError> {
    match a {
        Alpha::PerNeuron(v) => vector(v, "alpha", h),
        Alpha::Scalar(x) => Ok(vec![number(*x, "alpha", String::new)?; h]),
    }
}

/// Dale's-law signs: `[h]` entries, each +1 or -1.
pub(super) fn neuron_signs(v: &[f64], field: &str, h: usize) -> Result<Vec<f32>, ModelError> {
    let s = vector(v, field, h)?;
    if let Some((index, &value)) = s.iter().enumerate().find(|(_, x)| **x != 1.0 && **x != -1.0) {
        return Err(ModelError::NeuronSign { index, value });
    }
    Ok(s)
}

/// A finite `f32` from a number (one rounding from the double value).
pub(super) fn number(x: f64, field: &str, index: impl FnOnce() -> String) -> Result<f32, ModelError> {
    let f = x as f32;
    if !f.is_finite() {
        return Err(ModelError::NotFinite { field: field.to_string(), index: index() });
    }
    Ok(f)
}

/// A vector of exactly `n` numbers.
pub(super) fn vector(v: &[f64], field: &str, n: usize) -> Result<Vec<f32>, ModelError> {
    if v.len() != n {
        return Err(ModelError::Shape {
            field: field.to_string(),
            expected: format!("[{n}]"),
            found: format!("[{}]", v.len()),
        });
    }
    v.iter().enumerate().map(|(i, &x)| number(x, field, || format!("[{i}]"))).collect()
}

/// A `rows x cols` matrix, row-major. Every row's length is checked before anything is
/// reserved for the result, so a file's claims never size an allocation.
pub(super) fn matrix(m: &[Vec<f64>], field: &str, rows: usize, cols: usize) -> Result<Vec<f32>, ModelError> {
    let shape = || format!("[{rows}][{cols}]");
    if m.len() != rows {
        return Err(ModelError::Shape {
            field: field.to_string(),
            expected: shape(),
            found: format!("{} rows", m.len()),
        });
    }
    if let Some((r, row)) = m.iter().enumerate().find(|(_, row)| row.len() != cols) {
        return Err(ModelError::Shape {
            field: field.to_string(),
            expected: shape(),
            found: format!("row {r} has {} columns", row.len()),
        });
    }
    let mut out = Vec::with_capacity(rows * cols);
    for (r, row) in m.iter().enumerate() {
        for (c, &x) in row.iter().enumerate() {
            out.push(number(x, field, || format!("[{r}][{c}]"))?);
        }
    }
    Ok(out)
}

/// Columns of the first row (0 for an empty matrix): how sizes are inferred.
pub(super) fn cols(m: &[Vec<f64>]) -> usize {
    m.first().map_or(0, Vec::len)
}

/// An `f32` matrix as nested rows of the exact `f64` values.
pub(super) fn to_rows(w: &[f32], cols: usize) -> Vec<Vec<f64>> {
    w.chunks(cols.max(1)).map(to_f64s).collect()
}

/// `f32`s as their exact `f64` values (what the file stores).
pub(super) fn to_f64s(w: &[f32]) -> Vec<f64> {
    w.iter().map(|&x| f64::from(x)).collect()
}
