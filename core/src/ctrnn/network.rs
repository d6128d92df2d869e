//! The network: parameters in a caller-owned buffer, the batch-1 step and the batched step.

use core::fmt;
use core::str::FromStr;

use super::CtrnnError;
use crate::rng::NetRng;

/// Sizes: input channels `I`, hidden neurons `H`, readout outputs `O` (nn4n's `dims`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
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
pub struct Noise {
    /// Pre-activation noise, added to `v`.
    pub pre: f32,
    /// Post-activation noise, added to `r`.
    pub post: f32,
    /// Scaling of the pre-activation noise.
    pub scaling: NoiseScaling,
}

/// Buffer lengths of a CTRNN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct CtrnnLayout {
    /// Sizes.
    pub dims: Dims,
    /// `f32` parameters: `w_in [H][I], b_in [H], w_rec [H][H], b_rec [H], w_out [O][H], b_out [O], alpha [H]`.
    pub params_len: usize,
    /// `f32` state of one sample: `v [H]` then `r [H]`.
    pub state_len: usize,
}

impl CtrnnLayout {
    /// The lengths for `dims` (saturating; validity is [`Ctrnn::new`]'s job).
    ///
    /// ```
    /// use neuroloop_core::ctrnn::{CtrnnLayout, Dims};
    /// const L: CtrnnLayout = CtrnnLayout::new(Dims { inputs: 4, hidden: 32, outputs: 2 });
    /// let mut params = [0.0f32; L.params_len];
    /// assert_eq!(params.len(), 32 * 4 + 32 + 32 * 32 + 32 + 2 * 32 + 2 + 32);
    /// # params[0] = 1.0;
    /// ```
    pub const fn new(dims: Dims) -> CtrnnLayout {
        let (i, h, o) = (dims.inputs, dims.hidden, dims.outputs);
        let params_len = h
            .saturating_mul(i)
            .saturating_add(h)
            .saturating_add(h.saturating_mul(h))
            .saturating_add(h)
            .saturating_add(o.saturating_mul(h))
            .saturating_add(o)
            .saturating_add(h);
        CtrnnLayout { dims, params_len, state_len: h.saturating_mul(2) }
    }

    /// Offsets of the seven parameter arrays, and the end.
    const fn offsets(&self) -> [usize; 8] {
        let (i, h, o) = (self.dims.inputs, self.dims.hidden, self.dims.outputs);
        let w_in = 0;
        let b_in = w_in + h * i;
        let w_rec = b_in + h;
        let b_rec = w_rec + h * h;
        let w_out = b_rec + h;
        let b_out = w_out + o * h;
        let alpha = b_out + o;
        [w_in, b_in, w_rec, b_rec, w_out, b_out, alpha, alpha + h]
    }

    /// Scratch `f32`s [`Ctrnn::step_batch`] needs for `batch` samples.
    pub const fn batch_scratch_len(&self, batch: usize) -> usize {
        (self.dims.hidden + self.dims.inputs + 1) * batch
    }
}

/// The parameter arrays, named (mutable).
#[derive(Debug)]
pub struct ParamsMut<'a> {
    /// `[H][I]`.
    pub w_in: &'a mut [f32],
    /// `[H]`.
    pub b_in: &'a mut [f32],
    /// `[H][H]`, row = postsynaptic.
    pub w_rec: &'a mut [f32],
    /// `[H]`.
    pub b_rec: &'a mut [f32],
    /// `[O][H]`.
    pub w_out: &'a mut [f32],
    /// `[O]`.
    pub b_out: &'a mut [f32],
    /// `[H]`.
    pub alpha: &'a mut [f32],
}

/// A continuous-time RNN whose parameters live in caller-owned storage.
///
/// ```
/// use neuroloop_core::ctrnn::{Activation, Ctrnn, CtrnnLayout, Dims};
/// let dims = Dims { inputs: 1, hidden: 2, outputs: 1 };
/// let l = CtrnnLayout::new(dims);
/// let mut params = vec![0.0f32; l.params_len];
/// params.iter_mut().rev().take(2).for_each(|a| *a = 0.1); // alpha = 0.1 for both neurons
/// let mut net = Ctrnn::new(dims, Activation::Tanh, params)?;
/// net.params_mut().w_in.copy_from_slice(&[0.5, -0.25]);
/// let mut state = [0.0f32; 4];
/// net.init_state(&[0.0, 0.0], &mut state)?;
/// let mut y = [0.0f32];
/// net.step(&mut state, &[1.0], &mut y, None)?;
/// assert_eq!(state[0], 0.1 * 0.5); // v = (1 - a) 0 + a (0 + 0.5)
/// # Ok::<(), neuroloop_core::ctrnn::CtrnnError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Ctrnn<S> {
    layout: CtrnnLayout,
    activation: Activation,
    noise: Noise,
    params: S,
}

