//! CTRNN models on the host: the `neuroloop-ctrnn` model file (spec §11), nn4n parity
//! fixtures (§12), random initialisation as nn4n does it and the multi-area builders (§7, §9),
//! and Rust source for embedding a model in firmware.

mod embed;
mod fixture;
mod init;
mod json;

use std::fmt;
use std::path::Path;

use neuroloop_core::ctrnn::{Activation, Ctrnn, CtrnnLayout, Dims, EnforceCount, Noise, NoiseScaling, enforce};
use serde_json::{Map, Value};

pub use embed::rust_source;
pub use fixture::{FixtureReport, check_fixture, check_fixture_file};
pub use init::{AreaEi, EiBalance, InitOptions, MultiArea, WeightInit, balance, random_model};

/// The sparsity and sign masks of the three layers, `[to][from]`, each optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Masks {
    /// Input sparsity `[H][I]` (0 or 1).
    pub sparsity_in: Option<Vec<f32>>,
    /// Recurrent sparsity `[H][H]`.
    pub sparsity_rec: Option<Vec<f32>>,
    /// Readout sparsity `[O][H]`.
    pub sparsity_out: Option<Vec<f32>>,
    /// Input signs `[H][I]` (+1 or -1).
    pub ei_in: Option<Vec<f32>>,
    /// Recurrent signs `[H][H]`.
    pub ei_rec: Option<Vec<f32>>,
    /// Readout signs `[O][H]`.
    pub ei_out: Option<Vec<f32>>,
}

/// A CTRNN model as the model file holds it.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Sizes.
    pub dims: Dims,
    /// Activation.
    pub activation: Activation,
    /// Parameters in the core's layout ([`CtrnnLayout`]).
    pub params: Vec<f32>,
    /// Initial pre-activation `[H]`.
    pub v0: Vec<f32>,
    /// Training noise levels (runs are noise-free unless noise is switched on with a seed).
    pub noise: Noise,
    /// Dale's law: +1 excitatory, -1 inhibitory, per presynaptic neuron.
    pub neuron_sign: Option<Vec<f32>>,
    /// Masks.
    pub masks: Masks,
    /// Descriptive area information, kept as given.
    pub areas: Option<Value>,
    /// Free-form provenance.
    pub meta: Option<Value>,
}

/// Leniency options of the loader (spec §10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Repair weights that break their masks (the enforcement rule) instead of refusing them.
    pub clamp_on_load: bool,
    /// Accept any finite alpha (nn4n does not clamp learned alphas).
    pub allow_any_alpha: bool,
}

