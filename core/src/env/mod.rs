//! Plants: gymnasium's classic-control environments with its exact dynamics (`f64`, the same
//! operation order and float32 roundings as gymnasium 1.4; `shared/spec/envs.md`), in the core
//! so a board can run the same plant as the PC.
//!
//! Each environment is a plain struct with `reset(seed)`, `step(action)`, its observation and
//! action spaces ([`Space`]) and its time limit. `step` returns a [`Transition`] or an
//! [`EnvError`] (an action out of range or not finite, or a step after the episode ended).
//! Reset distributions are sampled from the core's [`crate::rng::NetRng`] seeded by the reset
//! seed: they match gymnasium's distributions, not its numbers.

mod acrobot;
mod cartpole;
mod diff_drive;
mod mountain_car;
mod pendulum;

use core::fmt;

pub use acrobot::Acrobot;
pub use cartpole::CartPole;
pub use diff_drive::{DiffDrive, braitenberg};
pub use mountain_car::{MountainCar, MountainCarContinuous};
pub use pendulum::Pendulum;

/// An observation or action space.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Space {
    /// `n` discrete actions `0..n`.
    Discrete(usize),
    /// A box of `dim` values with per-dimension bounds (the first `dim` entries of each array).
    Box {
        /// Dimensions.
        dim: usize,
        /// Lower bounds.
        low: [f32; 6],
        /// Upper bounds.
        high: [f32; 6],
    },
}

/// An action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action<'a> {
    /// For a [`Space::Discrete`] action space.
    Discrete(usize),
    /// For a [`Space::Box`] action space (gymnasium passes float32 arrays).
    Continuous(&'a [f32]),
}

/// What one step did.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transition {
    /// Reward of the step.
    pub reward: f64,
    /// The task's own end (failure or goal).
    pub terminated: bool,
    /// The time limit of the registered id was reached.
    pub truncated: bool,
}

/// A refused step (the environment is unchanged).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EnvError {
    /// A discrete action outside `0..n`.
    ActionOutOfRange {
        /// The action.
        action: usize,
        /// Number of actions.
        n: usize,
    },
    /// A continuous action of the wrong length.
    ActionWidth {
        /// Values expected.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A continuous action that is NaN or infinite.
    ActionNotFinite,
    /// A discrete action for a continuous space or the other way round.
    ActionKind,
    /// `step` after the episode terminated or was truncated, without `reset`.
    EpisodeOver,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EnvError::ActionOutOfRange { action, n } => write!(f, "action {action} is out of range: must be in 0..{n}"),
            EnvError::ActionWidth { expected, got } => write!(f, "action has {got} values; the space has {expected}"),
            EnvError::ActionNotFinite => f.write_str("action is NaN or infinite"),
            EnvError::ActionKind => f.write_str("wrong kind of action for this action space (discrete vs continuous)"),
            EnvError::EpisodeOver => f.write_str("the episode has ended: call reset before stepping again"),
        }
    }
}

impl core::error::Error for EnvError {}

/// The action as an index in `0..n`.
fn discrete(action: Action<'_>, n: usize) -> Result<usize, EnvError> {
    match action {
        Action::Discrete(a) if a < n => Ok(a),
        Action::Discrete(a) => Err(EnvError::ActionOutOfRange { action: a, n }),
        Action::Continuous(_) => Err(EnvError::ActionKind),
    }
}

/// The action as `n` finite float32 values.
fn continuous<'a>(action: Action<'a>, n: usize) -> Result<&'a [f32], EnvError> {
    match action {
        Action::Continuous(v) if v.len() != n => Err(EnvError::ActionWidth { expected: n, got: v.len() }),
        Action::Continuous(v) if v.iter().any(|x| !x.is_finite()) => Err(EnvError::ActionNotFinite),
        Action::Continuous(v) => Ok(v),
        Action::Discrete(_) => Err(EnvError::ActionKind),
    }
}

/// Bookkeeping shared by the environments: steps taken and whether the episode is over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Episode {
    steps: u32,
    over: bool,
}

impl Episode {
    fn check(&self) -> Result<(), EnvError> {
        if self.over { Err(EnvError::EpisodeOver) } else { Ok(()) }
    }

    /// Counts a step and applies the time limit.
    fn finish(&mut self, reward: f64, terminated: bool, limit: u32) -> Transition {
        self.steps += 1;
        let truncated = !terminated && self.steps >= limit;
        self.over = terminated || truncated;
        Transition { reward, terminated, truncated }
    }
}

/// `U(low, high)` in f64.
fn uniform(rng: &mut crate::rng::NetRng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.uniform_f64()
}

fn pad6(v: &[f32]) -> [f32; 6] {
    let mut a = [0.0f32; 6];
    a[..v.len()].copy_from_slice(v);
    a
}
