//! CTRNN models on the host: the `neuroloop-ctrnn` model file (spec §11), nn4n parity
//! fixtures (§12), random initialisation as nn4n does it and the multi-area builders (§7, §9),
//! and Rust source for embedding a model in firmware.

mod embed;
mod file;
mod fixture;
mod init;
mod parallel;

use std::fmt;
use std::path::Path;

use neuroloop_core::ctrnn::{
    Activation, Config, Ctrnn, Dims, EnforceCount, Layout, Noise, NoiseScaling, ParamSpans, enforce,
};
use neuroloop_core::env::Space;
use neuroloop_core::layout::Span;
use neuroloop_core::policy::{CtrnnPolicy, PolicyError};
use serde_json::Value;

use file::{Alpha, MasksFile, ModelFile, NoiseStd};

pub use embed::{blob, rust_source};
pub use fixture::{FixtureReport, check_fixture, check_fixture_file};
pub use init::{AreaEi, EiBalance, InitOptions, MultiArea, WeightInit, balance, random_model};
pub use parallel::step_batch_parallel;

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
    /// Parameters in the core's layout ([`Layout`], [`Model::spans`]).
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

/// A controller of the host: the core's [`CtrnnPolicy`] over owned buffers.
pub type HostCtrnnPolicy = CtrnnPolicy<Vec<f32>, Vec<f32>>;

/// A model read from a file, and how many weights `clamp_on_load` repaired.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    /// The model.
    pub model: Model,
    /// Repairs (zero unless `clamp_on_load`).
    pub repaired: EnforceCount,
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
    /// A value of the wrong type where the file's shape says (`w_in[3][1]`, `noise_std`).
    Field {
        /// Path of the value, e.g. `w_in[3][1]`.
        path: String,
        /// What is wrong.
        problem: String,
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
    /// A `masks.ei_rec` entry of an unpruned synapse that disagrees with its presynaptic
    /// neuron's `neuron_sign` (Dale's law: a neuron's outgoing synapses share one sign).
    SignDisagrees {
        /// Row of `masks.ei_rec` (postsynaptic neuron).
        row: usize,
        /// Column (presynaptic neuron, the index into `neuron_sign`).
        col: usize,
        /// The mask entry.
        mask: f32,
        /// `neuron_sign[col]`.
        sign: f32,
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
            ModelError::Field { path, problem } => write!(f, "{path}: {problem}"),
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
            ModelError::SignDisagrees { row, col, mask, sign } => write!(
                f,
                "masks.ei_rec[{row}][{col}] = {mask:+} disagrees with neuron_sign[{col}] = {sign:+}: under Dale's \
                 law every outgoing synapse of neuron {col} (column {col}, rows are postsynaptic) has its sign \
                 (a mask that marks rows instead of columns is transposed)"
            ),
            ModelError::NeuronSign { index, value } => write!(f, "neuron_sign[{index}] = {value}: must be +1 or -1"),
            ModelError::Violation { field, row, col, value, rule } => {
                write!(f, "{field}[{row}][{col}] = {value} breaks {rule}")
            }
        }
    }
}

impl std::error::Error for ModelError {}

