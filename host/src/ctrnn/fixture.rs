//! nn4n parity fixtures (spec §12): read one, replay every run, report the largest deviations.

use std::path::Path;

use neuroloop_core::ctrnn::{Dims, Noise};
use serde_json::Value;

use super::{Masks, Model, ModelError, json};

/// Result of replaying a fixture.
#[derive(Clone, Debug, PartialEq)]
pub struct FixtureReport {
    /// Fixture name.
    pub name: String,
    /// Runs replayed.
    pub runs: usize,
    /// Steps replayed over all runs.
    pub steps: usize,
    /// Largest |difference| of hidden state (`v`, `r`, and `fr0`) over every run, step, unit.
    pub max_hidden_diff: f32,
    /// Largest |difference| of the readout.
    pub max_output_diff: f32,
}

impl FixtureReport {
    /// The spec's tolerance for a float32 re-implementation.
    pub const TOLERANCE: f32 = 1e-5;

    /// True when both maxima are within [`FixtureReport::TOLERANCE`].
    pub fn passes(&self) -> bool {
        self.max_hidden_diff <= Self::TOLERANCE && self.max_output_diff <= Self::TOLERANCE
    }
}

fn field<'a>(o: &'a serde_json::Map<String, Value>, k: &str) -> Result<&'a Value, ModelError> {
    o.get(k).ok_or_else(|| ModelError::Missing { field: k.to_string() })
}

/// Reads the model part of a fixture (weights `*_to_from`, alpha, activation, masks).
fn model(o: &serde_json::Map<String, Value>) -> Result<Model, ModelError> {
    let h = field(o, "b_rec")?.as_array().map_or(0, Vec::len);
    let i = json::shape(field(o, "w_in_to_from")?).map_or(0, |s| s.1);
    let n_out = field(o, "b_out")?.as_array().map_or(0, Vec::len);
    if h == 0 || i == 0 || n_out == 0 {
        return Err(ModelError::Shape {
            field: "dims".into(),
            expected: "non-empty layers".into(),
            found: "an empty one".into(),
        });
    }
    if let Some(d) = o.get("dims") {
        let got = (d["input"].as_u64(), d["hidden"].as_u64(), d["output"].as_u64());
        if got != (Some(i as u64), Some(h as u64), Some(n_out as u64)) {
            return Err(ModelError::Shape {
                field: "dims".into(),
                expected: format!("input {i}, hidden {h}, output {n_out} (the arrays' sizes)"),
                found: d.to_string(),
            });
        }
    }
    let activation = json::activation(field(o, "activation")?)?;
    let alpha = json::alpha(field(o, "alpha")?, h)?;
    let b_in = match o.get("b_in") {
        Some(v) if !v.is_null() => json::vector(v, "b_in", h)?,
        _ => vec![0.0; h],
    };
    let params = [
        json::matrix(field(o, "w_in_to_from")?, "w_in_to_from", h, i)?,
        b_in,
        json::matrix(field(o, "w_rec_to_from")?, "w_rec_to_from", h, h)?,
        json::vector(field(o, "b_rec")?, "b_rec", h)?,
        json::matrix(field(o, "w_out_to_from")?, "w_out_to_from", n_out, h)?,
        json::vector(field(o, "b_out")?, "b_out", n_out)?,
        alpha,
    ]
    .concat();
    let mut masks = Masks::default();
    let mut neuron_sign = None;
    if let Some(m) = o.get("masks").and_then(Value::as_object) {
        let mat = |key: &str, rows, cols| -> Result<Option<Vec<f32>>, ModelError> {
            match m.get(key) {
                Some(v) if !v.is_null() => Ok(Some(json::matrix(v, &format!("masks.{key}"), rows, cols)?)),
                _ => Ok(None),
            }
        };
        masks.sparsity_in = mat("sparsity_in_to_from", h, i)?;
        masks.sparsity_rec = mat("sparsity_rec_to_from", h, h)?;
        masks.sparsity_out = mat("sparsity_out_to_from", n_out, h)?;
        masks.ei_in = mat("ei_in_to_from", h, i)?;
        masks.ei_rec = mat("ei_rec_to_from", h, h)?;
        masks.ei_out = mat("ei_out_to_from", n_out, h)?;
        if let Some(v) = m.get("neuron_sign").filter(|v| !v.is_null()) {
            neuron_sign = Some(json::neuron_signs(v, "masks.neuron_sign", h)?);
        }
        // Sparsity entries: nonzero means present; signs: > 0 means +1, else -1 (nn4n).
        for s in [&mut masks.sparsity_in, &mut masks.sparsity_rec, &mut masks.sparsity_out].into_iter().flatten() {
            s.iter_mut().for_each(|x| *x = if *x != 0.0 { 1.0 } else { 0.0 });
        }
        for s in [&mut masks.ei_in, &mut masks.ei_rec, &mut masks.ei_out].into_iter().flatten() {
            s.iter_mut().for_each(|x| *x = if *x > 0.0 { 1.0 } else { -1.0 });
        }
    }
    let mut model = Model {
        dims: Dims { inputs: i, hidden: h, outputs: n_out },
        activation,
        params,
        v0: vec![0.0; h],
        noise: Noise::default(),
        neuron_sign,
        masks,
        areas: None,
        meta: None,
    };
    // The weights of a fixture already satisfy its masks; a violation is an error.
    model.check_constraints(false)?;
    Ok(model)
}

