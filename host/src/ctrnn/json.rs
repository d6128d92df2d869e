//! Reading numbers, vectors and matrices out of JSON with errors that name the field and index.

use neuroloop_core::ctrnn::Activation;
use serde_json::Value;

use super::ModelError;

/// The activation named by `v` (one of nn4n's four).
pub fn activation(v: &Value) -> Result<Activation, ModelError> {
    let name = v.as_str().unwrap_or("(not a string)");
    name.parse::<Activation>().map_err(|_| ModelError::Activation { name: name.to_string() })
}

/// `alpha` as a scalar for all `h` neurons or an `[h]` array.
pub fn alpha(v: &Value, h: usize) -> Result<Vec<f32>, ModelError> {
    match v {
        Value::Array(_) => vector(v, "alpha", h),
        x => Ok(vec![number(x, "alpha", "")?; h]),
    }
}

/// Dale's-law signs: `[h]` entries, each +1 or -1.
pub fn neuron_signs(v: &Value, field: &str, h: usize) -> Result<Vec<f32>, ModelError> {
    let s = vector(v, field, h)?;
    if let Some((index, &value)) = s.iter().enumerate().find(|(_, x)| **x != 1.0 && **x != -1.0) {
        return Err(ModelError::NeuronSign { index, value });
    }
    Ok(s)
}

/// A finite `f32` from a JSON number (one rounding from the decimal's double value).
pub fn number(v: &Value, field: &str, index: &str) -> Result<f32, ModelError> {
    let x = v.as_f64().ok_or_else(|| ModelError::NotNumber { field: field.to_string(), index: index.to_string() })?;
    let f = x as f32;
    if !f.is_finite() {
        return Err(ModelError::NotFinite { field: field.to_string(), index: index.to_string() });
    }
    Ok(f)
}

/// A vector of exactly `n` numbers.
pub fn vector(v: &Value, field: &str, n: usize) -> Result<Vec<f32>, ModelError> {
    let a = v.as_array().ok_or_else(|| ModelError::Shape {
        field: field.to_string(),
        expected: format!("[{n}]"),
        found: kind(v).to_string(),
    })?;
    if a.len() != n {
        return Err(ModelError::Shape {
            field: field.to_string(),
            expected: format!("[{n}]"),
            found: format!("[{}]", a.len()),
        });
    }
    a.iter().enumerate().map(|(i, x)| number(x, field, &format!("[{i}]"))).collect()
}

/// A `rows x cols` matrix, row-major.
pub fn matrix(v: &Value, field: &str, rows: usize, cols: usize) -> Result<Vec<f32>, ModelError> {
    let shape = || format!("[{rows}][{cols}]");
    let a = v.as_array().ok_or_else(|| ModelError::Shape {
        field: field.to_string(),
        expected: shape(),
        found: kind(v).to_string(),
    })?;
    if a.len() != rows {
        return Err(ModelError::Shape {
            field: field.to_string(),
            expected: shape(),
            found: format!("{} rows", a.len()),
        });
    }
    let mut out = Vec::with_capacity(rows * cols);
    for (r, row) in a.iter().enumerate() {
        let ra = row.as_array().ok_or_else(|| ModelError::Shape {
            field: field.to_string(),
            expected: shape(),
            found: format!("row {r} is {}", kind(row)),
        })?;
        if ra.len() != cols {
            return Err(ModelError::Shape {
                field: field.to_string(),
                expected: shape(),
                found: format!("row {r} has {} columns", ra.len()),
            });
        }
        for (c, x) in ra.iter().enumerate() {
            out.push(number(x, field, &format!("[{r}][{c}]"))?);
        }
    }
    Ok(out)
}

/// Number of rows and of columns of the first row of a nested array (for inferring sizes).
pub fn shape(v: &Value) -> Option<(usize, usize)> {
    let a = v.as_array()?;
    let cols = a.first()?.as_array()?.len();
    Some((a.len(), cols))
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A matrix as nested JSON arrays.
pub fn to_matrix(w: &[f32], rows: usize, cols: usize) -> Value {
    Value::Array((0..rows).map(|r| to_vector(&w[r * cols..(r + 1) * cols])).collect())
}

/// A vector as a JSON array; each `f32` written as the decimal of its exact double value.
pub fn to_vector(w: &[f32]) -> Value {
    Value::Array(w.iter().map(|&x| serde_json::json!(f64::from(x))).collect())
}
