//! nn4n parity fixtures (spec §12): read one, replay every run, report the largest deviations.
//!
//! The fixture's descriptive fields (provenance, `tau`, notes) are allowed and ignored.

use std::path::Path;

use neuroloop_core::ctrnn::{Dims, Noise};
use serde::Deserialize;

use super::file::{self, Alpha};
use super::{Masks, Model, ModelError};

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

#[derive(Clone, Debug, Deserialize)]
struct FixtureDims {
    input: usize,
    hidden: usize,
    output: usize,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct FixtureNoise {
    preact_noise: Option<f64>,
    postact_noise: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
struct FixtureMasks {
    sparsity_in_to_from: Option<Vec<Vec<f64>>>,
    sparsity_rec_to_from: Option<Vec<Vec<f64>>>,
    sparsity_out_to_from: Option<Vec<Vec<f64>>>,
    ei_in_to_from: Option<Vec<Vec<f64>>>,
    ei_rec_to_from: Option<Vec<Vec<f64>>>,
    ei_out_to_from: Option<Vec<Vec<f64>>>,
    neuron_sign: Option<Vec<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
struct FixtureRun {
    input: Vec<Vec<f64>>,
    v0: Vec<f64>,
    #[serde(default)]
    fr0: Option<Vec<f64>>,
    /// May be null: nn4n itself never returns `v`; then only `r` and `y` are compared.
    #[serde(default)]
    hidden_v: Option<Vec<Vec<f64>>>,
    hidden_fr: Vec<Vec<f64>>,
    output: Vec<Vec<f64>>,
}

#[derive(Clone, Debug, Deserialize)]
struct Fixture {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    dims: Option<FixtureDims>,
    activation: String,
    alpha: Alpha,
    #[serde(default)]
    noise: Option<FixtureNoise>,
    w_in_to_from: Vec<Vec<f64>>,
    #[serde(default)]
    b_in: Option<Vec<f64>>,
    w_rec_to_from: Vec<Vec<f64>>,
    b_rec: Vec<f64>,
    w_out_to_from: Vec<Vec<f64>>,
    b_out: Vec<f64>,
    #[serde(default)]
    masks: Option<FixtureMasks>,
    runs: Vec<FixtureRun>,
}

/// Reads the model part of a fixture (weights `*_to_from`, alpha, activation, masks).
fn model(f: &Fixture, allow_any_alpha: bool) -> Result<Model, ModelError> {
    let (h, i, n_out) = (f.b_rec.len(), file::cols(&f.w_in_to_from), f.b_out.len());
    if h == 0 || i == 0 || n_out == 0 {
        return Err(ModelError::Shape {
            field: "dims".into(),
            expected: "non-empty layers".into(),
            found: "an empty one".into(),
        });
    }
    if let Some(d) = &f.dims {
        if (d.input, d.hidden, d.output) != (i, h, n_out) {
            return Err(ModelError::Shape {
                field: "dims".into(),
                expected: format!("input {i}, hidden {h}, output {n_out} (the arrays' sizes)"),
                found: format!("input {}, hidden {}, output {}", d.input, d.hidden, d.output),
            });
        }
    }
    let activation = file::activation(&f.activation)?;
    let b_in = match &f.b_in {
        Some(v) => file::vector(v, "b_in", h)?,
        None => vec![0.0; h],
    };
    let params = [
        file::matrix(&f.w_in_to_from, "w_in_to_from", h, i)?,
        b_in,
        file::matrix(&f.w_rec_to_from, "w_rec_to_from", h, h)?,
        file::vector(&f.b_rec, "b_rec", h)?,
        file::matrix(&f.w_out_to_from, "w_out_to_from", n_out, h)?,
        file::vector(&f.b_out, "b_out", n_out)?,
        file::alpha(&f.alpha, h)?,
    ]
    .concat();
    // The loader's rule: a replay that passes must be of a model `ctrnn run` also accepts.
    let alpha = &params[params.len() - h..];
    if let Some((index, &value)) = alpha.iter().enumerate().find(|(_, a)| !(**a > 0.0 && **a <= 1.0)) {
        if !allow_any_alpha {
            return Err(ModelError::Alpha { index, value });
        }
    }
    let mut masks = Masks::default();
    let mut neuron_sign = None;
    if let Some(m) = &f.masks {
        let mat = |key: &str, given: &Option<Vec<Vec<f64>>>, rows, cols| {
            given.as_ref().map(|v| file::matrix(v, &format!("masks.{key}"), rows, cols)).transpose()
        };
        masks.sparsity_in = mat("sparsity_in_to_from", &m.sparsity_in_to_from, h, i)?;
        masks.sparsity_rec = mat("sparsity_rec_to_from", &m.sparsity_rec_to_from, h, h)?;
        masks.sparsity_out = mat("sparsity_out_to_from", &m.sparsity_out_to_from, n_out, h)?;
        masks.ei_in = mat("ei_in_to_from", &m.ei_in_to_from, h, i)?;
        masks.ei_rec = mat("ei_rec_to_from", &m.ei_rec_to_from, h, h)?;
        masks.ei_out = mat("ei_out_to_from", &m.ei_out_to_from, n_out, h)?;
        if let Some(v) = &m.neuron_sign {
            neuron_sign = Some(file::neuron_signs(v, "masks.neuron_sign", h)?);
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

/// Largest |a - b| over the pairs, folded into `acc`; NaN if any difference is NaN (a replay
/// that produces NaN must fail, and `f32::max` would drop it).
fn max_diff(acc: f32, a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(acc, |m, d| if d.is_nan() || m.is_nan() { f32::NAN } else { m.max(d) })
}

/// Replays every run of a fixture (JSON text) and reports the largest deviations. An alpha
/// outside `(0, 1]` (nn4n does not bound a learned alpha) is refused as the model loader
/// refuses it, unless `allow_any_alpha` (`--allow-any-alpha`, as for `ctrnn run`).
pub fn check_fixture(text: &str, allow_any_alpha: bool) -> Result<FixtureReport, ModelError> {
    let f: Fixture = crate::json::from_str(text)?;
    let noise = f.noise.clone().unwrap_or_default();
    for (k, x) in [("preact_noise", noise.preact_noise), ("postact_noise", noise.postact_noise)] {
        let x = x.unwrap_or(0.0);
        if x != 0.0 {
            return Err(ModelError::Shape {
                field: format!("noise.{k}"),
                expected: "0 (a noisy fixture cannot be replayed value by value)".into(),
                found: x.to_string(),
            });
        }
    }
    if f.runs.is_empty() || f.runs.iter().any(|r| r.input.is_empty()) {
        return Err(ModelError::Shape {
            field: "runs".into(),
            expected: "at least one run of at least one step".into(),
            found: format!("{} runs", f.runs.len()),
        });
    }
    let model = model(&f, allow_any_alpha)?;
    let Dims { inputs: i, hidden: h, outputs: n_out } = model.dims;
    let net = model.network().map_err(|e| ModelError::Json(e.to_string()))?;
    let (mut dh, mut dy, mut steps) = (0.0f32, 0.0f32, 0usize);
    for (k, run) in f.runs.iter().enumerate() {
        let name = |field: &str| format!("runs[{k}].{field}");
        let t = run.input.len();
        let input = file::matrix(&run.input, &name("input"), t, i)?;
        let v0 = file::vector(&run.v0, &name("v0"), h)?;
        let hv = run.hidden_v.as_ref().map(|v| file::matrix(v, &name("hidden_v"), t, h)).transpose()?;
        let hr = file::matrix(&run.hidden_fr, &name("hidden_fr"), t, h)?;
        let out = file::matrix(&run.output, &name("output"), t, n_out)?;
        let mut state = vec![0.0f32; 2 * h];
        net.init_state(&v0, &mut state).map_err(|e| ModelError::Json(e.to_string()))?;
        if let Some(fr0) = &run.fr0 {
            dh = max_diff(dh, &file::vector(fr0, &name("fr0"), h)?, &state[h..]);
        }
        let mut y = vec![0.0f32; n_out];
        for s in 0..t {
            net.step(&mut state, &input[s * i..(s + 1) * i], &mut y, None)
                .map_err(|e| ModelError::Json(e.to_string()))?;
            let (v, r) = state.split_at(h);
            if let Some(hv) = &hv {
                dh = max_diff(dh, v, &hv[s * h..(s + 1) * h]);
            }
            dh = max_diff(dh, r, &hr[s * h..(s + 1) * h]);
            dy = max_diff(dy, &y, &out[s * n_out..(s + 1) * n_out]);
        }
        steps += t;
    }
    Ok(FixtureReport {
        name: f.name.unwrap_or_default(),
        runs: f.runs.len(),
        steps,
        max_hidden_diff: dh,
        max_output_diff: dy,
    })
}

/// Reads and replays a fixture file.
pub fn check_fixture_file(path: &Path, allow_any_alpha: bool) -> anyhow::Result<FixtureReport> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    check_fixture(&text, allow_any_alpha).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}