/// Eight-lane dot product with a fixed combination order (see the module docs).
#[inline]
#[allow(clippy::needless_range_loop)] // the lane index is the point
fn dot(w: &[f32], x: &[f32]) -> f32 {
    let n = w.len().min(x.len());
    let full = n / 8 * 8;
    // Two groups of four lanes (elements 8m + k and 8m + 4 + k), as two 4-wide SIMD registers.
    let (mut lo, mut hi) = ([0.0f32; 4], [0.0f32; 4]);
    for (a, b) in w[..full].chunks_exact(8).zip(x[..full].chunks_exact(8)) {
        let (a0, a1) = a.split_at(4);
        let (b0, b1) = b.split_at(4);
        for k in 0..4 {
            lo[k] += a0[k] * b0[k];
            hi[k] += a1[k] * b1[k];
        }
    }
    let mut tail = 0.0f32;
    for (a, b) in w[full..n].iter().zip(&x[full..n]) {
        tail += a * b;
    }
    let s = [lo[0] + hi[0], lo[1] + hi[1], lo[2] + hi[2], lo[3] + hi[3]];
    ((s[0] + s[2]) + (s[1] + s[3])) + tail
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Ctrnn<S> {
    /// Checks sizes, that every parameter is finite and that `alpha` is in `(0, 1]`.
    pub fn new(dims: Dims, activation: Activation, params: S) -> Result<Self, CtrnnError> {
        let net = Self::new_any_alpha(dims, activation, params)?;
        if let Some((index, &value)) = net.alpha().iter().enumerate().find(|(_, a)| !(**a > 0.0 && **a <= 1.0)) {
            return Err(CtrnnError::Alpha { index, value });
        }
        Ok(net)
    }

    /// As [`Ctrnn::new`] but any finite `alpha` is accepted (nn4n never clamps a learned alpha).
    pub fn new_any_alpha(dims: Dims, activation: Activation, params: S) -> Result<Self, CtrnnError> {
        for (field, n) in [("inputs", dims.inputs), ("hidden", dims.hidden), ("outputs", dims.outputs)] {
            if n == 0 {
                return Err(CtrnnError::ZeroSize { field });
            }
        }
        let layout = CtrnnLayout::new(dims);
        let got = params.as_ref().len();
        if got < layout.params_len {
            return Err(CtrnnError::Length { what: "parameter buffer", expected: layout.params_len, got });
        }
        let net = Ctrnn { layout, activation, noise: Noise::default(), params };
        const NAMES: [&str; 7] = ["w_in", "b_in", "w_rec", "b_rec", "w_out", "b_out", "alpha"];
        let off = layout.offsets();
        for (k, field) in NAMES.into_iter().enumerate() {
            if let Some(index) = net.params.as_ref()[off[k]..off[k + 1]].iter().position(|v| !v.is_finite()) {
                return Err(CtrnnError::NotFinite { field, index });
            }
        }
        Ok(net)
    }

    /// Named mutable parameter arrays (e.g. for initialisation or training on the host).
    pub fn params_mut(&mut self) -> ParamsMut<'_> {
        let off = self.layout.offsets();
        let p = &mut self.params.as_mut()[..off[7]];
        let (w_in, p) = p.split_at_mut(off[1]);
        let (b_in, p) = p.split_at_mut(off[2] - off[1]);
        let (w_rec, p) = p.split_at_mut(off[3] - off[2]);
        let (b_rec, p) = p.split_at_mut(off[4] - off[3]);
        let (w_out, p) = p.split_at_mut(off[5] - off[4]);
        let (b_out, alpha) = p.split_at_mut(off[6] - off[5]);
        ParamsMut { w_in, b_in, w_rec, b_rec, w_out, b_out, alpha }
    }

    /// Sets the noise levels (applied only to steps given a generator).
    pub fn set_noise(&mut self, noise: Noise) -> Result<(), CtrnnError> {
        if !(noise.pre.is_finite() && noise.post.is_finite() && noise.pre >= 0.0 && noise.post >= 0.0) {
            return Err(CtrnnError::Noise);
        }
        self.noise = noise;
        Ok(())
    }

    /// Sets a sample's state to `v = v0`, `r = phi(v0)` (nn4n's initial state).
    pub fn init_state(&self, v0: &[f32], state: &mut [f32]) -> Result<(), CtrnnError> {
        let h = self.layout.dims.hidden;
        if v0.len() != h {
            return Err(CtrnnError::Length { what: "v0", expected: h, got: v0.len() });
        }
        if state.len() != 2 * h {
            return Err(CtrnnError::Length { what: "state", expected: 2 * h, got: state.len() });
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
    pub fn step(
        &self,
        state: &mut [f32],
        u: &[f32],
        y: &mut [f32],
        rng: Option<&mut NetRng>,
    ) -> Result<(), CtrnnError> {
        let Dims { inputs, hidden: h, outputs } = self.layout.dims;
        for (what, expected, got) in
            [("state", 2 * h, state.len()), ("input", inputs, u.len()), ("output", outputs, y.len())]
        {
            if got != expected {
                return Err(CtrnnError::Length { what, expected, got });
            }
        }
        if let Some(index) = u.iter().position(|x| !x.is_finite()) {
            return Err(CtrnnError::InputNotFinite { index });
        }
        let p = self.params();
        let (v, r) = state.split_at_mut(h);
        // Leaky update from the previous RATE; r is only rewritten after every v is new.
        for i in 0..h {
            let a_rec = dot(&p.w_rec[i * h..(i + 1) * h], r) + p.b_rec[i];
            let a_in = dot(&p.w_in[i * inputs..(i + 1) * inputs], u) + p.b_in[i];
            let alpha = p.alpha[i];
            v[i] = (1.0 - alpha) * v[i] + alpha * (a_rec + a_in);
        }
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
            _ => {
                for (ri, &vi) in r.iter_mut().zip(v.iter()) {
                    *ri = self.activation.apply(vi);
                }
            }
        }
        let h = v.len();
        for (o, yo) in y.iter_mut().enumerate() {
            *yo = dot(&p.w_out[o * h..(o + 1) * h], r) + p.b_out[o];
        }
    }

    /// One step of `B` independent samples sharing the weights: `states` is `B x 2H`
    /// (sample-major), `inputs` `B x I`, `outputs` `B x O`, `scratch` at least
    /// [`CtrnnLayout::batch_scratch_len`]`(B)`. The recurrent and input products run as
    /// matrix-matrix products (vectorised across the batch); each product sums in neuron order,
    /// so results can differ from [`Ctrnn::step`] at the level of float rounding. With `rng`,
    /// samples draw their noise in order.
    #[allow(clippy::needless_range_loop)] // indices mirror the equations of the spec
    pub fn step_batch(
        &self,
        states: &mut [f32],
        inputs: &[f32],
        outputs: &mut [f32],
        scratch: &mut [f32],
        mut rng: Option<&mut NetRng>,
    ) -> Result<(), CtrnnError> {
        let Dims { inputs: ni, hidden: h, outputs: no } = self.layout.dims;
        let b = states.len() / (2 * h);
        let need = self.layout.batch_scratch_len(b);
        for (what, expected, got) in
            [("states", b * 2 * h, states.len()), ("inputs", b * ni, inputs.len()), ("outputs", b * no, outputs.len())]
        {
            if got != expected {
                return Err(CtrnnError::Length { what, expected, got });
            }
        }
        if scratch.len() < need {
            return Err(CtrnnError::Length { what: "scratch", expected: need, got: scratch.len() });
        }
        if let Some(index) = inputs.iter().position(|x| !x.is_finite()) {
            return Err(CtrnnError::InputNotFinite { index });
        }
        let p = self.params();
        // Transpose rates and inputs to [neuron][sample] so the inner loops run over samples.
        let (rt, rest) = scratch.split_at_mut(h * b);
        let (ut, rest) = rest.split_at_mut(ni * b);
        let acc = &mut rest[..b];
        for s in 0..b {
            for j in 0..h {
                rt[j * b + s] = states[s * 2 * h + h + j];
            }
            for k in 0..ni {
                ut[k * b + s] = inputs[s * ni + k];
            }
        }
        for i in 0..h {
            acc.fill(0.0);
            for (j, &w) in p.w_rec[i * h..(i + 1) * h].iter().enumerate() {
                for (a, &x) in acc.iter_mut().zip(&rt[j * b..(j + 1) * b]) {
                    *a += w * x;
                }
            }
            let alpha = p.alpha[i];
            for s in 0..b {
                let mut a_in = 0.0f32;
                for k in 0..ni {
                    a_in += p.w_in[i * ni + k] * ut[k * b + s];
                }
                let v = &mut states[s * 2 * h + i];
                *v = (1.0 - alpha) * *v + alpha * ((acc[s] + p.b_rec[i]) + (a_in + p.b_in[i]));
            }
        }
        for s in 0..b {
            let (v, r) = states[s * 2 * h..(s + 1) * 2 * h].split_at_mut(h);
            self.finish(v, r, &mut outputs[s * no..(s + 1) * no], rng.as_deref_mut(), &p);
        }
        Ok(())
    }
}

/// The parameter arrays, named (read-only).
#[derive(Clone, Copy, Debug)]
struct Params<'a> {
    w_in: &'a [f32],
    b_in: &'a [f32],
    w_rec: &'a [f32],
    b_rec: &'a [f32],
    w_out: &'a [f32],
    b_out: &'a [f32],
    alpha: &'a [f32],
}

impl<S: AsRef<[f32]>> Ctrnn<S> {
    fn params(&self) -> Params<'_> {
        let off = self.layout.offsets();
        let p = self.params.as_ref();
        Params {
            w_in: &p[off[0]..off[1]],
            b_in: &p[off[1]..off[2]],
            w_rec: &p[off[2]..off[3]],
            b_rec: &p[off[3]..off[4]],
            w_out: &p[off[4]..off[5]],
            b_out: &p[off[5]..off[6]],
            alpha: &p[off[6]..off[7]],
        }
    }

    /// Sizes.
    pub fn dims(&self) -> Dims {
        self.layout.dims
    }

    /// Buffer lengths.
    pub fn layout(&self) -> CtrnnLayout {
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
        &self.params.as_ref()[..self.layout.params_len]
    }
}