impl Model {
    /// Parses and validates a model file (spec §11.2). With `clamp_on_load`, weights that break
    /// their masks are repaired; the result counts the repairs.
    pub fn from_json(text: &str, opts: LoadOptions) -> Result<Loaded, ModelError> {
        if !text.trim_start().starts_with('{') && serde_json::from_str::<Value>(text).is_ok() {
            return Err(ModelError::NotAnObject);
        }
        let f: ModelFile = crate::json::from_str(text)?;
        if f.format != "neuroloop-ctrnn" {
            return Err(ModelError::Format { found: format!("{:?}", f.format) });
        }
        if f.version != 1 {
            return Err(ModelError::Version { found: f.version.to_string() });
        }
        let activation = file::activation(&f.activation)?;
        // Sizes come from the arrays: H = len(b_rec), I = len(w_in[0]), O = len(b_out).
        let (h, i, n_out) = (f.b_rec.len(), file::cols(&f.w_in), f.b_out.len());
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
        let w_in = file::matrix(&f.w_in, "w_in", h, i)?;
        let b_in = match &f.b_in {
            Some(v) => file::vector(v, "b_in", h)?,
            None => vec![0.0; h],
        };
        let w_rec = file::matrix(&f.w_rec, "w_rec", h, h)?;
        let b_rec = file::vector(&f.b_rec, "b_rec", h)?;
        let w_out = file::matrix(&f.w_out, "w_out", n_out, h)?;
        let b_out = file::vector(&f.b_out, "b_out", n_out)?;
        let alpha = file::alpha(&f.alpha, h)?;
        if !opts.allow_any_alpha {
            if let Some((index, &value)) = alpha.iter().enumerate().find(|(_, a)| !(**a > 0.0 && **a <= 1.0)) {
                return Err(ModelError::Alpha { index, value });
            }
        }
        let v0 = match &f.v0 {
            Some(v) => file::vector(v, "v0", h)?,
            None => vec![0.0; h],
        };
        let mut noise = Noise { pre: 0.0, post: 0.0, scaling: NoiseScaling::Alpha };
        if let Some(n) = &f.noise_std {
            for (key, value, slot) in
                [("noise_std.preact", n.preact, &mut noise.pre), ("noise_std.postact", n.postact, &mut noise.post)]
            {
                let x = file::number(value.unwrap_or(0.0), key, String::new)?;
                if x < 0.0 {
                    return Err(ModelError::NegativeNoise { key: key.into() });
                }
                *slot = x;
            }
        }
        let neuron_sign = f.neuron_sign.as_deref().map(|v| file::neuron_signs(v, "neuron_sign", h)).transpose()?;
        let mut masks = Masks::default();
        if let Some(m) = &f.masks {
            let layers = [
                ("sparsity_in", &m.sparsity_in, &mut masks.sparsity_in, (h, i)),
                ("sparsity_rec", &m.sparsity_rec, &mut masks.sparsity_rec, (h, h)),
                ("sparsity_out", &m.sparsity_out, &mut masks.sparsity_out, (n_out, h)),
                ("ei_in", &m.ei_in, &mut masks.ei_in, (h, i)),
                ("ei_rec", &m.ei_rec, &mut masks.ei_rec, (h, h)),
                ("ei_out", &m.ei_out, &mut masks.ei_out, (n_out, h)),
            ];
            for (key, given, slot, (rows, cols)) in layers {
                let Some(given) = given else { continue };
                let field = format!("masks.{key}");
                let mat = file::matrix(given, &field, rows, cols)?;
                let allowed: &[f32] = if key.starts_with("sparsity") { &[0.0, 1.0] } else { &[1.0, -1.0] };
                if let Some(k) = mat.iter().position(|x| !allowed.contains(x)) {
                    return Err(ModelError::MaskEntry { field, row: k / cols, col: k % cols, value: mat[k] });
                }
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
            areas: f.areas,
            meta: f.meta,
        };
        let repaired = model.check_constraints(opts.clamp_on_load)?;
        Ok(Loaded { model, repaired })
    }

    /// The core's configuration of this model (sizes, activation, noise levels).
    pub fn config(&self) -> Config {
        Config { dims: self.dims, activation: self.activation, noise: self.noise }
    }

    /// Where each parameter array lies in [`Model::params`] (the core's layout).
    pub fn spans(&self) -> ParamSpans {
        Layout::new(&self.config()).params
    }

    /// The three weight matrices in `params`: span, columns, name.
    fn weight_matrices(&self) -> [(Span, usize, &'static str); 3] {
        let (sp, d) = (self.spans(), self.dims);
        [(sp.w_in, d.inputs, "w_in"), (sp.w_rec, d.hidden, "w_rec"), (sp.w_out, d.hidden, "w_out")]
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
                    return Err(ModelError::SignDisagrees { row: k / h, col: k % h, mask: ei[k], sign: s[k % h] });
                }
            }
        }
        let mut total = EnforceCount::default();
        let layers = [
            (&m.sparsity_in, &m.ei_in, None),
            (&m.sparsity_rec, &m.ei_rec, dale.as_ref()),
            (&m.sparsity_out, &m.ei_out, None),
        ];
        for ((span, cols, field), (sp, ei, dale)) in self.weight_matrices().into_iter().zip(layers) {
            let w = span.of_mut(&mut self.params);
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
    pub fn load(path: &Path, opts: LoadOptions) -> anyhow::Result<Loaded> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        Model::from_json(&text, opts).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The model file (every number the decimal of its exact `f32` value), in the spec's field
    /// order.
    pub fn to_json(&self) -> String {
        let (sp, d) = (self.spans(), self.dims);
        let p = &self.params;
        let rows = |s: Span, cols: usize| file::to_rows(s.of(p), cols);
        let mask = |m: &Option<Vec<f32>>, cols: usize| m.as_ref().map(|m| file::to_rows(m, cols));
        let m = &self.masks;
        let masks = MasksFile {
            sparsity_in: mask(&m.sparsity_in, d.inputs),
            sparsity_rec: mask(&m.sparsity_rec, d.hidden),
            sparsity_out: mask(&m.sparsity_out, d.hidden),
            ei_in: mask(&m.ei_in, d.inputs),
            ei_rec: mask(&m.ei_rec, d.hidden),
            ei_out: mask(&m.ei_out, d.hidden),
        };
        let f = ModelFile {
            format: "neuroloop-ctrnn".into(),
            version: 1,
            activation: self.activation.name().into(),
            alpha: Alpha::PerNeuron(file::to_f64s(sp.alpha.of(p))),
            w_in: rows(sp.w_in, d.inputs),
            b_in: Some(file::to_f64s(sp.b_in.of(p))),
            w_rec: rows(sp.w_rec, d.hidden),
            b_rec: file::to_f64s(sp.b_rec.of(p)),
            w_out: rows(sp.w_out, d.hidden),
            b_out: file::to_f64s(sp.b_out.of(p)),
            v0: Some(file::to_f64s(&self.v0)),
            noise_std: Some(NoiseStd {
                preact: Some(f64::from(self.noise.pre)),
                postact: Some(f64::from(self.noise.post)),
            }),
            neuron_sign: self.neuron_sign.as_deref().map(file::to_f64s),
            masks: (masks != MasksFile::default()).then_some(masks),
            areas: self.areas.clone(),
            meta: self.meta.clone(),
        };
        serde_json::to_string_pretty(&f).unwrap_or_default()
    }

    /// Writes the model file.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, self.to_json()).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
    }

