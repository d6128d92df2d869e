//! The network: parameters in a caller-owned buffer, the batch-1 step and the batched step.

use core::fmt;
use core::str::FromStr;

use super::{Error, kernel};
use crate::layout::{BufferError, Storage, buffer_arrays};
use crate::rng::NetRng;

/// Sizes: input channels `I`, hidden neurons `H`, readout outputs `O` (nn4n's `dims`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Dims {
    /// Input channels.
    pub inputs: usize,
    /// Hidden neurons.
    pub hidden: usize,
    /// Readout outputs.
    pub outputs: usize,
}

/// The hidden layer's nonlinearity (nn4n offers exactly these four).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Activation {
    /// `max(x, 0)` (nn4n's default).
    Relu,
    /// `tanh(x)`.
    Tanh,
    /// `1 / (1 + exp(-x))`.
    Sigmoid,
    /// `max(tanh(x), 0)`.
    Retanh,
}

impl Activation {
    /// The name used in model files.
    pub const fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Retanh => "retanh",
        }
    }

    /// `phi(x)`, with `libm` (the same bits on every target).
    ///
    /// ```
    /// use neuroloop_core::ctrnn::Activation;
    /// assert_eq!(Activation::Relu.apply(-2.0), 0.0);
    /// assert_eq!(Activation::Sigmoid.apply(0.0), 0.5);
    /// assert_eq!(Activation::Retanh.apply(-1.0), 0.0);
    /// ```
    #[inline]
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::Tanh => libm::tanhf(x),
            Activation::Sigmoid => 1.0 / (1.0 + libm::expf(-x)),
            Activation::Retanh => {
                let t = libm::tanhf(x);
                if t > 0.0 { t } else { 0.0 }
            }
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An activation name that nn4n does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownActivation;

impl fmt::Display for UnknownActivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unknown activation: nn4n has relu, tanh, sigmoid and retanh")
    }
}

impl FromStr for Activation {
    type Err = UnknownActivation;

    /// ```
    /// use neuroloop_core::ctrnn::Activation;
    /// assert_eq!("tanh".parse(), Ok(Activation::Tanh));
    /// assert!("softplus".parse::<Activation>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "relu" => Ok(Activation::Relu),
            "tanh" => Ok(Activation::Tanh),
            "sigmoid" => Ok(Activation::Sigmoid),
            "retanh" => Ok(Activation::Retanh),
            _ => Err(UnknownActivation),
        }
    }
}

/// How pre-activation noise is scaled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum NoiseScaling {
    /// `alpha * sigma_pre * xi`, as nn4n.
    #[default]
    Alpha,
    /// `sqrt(2 alpha) * sigma_pre * xi` (Euler-Maruyama, Song, Yang & Wang 2016).
    EulerMaruyama,
}

/// Noise levels (standard deviations), applied only when a step is given a generator.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Noise {
    /// Pre-activation noise, added to `v`.
    pub pre: f32,
    /// Post-activation noise, added to `r`.
    pub post: f32,
    /// Scaling of the pre-activation noise.
    pub scaling: NoiseScaling,
}

/// What fixes a CTRNN's shape and arithmetic: sizes, activation and noise levels (the
/// weights are in the parameter buffer).
///
/// ```
/// use neuroloop_core::ctrnn::{Activation, Config, Dims};
/// const CFG: Config = Config::new(Dims { inputs: 3, hidden: 16, outputs: 2 }, Activation::Tanh);
/// assert_eq!(CFG.noise.pre, 0.0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Config {
    /// Sizes.
    pub dims: Dims,
    /// The hidden layer's nonlinearity.
    pub activation: Activation,
    /// Noise levels (drawn only in steps given a generator).
    pub noise: Noise,
}

impl Config {
    /// A noise-free configuration.
    pub const fn new(dims: Dims, activation: Activation) -> Config {
        Config { dims, activation, noise: Noise { pre: 0.0, post: 0.0, scaling: NoiseScaling::Alpha } }
    }
}

