//! Random initialisation as nn4n 1.2.0 does it (spec §7) and the multi-area builders (§9),
//! from an explicit seed. Matches nn4n in distribution, not value by value (nn4n draws from
//! PyTorch's and numpy's global generators).

use neuroloop_core::ctrnn::{Activation, Config, Dims, Layout, Noise, enforce};
use neuroloop_core::rng::NetRng;

use super::{Masks, Model};

/// Weight initialisation of a layer with fan-in `k`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WeightInit {
    /// `U(-1/sqrt(k), 1/sqrt(k))` (nn4n's default).
    #[default]
    Uniform,
    /// `N(0, 1) / sqrt(k)`.
    Normal,
    /// All zeros.
    Zero,
}

/// How E/I balance is restored after the sign masks clamp a layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EiBalance {
    /// nn4n 1.2.0: scale the larger of the excitatory and inhibitory sums down to the other.
    #[default]
    Scale,
    /// nn4n 1.1.1's behaviour: always divide the layer by 10.
    DivideBy10,
}

/// Initialisation options (nn4n's defaults).
#[derive(Clone, Debug, PartialEq)]
pub struct InitOptions {
    /// Weights of all three layers.
    pub weights: WeightInit,
    /// Biases: `None` = zeros (nn4n's `CTRNN` default); `Some(init)` draws them like weights.
    pub biases: Option<WeightInit>,
    /// Time step.
    pub dt: f32,
    /// Time constant (`alpha = f32(dt) / f32(tau)` for every neuron).
    pub tau: f32,
    /// Masks applied at initialisation (and written to the model).
    pub masks: Masks,
    /// Dale's law signs.
    pub neuron_sign: Option<Vec<f32>>,
    /// E/I balance rule.
    pub balance: EiBalance,
}

impl Default for InitOptions {
    fn default() -> Self {
        InitOptions {
            weights: WeightInit::Uniform,
            biases: None,
            dt: 10.0,
            tau: 100.0,
            masks: Masks::default(),
            neuron_sign: None,
            balance: EiBalance::Scale,
        }
    }
}

fn draw(init: WeightInit, k: usize, n: usize, rng: &mut NetRng) -> Vec<f32> {
    let bound = 1.0 / (k.max(1) as f32).sqrt();
    (0..n)
        .map(|_| match init {
            WeightInit::Uniform => bound * (2.0 * rng.uniform_f32() - 1.0),
            WeightInit::Normal => rng.normal() * bound,
            WeightInit::Zero => 0.0,
        })
        .collect()
}

/// E/I balance of one layer with sign mask `sign` (spec §7 step 5).
///
/// ```
/// use neuroloop_host::ctrnn::{EiBalance, balance};
/// let mut w = [0.4f32, 0.2, -0.3, 0.0];
/// balance(&mut w, &[1.0, 1.0, -1.0, -1.0], EiBalance::Scale);
/// let (e, i): (f32, f32) = (w[0] + w[1], w[2] + w[3]);
/// assert!((e + i).abs() < 1e-7); // E = |I| = 0.3
/// ```
pub fn balance(w: &mut [f32], sign: &[f32], rule: EiBalance) {
    let (mut e, mut i) = (0.0f32, 0.0f32);
    for (x, s) in w.iter().zip(sign) {
        if *s > 0.0 { e += x } else { i += x }
    }
    if rule == EiBalance::DivideBy10 || e == 0.0 || i == 0.0 {
        w.iter_mut().for_each(|x| *x /= 10.0);
        return;
    }
    let (larger_is_e, scale) = if e > -i { (true, -i / e) } else { (false, e / -i) };
    for (x, s) in w.iter_mut().zip(sign) {
        if (*s > 0.0) == larger_is_e {
            *x *= scale;
        }
    }
}

