//! # SORN: self-organising recurrent network
//!
//! Binary threshold units in an excitatory pool (N_E) and an inhibitory pool (N_I), shaped by
//! five plasticity rules, exactly as the spec (`shared/spec/sorn.md`) states the Python package
//! `sorn` 0.7.4, with the package's defaults ([`Config::DEFAULT`]) and its oddities behind
//! [`Compat`] switches.
//!
//! ## Reading order
//!
//! - [`config`](Config): parameters, defaults, validation.
//! - [`layout`](Layout): the memory the network lives in.
//! - `synapses`: how sparse connections are stored ([`Synapses`]); `ie`: E->I, dense or
//!   sparse ([`Wie`]).
//! - `init`: a fresh network.
//! - `import` ([`Sorn::import_dense`]): a state from the package's dense arrays.
//! - `network` ([`Sorn::step`]): one step top to bottom: drive, thresholds, then the rules of
//!   `plasticity` in the package's order (STDP, IP, structural plasticity, iSTDP,
//!   normalisation).
//! - `symbols`: symbol inputs ([`SymbolInput`]) and the counting task's words
//!   ([`CountingWords`]).
//!
//! ## One step
//!
//! ```text
//! x(t+1) = H( W_EE x(t) - W_EI y(t) + u(t) + xi_E - T_E )
//! y(t+1) = H( W_IE x(t) + xi_I - T_I )      (x(t+1) with Config::fast_inhibition)
//! ```
//! then, in the plasticity phase: STDP, IP, SP, iSTDP, SS, each skipped if frozen.
//!
//! ## Differences from the package, all deliberate (spec section 8)
//!
//! - The phase decides: [`Phase::Training`] freezes every rule (package: `Simulator` ignores
//!   the phase; [`Compat::simulator_ignores_phase`]).
//! - A unit whose incoming weights were all pruned keeps zeros; the package turns it into NaN
//!   for ever. The package's NaN behaviour is not offered: it only matters for bit-level replays
//!   of the package, which are out of scope (its RNG streams cannot be reproduced).
//! - Repairs of units without input draw two distinct valid partners
//!   ([`Compat::repair_first_fifth`] restores the package's draw).
//! - One seeded RNG ([`crate::rng::NetRng`]) instead of numpy plus Python's `random`: runs match
//!   the package in distribution, not value by value.
//! - Synapses are sparse lists; normalisation re-divides only the rows that changed since their
//!   last normalisation (others already sum to 1).
//! - `sigma_ip` is implemented (per-unit IP targets) instead of ignored; `lambda_ie` makes E->I
//!   sparse when set instead of being ignored.
//!
//! ## Errors
//!
//! Building validates the configuration ([`ConfigError`]) and the buffers ([`BufferError`]);
//! a step validates its input ([`StepError`]). Nothing panics on user input.

mod config;
mod ie;
mod import;
mod init;
mod layout;
mod mode;
mod network;
mod plasticity;
mod snapshot;
mod symbols;
mod synapses;
#[cfg(test)]
mod testing;

use core::fmt;

pub use crate::layout::BufferError;
pub use config::{Compat, Config, ConfigError, MAX_UNITS, Warnings};
pub use ie::Wie;
pub use import::{DenseState, ImportError};
pub use init::InitReport;
pub use layout::{Buffers, F32Spans, IE_SPARE_PER_UNIT, Layout, U16Spans, U32Spans};
pub use mode::{Freeze, Mode, Phase, Rule, UnknownName};
pub use network::{Counters, Sorn, StepReport};
pub use plasticity::RuleCounts;
pub use snapshot::{RestoreError, Scalars};
pub use symbols::{CountingWords, Letter, SymbolError, SymbolInput, SymbolSpec};
pub use synapses::{Synapse, Synapses};

/// Why a network could not be built.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// The configuration is invalid.
    Config(ConfigError),
    /// A buffer is too short.
    Buffer(BufferError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(e) => write!(f, "invalid SORN config: {e}"),
            Error::Buffer(e) => write!(f, "SORN buffers: {e}"),
        }
    }
}

impl core::error::Error for Error {}
impl core::error::Error for ConfigError {}
impl core::error::Error for StepError {}

/// Why a step was refused (the network is unchanged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StepError {
    /// The input does not have `nu` values.
    InputWidth {
        /// `nu`.
        expected: u32,
        /// Values given.
        got: u32,
    },
    /// An input value is NaN or infinite.
    InputNotFinite {
        /// The first such channel.
        channel: u32,
    },
    /// The buffers no longer have the length they had when the network was built.
    BufferChanged,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            StepError::InputWidth { expected, got } => {
                write!(f, "input has {got} values; the network has nu = {expected} input channels")
            }
            StepError::InputNotFinite { channel } => {
                write!(f, "input channel {channel} is NaN or infinite")
            }
            StepError::BufferChanged => f.write_str("the network's buffers changed length after it was built"),
        }
    }
}