buffer_arrays! {
    /// Where the parameter arrays lie in the parameter buffer (`[to][from]` matrices,
    /// row-major).
    pub struct ParamSpans, pub struct ParamsMut<f32> for d: Dims {
        /// Input weights `[H][I]`.
        w_in: d.hidden.saturating_mul(d.inputs),
        /// Input bias `[H]`.
        b_in: d.hidden,
        /// Recurrent weights `[H][H]`, row = postsynaptic.
        w_rec: d.hidden.saturating_mul(d.hidden),
        /// Recurrent bias `[H]`.
        b_rec: d.hidden,
        /// Readout weights `[O][H]`.
        w_out: d.outputs.saturating_mul(d.hidden),
        /// Readout bias `[O]`.
        b_out: d.outputs,
        /// Step factors `dt / tau` `[H]`.
        alpha: d.hidden,
    }
}

/// Buffer lengths of a CTRNN, and where each parameter array lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Layout {
    /// Sizes.
    pub dims: Dims,
    /// The parameter arrays: `w_in, b_in, w_rec, b_rec, w_out, b_out, alpha`.
    pub params: ParamSpans,
    /// `f32` parameters in all.
    pub params_len: usize,
    /// `f32` state of one sample: `v [H]` then `r [H]`.
    pub state_len: usize,
}

impl Layout {
    /// The lengths for `cfg`'s sizes (saturating; validity is [`Ctrnn::new`]'s job).
    ///
    /// ```
    /// use neuroloop_core::ctrnn::{Activation, Config, Dims, Layout};
    /// const L: Layout = Layout::new(&Config::new(Dims { inputs: 4, hidden: 32, outputs: 2 }, Activation::Tanh));
    /// let mut params = [0.0f32; L.params_len];
    /// assert_eq!(params.len(), 32 * 4 + 32 + 32 * 32 + 32 + 2 * 32 + 2 + 32);
    /// assert_eq!(L.params.alpha.start, L.params_len - 32);
    /// # params[0] = 1.0;
    /// ```
    pub const fn new(cfg: &Config) -> Layout {
        let params = ParamSpans::new(&cfg.dims);
        Layout { dims: cfg.dims, params, params_len: params.total(), state_len: cfg.dims.hidden.saturating_mul(2) }
    }
}

/// A continuous-time RNN whose parameters live in caller-owned storage.
///
/// ```
/// use neuroloop_core::ctrnn::{Activation, Config, Ctrnn, Dims, Layout};
/// let cfg = Config::new(Dims { inputs: 1, hidden: 2, outputs: 1 }, Activation::Tanh);
/// let l = Layout::new(&cfg);
/// let mut params = vec![0.0f32; l.params_len];
/// params[l.params.alpha.start..].fill(0.1); // alpha = 0.1 for both neurons
/// let mut net = Ctrnn::new(&cfg, params)?;
/// net.params_mut().w_in.copy_from_slice(&[0.5, -0.25]);
/// let mut state = [0.0f32; 4];
/// net.init_state(&[0.0, 0.0], &mut state)?;
/// let mut y = [0.0f32];
/// net.step(&mut state, &[1.0], &mut y, None)?;
/// assert_eq!(state[0], 0.1 * 0.5); // v = (1 - a) 0 + a (0 + 0.5)
/// # Ok::<(), neuroloop_core::ctrnn::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Ctrnn<S> {
    layout: Layout,
    activation: Activation,
    noise: Noise,
    params: S,
}

/// Noise levels must be finite and non-negative.
fn check_noise(noise: Noise) -> Result<(), Error> {
    if noise.pre.is_finite() && noise.post.is_finite() && noise.pre >= 0.0 && noise.post >= 0.0 {
        Ok(())
    } else {
        Err(Error::Noise)
    }
}

impl<S: Storage<f32>> Ctrnn<S> {
    /// Checks sizes, the parameter buffer's length, that every parameter is finite, that
    /// `alpha` is in `(0, 1]` and the noise levels.
    pub fn new(cfg: &Config, params: S) -> Result<Self, Error> {
        let net = Self::new_any_alpha(cfg, params)?;
        if let Some((index, &value)) = net.alpha().iter().enumerate().find(|(_, a)| !(**a > 0.0 && **a <= 1.0)) {
            return Err(Error::Alpha { index, value });
        }
        Ok(net)
    }