/// A model initialised as nn4n 1.2.0 initialises a `CTRNN`, from `seed`.
pub fn random_model(dims: Dims, activation: Activation, opts: &InitOptions, seed: u64) -> Model {
    let Dims { inputs: i, hidden: h, outputs: o } = dims;
    let mut rng = NetRng::seed_from_u64(seed);
    let dale: Option<Vec<f32>> = opts.neuron_sign.as_ref().map(|s| (0..h * h).map(|k| s[k % h]).collect());
    let mut layer = |fan_in: usize, rows: usize, sp: &Option<Vec<f32>>, ei: Option<&Vec<f32>>| {
        let mut w = draw(opts.weights, fan_in, rows * fan_in, &mut rng);
        let b = match opts.biases {
            Some(init) => draw(init, fan_in, rows, &mut rng),
            None => vec![0.0; rows],
        };
        enforce(&mut w, sp.as_deref(), ei.map(|v| &v[..]));
        if let Some(sign) = ei {
            balance(&mut w, sign, opts.balance);
        }
        (w, b)
    };
    let m = &opts.masks;
    let rec_sign = m.ei_rec.as_ref().or(dale.as_ref());
    let (w_in, b_in) = layer(i, h, &m.sparsity_in, m.ei_in.as_ref());
    let (w_rec, b_rec) = layer(h, h, &m.sparsity_rec, rec_sign);
    let (w_out, b_out) = layer(h, o, &m.sparsity_out, m.ei_out.as_ref());
    let alpha = vec![opts.dt / opts.tau; h];
    let params = [w_in, b_in, w_rec, b_rec, w_out, b_out, alpha].concat();
    debug_assert_eq!(params.len(), Layout::new(&Config::new(dims, activation)).params_len);
    Model {
        dims,
        activation,
        params,
        v0: vec![0.0; h],
        noise: Noise::default(),
        neuron_sign: opts.neuron_sign.clone(),
        masks: m.clone(),
        areas: None,
        meta: Some(
            serde_json::json!({"source": "neuroloop random_model", "seed": seed, "dt": opts.dt, "tau": opts.tau}),
        ),
    }
}

/// nn4n's `MultiArea` / `MultiAreaEI` mask builders: hidden neurons split into contiguous
/// areas, Bernoulli connectivity per area pair, input and readout restricted to some areas, and
/// (with `ei`) excitatory and inhibitory neurons with Dale's-law signs.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiArea {
    /// Area sizes (sum = H).
    pub sizes: Vec<usize>,
    /// Connection probabilities `P[to_area][from_area]`, row-major `A x A`.
    pub connectivity: Vec<f32>,
    /// Areas receiving input (all-ones input rows).
    pub input_areas: Vec<usize>,
    /// Areas read out (all-ones readout columns).
    pub readout_areas: Vec<usize>,
    /// E/I options (`MultiAreaEI`); `None` for plain `MultiArea`.
    pub ei: Option<AreaEi>,
}

/// The E/I part of `MultiAreaEI`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AreaEi {
    /// Fraction of each area that is excitatory (the first `floor(size * exc_pct)` neurons).
    pub exc_pct: f32,
    /// Between-area synapses kept for E->E, E->I, I->E, I->I (presynaptic -> postsynaptic).
    pub inter_area: [bool; 4],
    /// Read out inhibitory neurons too.
    pub inh_readout: bool,
}

impl Default for AreaEi {
    fn default() -> Self {
        AreaEi { exc_pct: 0.8, inter_area: [true; 4], inh_readout: true }
    }
}

impl MultiArea {
    /// `n` equal areas of `hidden` neurons with nn4n's list form `[forward, feedback, within]`
    /// (forward fills the strictly lower triangle, feedback the upper, within the diagonal);
    /// input to and readout from every area. `None` if `hidden` is not divisible by `n`.
    ///
    /// ```
    /// use neuroloop_host::ctrnn::MultiArea;
    /// let m = MultiArea::equal(100, 2, [0.1, 0.05, 1.0]).unwrap();
    /// assert_eq!(m.connectivity, [1.0, 0.05, 0.1, 1.0]);
    /// ```
    pub fn equal(hidden: usize, n: usize, p: [f32; 3]) -> Option<MultiArea> {
        if n == 0 || !hidden.is_multiple_of(n) {
            return None;
        }
        let connectivity = (0..n * n)
            .map(|k| {
                let (to, from) = (k / n, k % n);
                if to > from {
                    p[0]
                } else if to < from {
                    p[1]
                } else {
                    p[2]
                }
            })
            .collect();
        Some(MultiArea {
            sizes: vec![hidden / n; n],
            connectivity,
            input_areas: (0..n).collect(),
            readout_areas: (0..n).collect(),
            ei: None,
        })
    }