    /// The network (parameters copied into a `Vec` buffer); noise levels set but inactive
    /// until a step is given a generator.
    pub fn network(&self) -> Result<Ctrnn<Vec<f32>>, neuroloop_core::ctrnn::Error> {
        Ctrnn::new_any_alpha(&self.config(), self.params.clone())
    }

    /// The model as a controller for `actions` (see [`CtrnnPolicy`]).
    pub fn policy(&self, actions: Space) -> Result<HostCtrnnPolicy, PolicyError> {
        let net = self.network()?;
        let scratch = vec![0.0f32; HostCtrnnPolicy::scratch_len(self.dims, actions)];
        CtrnnPolicy::new(net, &self.v0, actions, scratch)
    }

    /// Runs the model on `inputs` (`T` rows of `I` values), noise-free, from `v0`; returns the
    /// `T` readout rows.
    pub fn run(&self, inputs: &[Vec<f32>]) -> anyhow::Result<Vec<Vec<f32>>> {
        let net = self.network()?;
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

/// Reads the input of `neuroloop ctrnn run` from CSV text: `width` numbers per row (one row
/// per time step). A first line whose cells are all names (not numbers) is a header; an input
/// without rows is an error; every error names the line.
///
/// ```
/// let rows = neuroloop_host::ctrnn::read_input_csv("u0,u1\n0.5,1\n-2,3e-1\n".as_bytes(), 2).unwrap();
/// assert_eq!(rows, [[0.5, 1.0], [-2.0, 0.3]]);
/// assert!(neuroloop_host::ctrnn::read_input_csv("0.5,x\n".as_bytes(), 2).is_err());
/// assert!(neuroloop_host::ctrnn::read_input_csv("".as_bytes(), 2).is_err());
/// // Not a header: a value written another way is an error, not a skipped line.
/// assert!(neuroloop_host::ctrnn::read_input_csv("np.float32(0.5),1\n0,1\n".as_bytes(), 2).is_err());
/// ```
pub fn read_input_csv(text: impl std::io::Read, width: usize) -> anyhow::Result<Vec<Vec<f32>>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text);
    let mut rows = Vec::new();
    for (n, record) in r.records().enumerate() {
        let record = record.map_err(|e| anyhow::anyhow!("line {}: {e}", n + 1))?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let cells: Result<Vec<f32>, _> = record.iter().map(str::parse::<f32>).collect();
        match cells {
            Ok(v) if v.len() == width => {
                if let Some(k) = v.iter().position(|x| !x.is_finite()) {
                    anyhow::bail!("line {}: value {} is not finite", n + 1, k + 1);
                }
                rows.push(v);
            }
            Ok(v) => anyhow::bail!("line {}: {} values, the model has {width} inputs", n + 1, v.len()),
            Err(_) if n == 0 && record.len() == width && record.iter().all(is_column_name) => {} // header
            Err(e) => anyhow::bail!("line {}: {e} (every cell must be a number)", n + 1),
        }
    }
    if rows.is_empty() {
        anyhow::bail!("no input rows");
    }
    Ok(rows)
}

/// A header cell: a name such as `u0`, `obs[1]` or `x velocity` (not a number, and not a
/// value written some other way, such as `np.float32(0.5)`, which must be an error).
fn is_column_name(cell: &str) -> bool {
    let mut chars = cell.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || " _-.[]".contains(c))
        && cell.parse::<f64>().is_err()
}

/// [`read_input_csv`] of a file; errors name the file.
pub fn read_input_csv_file(path: &Path, width: usize) -> anyhow::Result<Vec<Vec<f32>>> {
    if path.is_dir() {
        anyhow::bail!("cannot read {}: it is a directory", path.display());
    }
    let f = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    read_input_csv(std::io::BufReader::new(f), width).map_err(|e| anyhow::anyhow!("{} {e}", path.display()))
}