    /// As [`Ctrnn::new`] but any finite `alpha` is accepted (nn4n never clamps a learned alpha).
    pub fn new_any_alpha(cfg: &Config, params: S) -> Result<Self, Error> {
        let dims = cfg.dims;
        for (field, n) in [("inputs", dims.inputs), ("hidden", dims.hidden), ("outputs", dims.outputs)] {
            if n == 0 {
                return Err(Error::ZeroSize { field });
            }
        }
        let layout = Layout::new(cfg);
        BufferError::check("parameter", layout.params_len, params.as_ref().len()).map_err(Error::Buffer)?;
        check_noise(cfg.noise)?;
        let net = Ctrnn { layout, activation: cfg.activation, noise: cfg.noise, params };
        let p = net.params();
        let named = [
            ("w_in", p.w_in),
            ("b_in", p.b_in),
            ("w_rec", p.w_rec),
            ("b_rec", p.b_rec),
            ("w_out", p.w_out),
            ("b_out", p.b_out),
            ("alpha", p.alpha),
        ];
        for (field, values) in named {
            if let Some(index) = values.iter().position(|v| !v.is_finite()) {
                return Err(Error::NotFinite { field, index });
            }
        }
        Ok(net)
    }

    /// Named mutable parameter arrays (e.g. for initialisation or training on the host).
    pub fn params_mut(&mut self) -> ParamsMut<'_> {
        let spans = self.layout.params;
        match spans.split(self.params.as_mut()) {
            Some(p) => p,
            // The buffer was checked when the network was built; storage whose length changes
            // after that gets empty arrays.
            None => ParamsMut {
                w_in: &mut [],
                b_in: &mut [],
                w_rec: &mut [],
                b_rec: &mut [],
                w_out: &mut [],
                b_out: &mut [],
                alpha: &mut [],
            },
        }
    }

    /// Sets the noise levels (applied only to steps given a generator).
    pub fn set_noise(&mut self, noise: Noise) -> Result<(), Error> {
        check_noise(noise)?;
        self.noise = noise;
        Ok(())
    }

    /// Sets a sample's state to `v = v0`, `r = phi(v0)` (nn4n's initial state).
    pub fn init_state(&self, v0: &[f32], state: &mut [f32]) -> Result<(), Error> {
        let h = self.layout.dims.hidden;
        if v0.len() != h {
            return Err(Error::Length { what: "v0", expected: h, got: v0.len() });
        }
        if state.len() != 2 * h {
            return Err(Error::Length { what: "state", expected: 2 * h, got: state.len() });
        }
        let (v, r) = state.split_at_mut(h);
        v.copy_from_slice(v0);
        for (ri, &vi) in r.iter_mut().zip(v0) {
            *ri = self.activation.apply(vi);
        }
        Ok(())
    }

    /// One step of one sample: `state` (`v` then `r`, `2 H`) advances with input `u` (`I`
    /// values) and `y` (`O` values) receives the readout. Noise is drawn from `rng` when given
    /// (per neuron: pre-activation, then post-activation), never otherwise.
    #[allow(clippy::needless_range_loop)] // indices mirror the equations of the spec
    pub fn step(&self, state: &mut [f32], u: &[f32], y: &mut [f32], rng: Option<&mut NetRng>) -> Result<(), Error> {
        let Dims { inputs, hidden: h, outputs } = self.layout.dims;
        for (what, expected, got) in
            [("state", 2 * h, state.len()), ("input", inputs, u.len()), ("output", outputs, y.len())]
        {
            if got != expected {
                return Err(Error::Length { what, expected, got });
            }
        }
        if let Some(index) = u.iter().position(|x| !x.is_finite()) {
            return Err(Error::InputNotFinite { index });
        }
        let p = self.params();
        let (v, r) = state.split_at_mut(h);
        // Leaky update from the previous RATE; r is only rewritten after every v is new.
        kernel::leaky_update(&p, v, r, u);
        self.finish(v, r, y, rng, &p);
        Ok(())
    }

    /// Noise, activation and readout of one sample whose `v` is updated.
    #[inline]
    #[allow(clippy::needless_range_loop)] // indices mirror the equations of the spec
    fn finish(&self, v: &mut [f32], r: &mut [f32], y: &mut [f32], rng: Option<&mut NetRng>, p: &Params<'_>) {
        let n = self.noise;
        match rng {
            Some(rng) if n.pre > 0.0 || n.post > 0.0 => {
                for i in 0..v.len() {
                    if n.pre > 0.0 {
                        let scale = match n.scaling {
                            NoiseScaling::Alpha => p.alpha[i],
                            NoiseScaling::EulerMaruyama => libm::sqrtf(2.0 * p.alpha[i]),
                        };
                        v[i] += scale * (n.pre * rng.normal());
                    }
                    r[i] = self.activation.apply(v[i]);
                    if n.post > 0.0 {
                        r[i] += n.post * rng.normal();
                    }
                }
            }
            _ => return kernel::activate_and_read(p, self.activation, v, r, y),
        }
        kernel::readout(p, r, y);
    }

    /// One step of `B` independent samples sharing the weights: `states` is `B x 2H`
    /// (sample-major), `inputs` `B x I`, `outputs` `B x O`. Gives the same bits as
    /// [`Ctrnn::step`] on each sample in turn (with `rng`, the samples draw their noise in
    /// that order); faster, because the weights are read once for several samples.
    ///
    /// ```
    /// use neuroloop_core::ctrnn::{Activation, Config, Ctrnn, Dims, Layout};
    /// let cfg = Config::new(Dims { inputs: 1, hidden: 3, outputs: 1 }, Activation::Tanh);
    /// let l = Layout::new(&cfg);
    /// let params: Vec<f32> = (0..l.params_len).map(|k| 0.1 + 0.01 * k as f32).collect();
    /// let net = Ctrnn::new(&cfg, params)?;
    /// let (mut states, mut ys) = ([0.0f32; 2 * 6], [0.0f32; 2]);
    /// net.step_batch(&mut states, &[1.0, -1.0], &mut ys, None)?;
    /// let (mut one, mut y) = ([0.0f32; 6], [0.0f32]);
    /// net.step(&mut one, &[-1.0], &mut y, None)?;
    /// assert_eq!((&states[6..], ys[1]), (&one[..], y[0])); // sample 1, bit for bit
    /// # Ok::<(), neuroloop_core::ctrnn::Error>(())
    /// ```
    pub fn step_batch(
        &self,
        states: &mut [f32],
        inputs: &[f32],
        outputs: &mut [f32],
        mut rng: Option<&mut NetRng>,
    ) -> Result<(), Error> {
        let Dims { inputs: ni, hidden: h, outputs: no } = self.layout.dims;
        let b = states.len() / (2 * h);
        for (what, expected, got) in
            [("states", b * 2 * h, states.len()), ("inputs", b * ni, inputs.len()), ("outputs", b * no, outputs.len())]
        {
            if got != expected {
                return Err(Error::Length { what, expected, got });
            }
        }
        if let Some(index) = inputs.iter().position(|x| !x.is_finite()) {
            return Err(Error::InputNotFinite { index });
        }
        let p = self.params();
        kernel::leaky_update_batch(&p, states, inputs, h, ni);
        for (state, y) in states.chunks_exact_mut(2 * h).zip(outputs.chunks_exact_mut(no)) {
            let (v, r) = state.split_at_mut(h);
            self.finish(v, r, y, rng.as_deref_mut(), &p);
        }
        Ok(())
    }
}