    /// Builds the masks for `dims` (`dims.hidden` must equal the area sizes' sum) from `seed`:
    /// sparsity masks for the three layers and, with `ei`, sign masks for the hidden and readout
    /// layers and `neuron_sign`.
    pub fn build(&self, dims: Dims, seed: u64) -> Result<(Masks, Option<Vec<f32>>), String> {
        let Dims { inputs: ni, hidden: h, outputs: no } = dims;
        let a = self.sizes.len();
        if self.sizes.iter().sum::<usize>() != h {
            return Err(format!("area sizes sum to {}, hidden is {h}", self.sizes.iter().sum::<usize>()));
        }
        if self.connectivity.len() != a * a {
            return Err(format!("connectivity has {} entries, {a} areas need {}", self.connectivity.len(), a * a));
        }
        let area_of: Vec<usize> = self.sizes.iter().enumerate().flat_map(|(k, &s)| std::iter::repeat_n(k, s)).collect();
        let start: Vec<usize> = self
            .sizes
            .iter()
            .scan(0, |acc, &s| {
                let st = *acc;
                *acc += s;
                Some(st)
            })
            .collect();
        let excitatory: Vec<bool> = match self.ei {
            Some(ei) => {
                (0..h).map(|n| n - start[area_of[n]] < (self.sizes[area_of[n]] as f32 * ei.exc_pct) as usize).collect()
            }
            None => vec![true; h],
        };
        let mut rng = NetRng::seed_from_u64(seed);
        let mut rec = vec![0.0f32; h * h];
        for to in 0..h {
            for from in 0..h {
                let p = self.connectivity[area_of[to] * a + area_of[from]];
                if p > 0.0 && rng.uniform_f32() < p {
                    rec[to * h + from] = 1.0;
                }
            }
        }
        if let Some(ei) = self.ei {
            for to in 0..h {
                for from in 0..h {
                    if area_of[to] == area_of[from] {
                        continue; // within-area synapses are never removed
                    }
                    let class = match (excitatory[from], excitatory[to]) {
                        (true, true) => 0,
                        (true, false) => 1,
                        (false, true) => 2,
                        (false, false) => 3,
                    };
                    if !ei.inter_area[class] {
                        rec[to * h + from] = 0.0;
                    }
                }
            }
        }
        let input_rows: Vec<bool> = (0..h).map(|n| self.input_areas.contains(&area_of[n])).collect();
        let sparsity_in: Vec<f32> = (0..h * ni).map(|k| if input_rows[k / ni] { 1.0 } else { 0.0 }).collect();
        let inh_read = self.ei.is_none_or(|e| e.inh_readout);
        let read_cols: Vec<bool> =
            (0..h).map(|n| self.readout_areas.contains(&area_of[n]) && (excitatory[n] || inh_read)).collect();
        let sparsity_out: Vec<f32> = (0..no * h).map(|k| if read_cols[k % h] { 1.0 } else { 0.0 }).collect();
        let mut masks = Masks {
            sparsity_in: Some(sparsity_in),
            sparsity_rec: Some(rec.clone()),
            sparsity_out: Some(sparsity_out),
            ..Masks::default()
        };
        if self.ei.is_none() {
            return Ok((masks, None));
        }
        let sign: Vec<f32> = excitatory.iter().map(|&e| if e { 1.0 } else { -1.0 }).collect();
        // nn4n's stored sign masks: the neuron's sign where the synapse exists, -1 where pruned.
        masks.ei_rec = Some((0..h * h).map(|k| if rec[k] != 0.0 { sign[k % h] } else { -1.0 }).collect());
        masks.ei_out = Some((0..no * h).map(|k| if read_cols[k % h] { sign[k % h] } else { -1.0 }).collect());
        Ok((masks, Some(sign)))
    }
}