/// Replays every run of a fixture (JSON text) and reports the largest deviations.
pub fn check_fixture(text: &str) -> Result<FixtureReport, ModelError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
    let o = v.as_object().ok_or(ModelError::NotAnObject)?;
    if let Some(n) = o.get("noise") {
        for k in ["preact_noise", "postact_noise"] {
            let x = n.get(k).and_then(Value::as_f64).unwrap_or(0.0);
            if x != 0.0 {
                return Err(ModelError::Shape {
                    field: format!("noise.{k}"),
                    expected: "0 (a noisy fixture cannot be replayed value by value)".into(),
                    found: x.to_string(),
                });
            }
        }
    }
    let model = model(o)?;
    let Dims { inputs: i, hidden: h, outputs: n_out } = model.dims;
    let net = model.network();
    let runs = field(o, "runs")?.as_array().ok_or_else(|| ModelError::Shape {
        field: "runs".into(),
        expected: "an array".into(),
        found: o["runs"].to_string(),
    })?;
    let (mut dh, mut dy, mut steps) = (0.0f32, 0.0f32, 0usize);
    for (k, run) in runs.iter().enumerate() {
        let f = |name: &str| format!("runs[{k}].{name}");
        let get = |name: &str| run.get(name).ok_or_else(|| ModelError::Missing { field: f(name) });
        let input = get("input")?;
        let t = input.as_array().map_or(0, Vec::len);
        let input = json::matrix(input, &f("input"), t, i)?;
        let v0 = json::vector(get("v0")?, &f("v0"), h)?;
        // `hidden_v` may be null (nn4n itself never returns v): then only r and y are compared.
        let hv = match run.get("hidden_v") {
            Some(v) if !v.is_null() => Some(json::matrix(v, &f("hidden_v"), t, h)?),
            _ => None,
        };
        let hr = json::matrix(get("hidden_fr")?, &f("hidden_fr"), t, h)?;
        let out = json::matrix(get("output")?, &f("output"), t, n_out)?;
        let mut state = vec![0.0f32; 2 * h];
        net.init_state(&v0, &mut state).map_err(|e| ModelError::Json(e.to_string()))?;
        if let Some(fr0) = run.get("fr0").filter(|v| !v.is_null()) {
            let fr0 = json::vector(fr0, &f("fr0"), h)?;
            dh = fr0.iter().zip(&state[h..]).map(|(a, b)| (a - b).abs()).fold(dh, f32::max);
        }
        let mut y = vec![0.0f32; n_out];
        for s in 0..t {
            net.step(&mut state, &input[s * i..(s + 1) * i], &mut y, None)
                .map_err(|e| ModelError::Json(e.to_string()))?;
            let (v, r) = state.split_at(h);
            if let Some(hv) = &hv {
                dh = v.iter().zip(&hv[s * h..(s + 1) * h]).map(|(a, b)| (a - b).abs()).fold(dh, f32::max);
            }
            dh = r.iter().zip(&hr[s * h..(s + 1) * h]).map(|(a, b)| (a - b).abs()).fold(dh, f32::max);
            dy = y.iter().zip(&out[s * n_out..(s + 1) * n_out]).map(|(a, b)| (a - b).abs()).fold(dy, f32::max);
        }
        steps += t;
    }
    let name = o.get("name").and_then(Value::as_str).unwrap_or("").to_string();
    Ok(FixtureReport { name, runs: runs.len(), steps, max_hidden_diff: dh, max_output_diff: dy })
}

/// Reads and replays a fixture file.
pub fn check_fixture_file(path: &Path) -> anyhow::Result<FixtureReport> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    check_fixture(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}