/// The parameter arrays, named (read-only).
#[derive(Clone, Copy, Debug)]
pub(super) struct Params<'a> {
    pub(super) w_in: &'a [f32],
    pub(super) b_in: &'a [f32],
    pub(super) w_rec: &'a [f32],
    pub(super) b_rec: &'a [f32],
    pub(super) w_out: &'a [f32],
    pub(super) b_out: &'a [f32],
    pub(super) alpha: &'a [f32],
}

impl<S: AsRef<[f32]>> Ctrnn<S> {
    fn params(&self) -> Params<'_> {
        let (sp, p) = (&self.layout.params, self.params.as_ref());
        Params {
            w_in: sp.w_in.of(p),
            b_in: sp.b_in.of(p),
            w_rec: sp.w_rec.of(p),
            b_rec: sp.b_rec.of(p),
            w_out: sp.w_out.of(p),
            b_out: sp.b_out.of(p),
            alpha: sp.alpha.of(p),
        }
    }

    /// The configuration (sizes, activation, noise levels).
    pub fn config(&self) -> Config {
        Config { dims: self.layout.dims, activation: self.activation, noise: self.noise }
    }

    /// Sizes.
    pub fn dims(&self) -> Dims {
        self.layout.dims
    }

    /// Buffer lengths.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The noise levels.
    pub fn noise(&self) -> Noise {
        self.noise
    }

    /// Input weights `[H][I]`.
    pub fn w_in(&self) -> &[f32] {
        self.params().w_in
    }
    /// Input bias `[H]`.
    pub fn b_in(&self) -> &[f32] {
        self.params().b_in
    }
    /// Recurrent weights `[H][H]`, row = postsynaptic.
    pub fn w_rec(&self) -> &[f32] {
        self.params().w_rec
    }
    /// Recurrent bias `[H]`.
    pub fn b_rec(&self) -> &[f32] {
        self.params().b_rec
    }
    /// Readout weights `[O][H]`.
    pub fn w_out(&self) -> &[f32] {
        self.params().w_out
    }
    /// Readout bias `[O]`.
    pub fn b_out(&self) -> &[f32] {
        self.params().b_out
    }
    /// Step factors `dt / tau` `[H]`.
    pub fn alpha(&self) -> &[f32] {
        self.params().alpha
    }
    /// The whole parameter buffer (used part).
    pub fn params_buffer(&self) -> &[f32] {
        let p = self.params.as_ref();
        p.get(..self.layout.params_len).unwrap_or(p)
    }

    /// Gives the parameter buffer back (a board reuses it for the next model).
    pub fn into_params(self) -> S {
        self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::Fnv1a;
    use std::vec;
    use std::vec::Vec;

    /// A CTRNN with parameters drawn from `seed` (weights U(-0.5, 0.5), alpha 0.1..0.6).
    fn seeded(dims: Dims, activation: Activation, seed: u64) -> Ctrnn<Vec<f32>> {
        let cfg = Config::new(dims, activation);
        let l = Layout::new(&cfg);
        let mut rng = NetRng::seed_from_u64(seed);
        let mut p: Vec<f32> = (0..l.params_len).map(|_| rng.uniform_f32() - 0.5).collect();
        p[l.params.alpha.start..].iter_mut().for_each(|a| *a = 0.1 + (*a + 0.5) * 0.5);
        Ctrnn::new(&cfg, p).unwrap()
    }

    #[test]
    fn one_step_by_hand() {
        // H 2, I 1, O 1, relu: v = (1 - a) v + a (w_rec r + b_rec + w_in u + b_in), r = relu(v).
        let cfg = Config::new(Dims { inputs: 1, hidden: 2, outputs: 1 }, Activation::Relu);
        let l = Layout::new(&cfg);
        let mut p = vec![0.0f32; l.params_len];
        let sp = l.params;
        p[sp.w_in.start..sp.w_in.end()].copy_from_slice(&[1.0, -1.0]);
        p[sp.b_in.start..sp.b_in.end()].copy_from_slice(&[0.5, 0.0]);
        p[sp.w_rec.start..sp.w_rec.end()].copy_from_slice(&[0.0, 2.0, 1.0, 0.0]);
        p[sp.w_out.start..sp.w_out.end()].copy_from_slice(&[1.0, 1.0]);
        p[sp.b_out.start] = 0.25;
        p[sp.alpha.start..sp.alpha.end()].copy_from_slice(&[0.5, 0.25]);
        let net = Ctrnn::new(&cfg, p).unwrap();
        let mut state = [0.0f32; 4];
        let mut y = [0.0f32];
        net.step(&mut state, &[1.0], &mut y, None).unwrap();
        // v0 = 0.5 (1 + 0.5) = 0.75, v1 = 0.25 (-1) = -0.25; r = (0.75, 0); y = 0.75 + 0.25
        assert_eq!((state, y), ([0.75, -0.25, 0.75, 0.0], [1.0]));
        net.step(&mut state, &[0.0], &mut y, None).unwrap();
        // v0 = 0.5 0.75 + 0.5 (2 * 0 + 0.5) = 0.625; v1 = 0.75 (-0.25) + 0.25 (1 * 0.75) = 0.0
        assert_eq!((state, y), ([0.625, 0.0, 0.625, 0.0], [0.875]));
    }

    #[test]
    fn activations() {
        assert_eq!(Activation::Relu.apply(-1.0), 0.0);
        assert_eq!(Activation::Relu.apply(2.0), 2.0);
        assert_eq!(Activation::Tanh.apply(0.5), libm::tanhf(0.5));
        assert_eq!(Activation::Sigmoid.apply(0.0), 0.5);
        assert_eq!(Activation::Retanh.apply(-0.5), 0.0);
        for a in [Activation::Relu, Activation::Tanh, Activation::Sigmoid, Activation::Retanh] {
            assert_eq!(a.name().parse(), Ok(a));
        }
    }

    #[test]
    fn batched_steps_equal_single_steps_bit_for_bit() {
        // H 22: five blocks of four neurons and two single ones; B 5: two pairs and one single;
        // I 11: one lane chunk and a tail. With noise: the samples draw in order.
        let (b, h, ni, no) = (5, 22, 11, 3);
        let mut net = seeded(Dims { inputs: ni, hidden: h, outputs: no }, Activation::Tanh, 4);
        for noise in [Noise::default(), Noise { pre: 0.1, post: 0.05, scaling: NoiseScaling::EulerMaruyama }] {
            net.set_noise(noise).unwrap();
            let mut states = vec![0.0f32; b * 2 * h];
            let mut singles = states.clone();
            let (mut outs, mut y) = (vec![0.0f32; b * no], vec![0.0f32; no]);
            let (mut noise_b, mut noise_s) = (NetRng::seed_from_u64(3), NetRng::seed_from_u64(3));
            let mut rng = NetRng::seed_from_u64(9);
            for _ in 0..30 {
                let u: Vec<f32> = (0..b * ni).map(|_| rng.uniform_f32()).collect();
                net.step_batch(&mut states, &u, &mut outs, Some(&mut noise_b)).unwrap();
                for s in 0..b {
                    let state = &mut singles[s * 2 * h..(s + 1) * 2 * h];
                    net.step(state, &u[s * ni..(s + 1) * ni], &mut y, Some(&mut noise_s)).unwrap();
                    assert_eq!(y, outs[s * no..(s + 1) * no]);
                }
                assert_eq!(states, singles);
            }
        }
    }

    #[test]
    fn blocked_dots_follow_the_eight_lane_order() {
        // The contract's order written out: lanes of 8m + k, then ((s0 + s2) + (s1 + s3)) + tail.
        let mut rng = NetRng::seed_from_u64(5);
        for n in [1usize, 7, 8, 9, 16, 29, 130] {
            let w: Vec<f32> = (0..n).map(|_| rng.uniform_f32() - 0.5).collect();
            let x: Vec<f32> = (0..n).map(|_| (rng.uniform_f32() - 0.5) * 1e3).collect();
            let mut lanes = [0.0f32; 8];
            let full = n / 8 * 8;
            for j in 0..full {
                lanes[j % 8] += w[j] * x[j];
            }
            let tail = (full..n).fold(0.0f32, |t, j| t + w[j] * x[j]);
            let s: Vec<f32> = (0..4).map(|k| lanes[k] + lanes[k + 4]).collect();
            let want = ((s[0] + s[2]) + (s[1] + s[3])) + tail;
            assert_eq!(kernel::dot(&w, &x).to_bits(), want.to_bits(), "n = {n}");
        }
    }

    #[test]
    fn refused_inputs_and_parameters() {
        let cfg = Config::new(Dims { inputs: 2, hidden: 3, outputs: 1 }, Activation::Tanh);
        let l = Layout::new(&cfg);
        let short = Ctrnn::new(&cfg, vec![0.1f32; l.params_len - 1]).err();
        assert_eq!(
            short,
            Some(Error::Buffer(BufferError { buffer: "parameter", needed: l.params_len, got: l.params_len - 1 }))
        );
        let mut p = vec![0.1f32; l.params_len];
        p[l.params.w_rec.start + 4] = f32::NAN;
        assert_eq!(Ctrnn::new(&cfg, p).err(), Some(Error::NotFinite { field: "w_rec", index: 4 }));
        let mut p = vec![0.1f32; l.params_len];
        p[l.params.alpha.start + 2] = 1.5;
        assert_eq!(Ctrnn::new(&cfg, p.clone()).err(), Some(Error::Alpha { index: 2, value: 1.5 }));
        assert!(Ctrnn::new_any_alpha(&cfg, p).is_ok());
        let zero = Config::new(Dims { inputs: 0, hidden: 3, outputs: 1 }, Activation::Tanh);
        assert_eq!(Ctrnn::new(&zero, vec![0.1f32; 100]).err(), Some(Error::ZeroSize { field: "inputs" }));
        let net = Ctrnn::new(&cfg, vec![0.1f32; l.params_len]).unwrap();
        let mut state = [0.0f32; 6];
        assert_eq!(
            net.step(&mut state, &[0.0], &mut [0.0], None),
            Err(Error::Length { what: "input", expected: 2, got: 1 })
        );
        assert_eq!(net.step(&mut state, &[0.0, f32::NAN], &mut [0.0], None), Err(Error::InputNotFinite { index: 1 }));
        assert_eq!(state, [0.0; 6], "refused steps change nothing");
    }

    #[test]
    fn noise_is_drawn_only_with_a_generator() {
        let mut net = seeded(Dims { inputs: 1, hidden: 4, outputs: 1 }, Activation::Tanh, 2);
        net.set_noise(Noise { pre: 0.2, post: 0.1, scaling: NoiseScaling::Alpha }).unwrap();
        let (mut a, mut b, mut c) = ([0.0f32; 8], [0.0f32; 8], [0.0f32; 8]);
        let mut y = [0.0f32];
        net.step(&mut a, &[0.3], &mut y, None).unwrap();
        net.step(&mut b, &[0.3], &mut y, Some(&mut NetRng::seed_from_u64(1))).unwrap();
        net.step(&mut c, &[0.3], &mut y, Some(&mut NetRng::seed_from_u64(1))).unwrap();
        assert_ne!(a, b);
        assert_eq!(b, c, "same seed, same noise");
        assert_eq!(net.set_noise(Noise { pre: -1.0, ..Noise::default() }), Err(Error::Noise));
    }

    #[test]
    fn reference_trajectory() {
        // Pinned: the dot products' summation order is part of the definition (CHANGELOG.md).
        let net = seeded(Dims { inputs: 3, hidden: 16, outputs: 2 }, Activation::Tanh, 11);
        let mut state = [0.0f32; 32];
        let mut y = [0.0f32; 2];
        let mut d = Fnv1a::new();
        for t in 0..100u32 {
            let u = [(t % 10) as f32 * 0.1, -0.3, 1.0];
            net.step(&mut state, &u, &mut y, None).unwrap();
            d.write_f32s(&state);
            d.write_f32s(&y);
        }
        assert_eq!(d.finish(), 0x8ad73719);
    }
}
