//! # CTRNN: continuous-time recurrent networks with nn4n parity
//!
//! The discrete update of the PyTorch package nn4n (`shared/spec/ctrnn.md` §3), in `f32`, with
//! no allocation: per hidden neuron `i`,
//!
//! ```text
//! v_i <- (1 - alpha_i) v_i + alpha_i ((w_rec r + b_rec)_i + (w_in u + b_in)_i)   [+ alpha_i sigma_pre xi]
//! r_i <- phi(v_i)                                                                  [+ sigma_post eta]
//! y   <- w_out r + b_out
//! ```
//!
//! Weights are `[to][from]` (PyTorch's `nn.Linear` layout, row = postsynaptic). `alpha = dt/tau`
//! is stored per neuron, never recomputed from tau. Activations: relu, tanh, sigmoid, retanh
//! (`libm`). Noise draws come from a [`crate::rng::NetRng`], so a seeded noisy run is the same
//! on a PC and on a board.
//!
//! ## Memory
//!
//! As for SORN: the caller owns the buffers and a `const fn` ([`Layout::new`]) gives their
//! lengths. One `f32` parameter buffer holds `w_in, b_in, w_rec, b_rec, w_out, b_out, alpha`
//! ([`ParamSpans`], declared once); a network is generic over its storage
//! (`&mut [f32]`, `[f32; N]`, `Vec<f32>`). The state of one sample is `2 H` floats (`v` then
//! `r`). [`Ctrnn::step`] is the batch-1 step a board runs; [`Ctrnn::step_batch`] advances `B`
//! independent states sharing the weights.
//!
//! ## Determinism
//!
//! Dot products accumulate in eight interleaved partial sums combined in a fixed order (so the
//! compiler can use SIMD without reordering anything itself); the order is part of the
//! definition, identical on every target (the exact order is in the `kernel` module's source). On a
//! PC the same sums run several rows and samples at a time, compiled for AVX2 when the CPU has it
//! (feature `std`), with the same bits; [`Ctrnn::step_batch`] equals [`Ctrnn::step`] on each
//! sample bit for bit. Results differ from PyTorch's kernels at the level of
//! float rounding (the parity fixture is met within 1e-5; measured ~1e-7).

mod constraints;
mod kernel;
mod network;

use core::fmt;

use crate::layout::BufferError;

pub use constraints::{EnforceCount, enforce};
pub use network::{
    Activation, Config, Ctrnn, Dims, Layout, Noise, NoiseScaling, ParamSpans, ParamsMut, UnknownActivation,
};

/// Why a CTRNN could not be built or stepped.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// A size is zero.
    ZeroSize {
        /// `inputs`, `hidden` or `outputs`.
        field: &'static str,
    },
    /// The parameter buffer is too short.
    Buffer(BufferError),
    /// A state, input or output slice has the wrong length.
    Length {
        /// What it is.
        what: &'static str,
        /// Elements needed.
        expected: usize,
        /// Elements given.
        got: usize,
    },
    /// A parameter is NaN or infinite.
    NotFinite {
        /// Which parameter.
        field: &'static str,
        /// Flat index.
        index: usize,
    },
    /// `alpha` outside `(0, 1]`.
    Alpha {
        /// Neuron.
        index: usize,
        /// Value.
        value: f32,
    },
    /// A noise standard deviation below zero or not finite.
    Noise,
    /// An input value is NaN or infinite.
    InputNotFinite {
        /// Channel (flat index for batches).
        index: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::ZeroSize { field } => write!(f, "{field} = 0: must be at least 1"),
            Error::Buffer(e) => write!(f, "CTRNN buffers: {e}"),
            Error::Length { what, expected, got } => write!(f, "{what} has {got} values; {expected} needed"),
            Error::NotFinite { field, index } => write!(f, "{field}[{index}] is NaN or infinite"),
            Error::Alpha { index, value } => {
                write!(f, "alpha[{index}] = {value} is out of range: must be in (0, 1]")
            }
            Error::Noise => f.write_str("noise standard deviations must be finite and >= 0"),
            Error::InputNotFinite { index } => write!(f, "input[{index}] is NaN or infinite"),
        }
    }
}

impl core::error::Error for Error {}