/// A model file problem; every variant names the field and, where it applies, the index.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelError {
    /// Not JSON.
    Json(String),
    /// The top level is not an object.
    NotAnObject,
    /// `format` is missing or not `"neuroloop-ctrnn"`.
    Format {
        /// What was found.
        found: String,
    },
    /// `version` is missing or not 1.
    Version {
        /// What was found.
        found: String,
    },
    /// A key the format does not have.
    UnknownKey {
        /// The key (with its parent object, e.g. `masks.ei_foo`).
        key: String,
    },
    /// A required field is missing.
    Missing {
        /// The field.
        field: String,
    },
    /// A value that should be a number is not.
    NotNumber {
        /// The field.
        field: String,
        /// The index, e.g. `[3][1]`.
        index: String,
    },
    /// A number is NaN, infinite or overflows `f32`.
    NotFinite {
        /// The field.
        field: String,
        /// The index.
        index: String,
    },
    /// An array has the wrong shape.
    Shape {
        /// The field.
        field: String,
        /// The shape required.
        expected: String,
        /// What was found.
        found: String,
    },
    /// An activation nn4n does not have.
    Activation {
        /// The name found.
        name: String,
    },
    /// `alpha` outside `(0, 1]`.
    Alpha {
        /// Neuron.
        index: usize,
        /// Value.
        value: f32,
    },
    /// A negative noise standard deviation.
    NegativeNoise {
        /// `noise_std.preact` or `noise_std.postact`.
        key: String,
    },
    /// A mask entry outside its allowed values.
    MaskEntry {
        /// The mask.
        field: String,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The value.
        value: f32,
    },
    /// A `neuron_sign` entry that is not +1 or -1.
    NeuronSign {
        /// Neuron.
        index: usize,
        /// The value.
        value: f32,
    },
    /// A weight that breaks its sparsity or sign mask.
    Violation {
        /// The weight matrix.
        field: String,
        /// Row.
        row: usize,
        /// Column.
        col: usize,
        /// The weight.
        value: f32,
        /// Which constraint.
        rule: &'static str,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelError::Json(e) => write!(f, "not valid JSON: {e}"),
            ModelError::NotAnObject => f.write_str("the model file must be a JSON object"),
            ModelError::Format { found } => write!(f, "format is {found}: must be \"neuroloop-ctrnn\""),
            ModelError::Version { found } => write!(f, "version is {found}: this build reads version 1"),
            ModelError::UnknownKey { key } => write!(f, "unknown key {key:?}"),
            ModelError::Missing { field } => write!(f, "missing field {field}"),
            ModelError::NotNumber { field, index } => write!(f, "{field}{index} is not a number"),
            ModelError::NotFinite { field, index } => write!(f, "{field}{index} is not a finite f32"),
            ModelError::Shape { field, expected, found } => write!(f, "{field} must be {expected}, found {found}"),
            ModelError::Activation { name } => {
                write!(f, "activation {name:?} is not one of relu, tanh, sigmoid, retanh")
            }
            ModelError::Alpha { index, value } => write!(f, "alpha[{index}] = {value}: must be in (0, 1]"),
            ModelError::NegativeNoise { key } => write!(f, "{key} is negative: must be >= 0"),
            ModelError::MaskEntry { field, row, col, value } => {
                let allowed = if field.starts_with("masks.sparsity") { "0 or 1" } else { "+1 or -1" };
                write!(f, "{field}[{row}][{col}] = {value}: entries must be {allowed}")
            }
            ModelError::NeuronSign { index, value } => write!(f, "neuron_sign[{index}] = {value}: must be +1 or -1"),
            ModelError::Violation { field, row, col, value, rule } => {
                write!(f, "{field}[{row}][{col}] = {value} breaks {rule}")
            }
        }
    }
}

impl std::error::Error for ModelError {}

const TOP_KEYS: [&str; 16] = [
    "format",
    "version",
    "activation",
    "alpha",
    "w_in",
    "b_in",
    "w_rec",
    "b_rec",
    "w_out",
    "b_out",
    "v0",
    "noise_std",
    "neuron_sign",
    "masks",
    "areas",
    "meta",
];
const MASK_KEYS: [&str; 6] = ["sparsity_in", "sparsity_rec", "sparsity_out", "ei_in", "ei_rec", "ei_out"];

fn get<'a>(o: &'a Map<String, Value>, field: &str) -> Result<&'a Value, ModelError> {
    o.get(field).ok_or_else(|| ModelError::Missing { field: field.to_string() })
}

impl Model {
    /// Parses and validates a model file (spec §11.2). With `clamp_on_load`, weights that break
    /// their masks are repaired and the count of repairs is returned.
    pub fn from_json(text: &str, opts: LoadOptions) -> Result<(Model, EnforceCount), ModelError> {
        let v: Value = serde_json::from_str(text).map_err(|e| ModelError::Json(e.to_string()))?;
        let o = v.as_object().ok_or(ModelError::NotAnObject)?;
        match o.get("format") {
            Some(Value::String(s)) if s == "neuroloop-ctrnn" => {}
            other => return Err(ModelError::Format { found: other.map_or("missing".into(), |v| v.to_string()) }),
        }
        match o.get("version") {
            Some(v) if v.as_u64() == Some(1) => {}
            other => return Err(ModelError::Version { found: other.map_or("missing".into(), |v| v.to_string()) }),
        }
        if let Some(k) = o.keys().find(|k| !TOP_KEYS.contains(&k.as_str())) {
            return Err(ModelError::UnknownKey { key: k.clone() });
        }
        let activation = json::activation(get(o, "activation")?)?;
        // Sizes come from the arrays: H = len(b_rec), I = len(w_in[0]), O = len(b_out).
        let h = get(o, "b_rec")?.as_array().map_or(0, Vec::len);
        let i = json::shape(get(o, "w_in")?).map_or(0, |s| s.1);
        let n_out = get(o, "b_out")?.as_array().map_or(0, Vec::len);
        for (field, n) in [("b_rec", h), ("w_in", i), ("b_out", n_out)] {
            if n == 0 {
                return Err(ModelError::Shape {
                    field: field.into(),
                    expected: "at least one element".into(),
                    found: "none".into(),
                });
            }
        }
        let dims = Dims { inputs: i, hidden: h, outputs: n_out };
        let w_in = json::matrix(get(o, "w_in")?, "w_in", h, i)?;
        let b_in = match o.get("b_in") {
            Some(v) => json::vector(v, "b_in", h)?,
            None => vec![0.0; h],
        };
        let w_rec = json::matrix(get(o, "w_rec")?, "w_rec", h, h)?;
        let b_rec = json::vector(get(o, "b_rec")?, "b_rec", h)?;
        let w_out = json::matrix(get(o, "w_out")?, "w_out", n_out, h)?;
        let b_out = json::vector(get(o, "b_out")?, "b_out", n_out)?;
        let alpha = json::alpha(get(o, "alpha")?, h)?;
        if !opts.allow_any_alpha {
            if let Some((index, &value)) = alpha.iter().enumerate().find(|(_, a)| !(**a > 0.0 && **a <= 1.0)) {
                return Err(ModelError::Alpha { index, value });
            }
        }
        let v0 = match o.get("v0") {
            Some(v) => json::vector(v, "v0", h)?,
            None => vec![0.0; h],
        };
        let mut noise = Noise { pre: 0.0, post: 0.0, scaling: NoiseScaling::Alpha };
        if let Some(n) = o.get("noise_std") {
            let no = n.as_object().ok_or_else(|| ModelError::Shape {
                field: "noise_std".into(),
                expected: "an object {preact, postact}".into(),
                found: n.to_string(),
            })?;
            for (k, v) in no {
                let x = json::number(v, &format!("noise_std.{k}"), "")?;
                if x < 0.0 {
                    return Err(ModelError::NegativeNoise { key: format!("noise_std.{k}") });
                }
                match k.as_str() {
                    "preact" => noise.pre = x,
                    "postact" => noise.post = x,
                    _ => return Err(ModelError::UnknownKey { key: format!("noise_std.{k}") }),
                }
            }
        }
        let neuron_sign = o.get("neuron_sign").map(|v| json::neuron_signs(v, "neuron_sign", h)).transpose()?;
        let mut masks = Masks::default();
        if let Some(m) = o.get("masks") {
            let mo = m.as_object().ok_or_else(|| ModelError::Shape {
                field: "masks".into(),
                expected: "an object".into(),
                found: m.to_string(),
            })?;
            if let Some(k) = mo.keys().find(|k| !MASK_KEYS.contains(&k.as_str())) {
                return Err(ModelError::UnknownKey { key: format!("masks.{k}") });
            }
            for key in MASK_KEYS {
                let Some(v) = mo.get(key).filter(|v| !v.is_null()) else { continue };
                let (rows, cols) = match key {
                    "sparsity_in" | "ei_in" => (h, i),
                    "sparsity_rec" | "ei_rec" => (h, h),
                    _ => (n_out, h),
                };
                let field = format!("masks.{key}");
                let mat = json::matrix(v, &field, rows, cols)?;
                let allowed: &[f32] = if key.starts_with("sparsity") { &[0.0, 1.0] } else { &[1.0, -1.0] };
                if let Some(k) = mat.iter().position(|x| !allowed.contains(x)) {
                    return Err(ModelError::MaskEntry { field, row: k / cols, col: k % cols, value: mat[k] });
                }
                let slot = match key {
                    "sparsity_in" => &mut masks.sparsity_in,
                    "sparsity_rec" => &mut masks.sparsity_rec,
                    "sparsity_out" => &mut masks.sparsity_out,
                    "ei_in" => &mut masks.ei_in,
                    "ei_rec" => &mut masks.ei_rec,
                    _ => &mut masks.ei_out,
                };
                *slot = Some(mat);
            }
        }
        let mut model = Model {
            dims,
            activation,
            params: [w_in, b_in, w_rec, b_rec, w_out, b_out, alpha].concat(),
            v0,
            noise,
            neuron_sign,
            masks,
            areas: o.get("areas").cloned(),
            meta: o.get("meta").cloned(),
        };
        let repaired = model.check_constraints(opts.clamp_on_load)?;
        Ok((model, repaired))
    }

    /// Ranges of the three weight matrices in `params`.
    fn ranges(&self) -> [(std::ops::Range<usize>, usize, &'static str); 3] {
        let Dims { inputs: i, hidden: h, outputs: o } = self.dims;
        let w_rec = h * i + h;
        let w_out = w_rec + h * h + h;
        [(0..h * i, i, "w_in"), (w_rec..w_rec + h * h, h, "w_rec"), (w_out..w_out + o * h, h, "w_out")]
    }

    /// The sign mask of `w_rec` that `neuron_sign` implies (column j gets neuron j's sign).
    fn dale_mask(&self) -> Option<Vec<f32>> {
        let h = self.dims.hidden;
        self.neuron_sign.as_ref().map(|s| (0..h * h).map(|k| s[k % h]).collect())
    }

    /// Checks (or, with `repair`, enforces) every weight against its masks and Dale's law.
    fn check_constraints(&mut self, repair: bool) -> Result<EnforceCount, ModelError> {
        let m = self.masks.clone();
        let dale = self.dale_mask();
        // ei_rec must agree with neuron_sign where the synapse is not pruned (nn4n stores -1 at
        // pruned synapses whatever the neuron's sign).
        if let (Some(ei), Some(s)) = (&m.ei_rec, &self.neuron_sign) {
            let h = self.dims.hidden;
            for k in 0..h * h {
                let pruned = m.sparsity_rec.as_ref().is_some_and(|sp| sp[k] == 0.0);
                if !pruned && ei[k] != s[k % h] {
                    return Err(ModelError::MaskEntry {
                        field: "masks.ei_rec".into(),
                        row: k / h,
                        col: k % h,
                        value: ei[k],
                    });
                }
            }
        }
        let mut total = EnforceCount::default();
        let layers = [
            (&m.sparsity_in, &m.ei_in, None),
            (&m.sparsity_rec, &m.ei_rec, dale.as_ref()),
            (&m.sparsity_out, &m.ei_out, None),
        ];
        for ((range, cols, field), (sp, ei, dale)) in self.ranges().into_iter().zip(layers) {
            let w = &mut self.params[range];
            let mut probe = w.to_vec();
            let mut c = enforce(&mut probe, sp.as_deref(), ei.as_deref());
            c.clamped += enforce(&mut probe, None, dale.map(|d| &d[..])).clamped;
            if c == EnforceCount::default() {
                continue;
            }
            if !repair {
                let k = w.iter().zip(&probe).position(|(a, b)| a != b).unwrap_or(0);
                let rule = if sp.as_ref().is_some_and(|s| s[k] == 0.0) {
                    "its sparsity mask (pruned synapse)"
                } else if field == "w_rec" && dale.is_some() && ei.is_none() {
                    "Dale's law (neuron_sign)"
                } else {
                    "its sign mask"
                };
                return Err(ModelError::Violation {
                    field: field.into(),
                    row: k / cols,
                    col: k % cols,
                    value: w[k],
                    rule,
                });
            }
            w.copy_from_slice(&probe);
            total.pruned += c.pruned;
            total.clamped += c.clamped;
        }
        Ok(total)
    }

    /// Reads a model file (see [`Model::from_json`]).
    pub fn load(path: &Path, opts: LoadOptions) -> anyhow::Result<(Model, EnforceCount)> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Model::from_json(&text, opts).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The model file JSON (every number the decimal of its exact `f32` value).
    pub fn to_json(&self) -> Value {
        let Dims { inputs: i, hidden: h, outputs: o } = self.dims;
        let p = &self.params;
        let l = CtrnnLayout::new(self.dims);
        let mut off = 0;
        let mut take = |n: usize| {
            let s = &p[off..off + n];
            off += n;
            s
        };
        let (w_in, b_in, w_rec, b_rec, w_out, b_out, alpha) =
            (take(h * i), take(h), take(h * h), take(h), take(o * h), take(o), take(h));
        debug_assert_eq!(off, l.params_len);
        let mut out = serde_json::json!({
            "format": "neuroloop-ctrnn",
            "version": 1,
            "activation": self.activation.name(),
            "alpha": json::to_vector(alpha),
            "w_in": json::to_matrix(w_in, h, i),
            "b_in": json::to_vector(b_in),
            "w_rec": json::to_matrix(w_rec, h, h),
            "b_rec": json::to_vector(b_rec),
            "w_out": json::to_matrix(w_out, o, h),
            "b_out": json::to_vector(b_out),
            "v0": json::to_vector(&self.v0),
            "noise_std": {"preact": f64::from(self.noise.pre), "postact": f64::from(self.noise.post)},
        });
        let obj = out.as_object_mut().expect("an object");
        if let Some(s) = &self.neuron_sign {
            obj.insert("neuron_sign".into(), json::to_vector(s));
        }
        let mut masks = Map::new();
        for (key, m, rows, cols) in [
            ("sparsity_in", &self.masks.sparsity_in, h, i),
            ("sparsity_rec", &self.masks.sparsity_rec, h, h),
            ("sparsity_out", &self.masks.sparsity_out, o, h),
            ("ei_in", &self.masks.ei_in, h, i),
            ("ei_rec", &self.masks.ei_rec, h, h),
            ("ei_out", &self.masks.ei_out, o, h),
        ] {
            if let Some(m) = m {
                masks.insert(key.into(), json::to_matrix(m, rows, cols));
            }
        }
        if !masks.is_empty() {
            obj.insert("masks".into(), Value::Object(masks));
        }
        if let Some(a) = &self.areas {
            obj.insert("areas".into(), a.clone());
        }
        if let Some(m) = &self.meta {
            obj.insert("meta".into(), m.clone());
        }
        out
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string_pretty(&self.to_json())?)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }

    /// The network (parameters copied into a `Vec` buffer); noise levels set but inactive
    /// until a step is given a generator.
    pub fn network(&self) -> Ctrnn<Vec<f32>> {
        let mut net = Ctrnn::new_any_alpha(self.dims, self.activation, self.params.clone())
            .expect("a validated model is a valid network");
        net.set_noise(self.noise).expect("validated noise levels");
        net
    }

    /// Runs the model on `inputs` (`T` rows of `I` values), noise-free, from `v0`; returns the
    /// `T` readout rows.
    pub fn run(&self, inputs: &[Vec<f32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        let net = self.network();
        let mut state = vec![0.0f32; 2 * self.dims.hidden];
        net.init_state(&self.v0, &mut state)?;
        let mut y = vec![0.0f32; self.dims.outputs];
        inputs
            .iter()
            .enumerate()
            .map(|(t, u)| {
                net.step(&mut state, u, &mut y, None).map_err(|e| anyhow::anyhow!("input row {}: {e}", t + 1))?;
                Ok(y.clone())
            })
            .collect()
    }
}
