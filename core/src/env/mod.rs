//! Plants: gymnasium's classic-control environments with its exact dynamics (`f64`, the same
//! operation order and float32 roundings as gymnasium 1.4; `shared/spec/envs.md`) and
//! neuroloop's differential-drive robot, in the core so a board can run the same plant as the
//! PC.
//!
//! # Reading order
//!
//! - [`Env`]: what every environment offers (reset with a seed, step, spaces, time limit,
//!   state get/set for replays, the observation without allocation). [`crate::episode`] runs
//!   a [`crate::policy::Policy`] in one.
//! - [`Physics`] and [`Simulated`]: a plant is only its physics (`cartpole.rs`, one file per
//!   plant); `Simulated` adds what every plant shares (the observation, the step count, the
//!   time limit, refusing a step after the end).
//! - [`EnvId`] and [`AnyEnv`]: the registry of gymnasium ids, the one place an id is matched.
//!
//! Reset distributions are sampled from the core's [`crate::rng::NetRng`] seeded by the reset
//! seed: they match gymnasium's distributions, not its numbers.

mod acrobot;
mod angle;
mod cartpole;
mod diff_drive;
mod mountain_car;
mod pendulum;
mod registry;
mod simulated;

use core::fmt;

pub use acrobot::{Acrobot, AcrobotPhysics};
pub use cartpole::{CartPole, CartPolePhysics};
pub use diff_drive::{DiffDrive, DiffDrivePhysics};
pub use mountain_car::{MountainCar, MountainCarContinuous, MountainCarContinuousPhysics, MountainCarPhysics};
pub use pendulum::{Pendulum, PendulumPhysics};
pub use registry::{AnyEnv, EnvId, UnknownEnv};
pub use simulated::{Physics, Simulated};

/// An observation or action space.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Space {
    /// `n` discrete actions `0..n`.
    Discrete(usize),
    /// A box of `low.len()` values with per-dimension bounds (any size).
    Box {
        /// Lower bounds.
        low: &'static [f32],
        /// Upper bounds.
        high: &'static [f32],
    },
}

impl Space {
    /// Values an element of the space occupies in a flat `f32` row: 1 for a discrete action
    /// (its index), the dimension of a box.
    ///
    /// ```
    /// use neuroloop_core::env::Space;
    /// assert_eq!(Space::Discrete(3).values(), 1);
    /// assert_eq!(Space::Box { low: &[-1.0, -1.0], high: &[1.0, 1.0] }.values(), 2);
    /// ```
    pub const fn values(&self) -> usize {
        match self {
            Space::Discrete(_) => 1,
            Space::Box { low, .. } => low.len(),
        }
    }
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

impl Transition {
    /// True when the episode is over (terminated or truncated).
    pub const fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}

/// A refused call (the environment is unchanged).
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
    /// `set_state` with the wrong number of values.
    StateWidth {
        /// Values the plant's state has.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// `set_state` with a NaN or infinite value.
    StateNotFinite {
        /// The first such value.
        index: usize,
    },
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EnvError::ActionOutOfRange { action, n } => write!(f, "action {action} is out of range: must be in 0..{n}"),
            EnvError::ActionWidth { expected, got } => write!(f, "action has {got} values; the space has {expected}"),
            EnvError::ActionNotFinite => f.write_str("action is NaN or infinite"),
            EnvError::ActionKind => f.write_str("wrong kind of action for this action space (discrete vs continuous)"),
            EnvError::EpisodeOver => f.write_str("the episode has ended: call reset before stepping again"),
            EnvError::StateWidth { expected, got } => {
                write!(f, "the state has {got} values; the environment has {expected}")
            }
            EnvError::StateNotFinite { index } => write!(f, "state value {index} is NaN or infinite"),
        }
    }
}

impl core::error::Error for EnvError {}

/// An environment: gymnasium's API without allocation.
///
/// ```
/// use neuroloop_core::env::{Action, CartPole, Env};
/// let mut env = CartPole::new();
/// let first = env.reset(1).to_vec();
/// assert!(first.iter().all(|v| v.abs() <= 0.05));
/// let t = env.step(Action::Discrete(1))?;
/// assert_eq!((t.reward, env.steps()), (1.0, 1));
/// assert_ne!(env.observation(), &first[..]);
/// # Ok::<(), neuroloop_core::env::EnvError>(())
/// ```
pub trait Env {
    /// The observation space.
    fn observation_space(&self) -> Space;
    /// The action space.
    fn action_space(&self) -> Space;
    /// Steps of the registered id's time limit (the step that reaches it is truncated).
    fn time_limit(&self) -> u32;
    /// Starts an episode from the reset distribution seeded by `seed`; the first observation.
    fn reset(&mut self, seed: u64) -> &[f32];
    /// One step. A refused action or a step after the end is an error and changes nothing.
    fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError>;
    /// The current observation.
    fn observation(&self) -> &[f32];
    /// The plant's internal state (`f64`, the variables gymnasium keeps), for replays and
    /// recordings.
    fn state(&self) -> &[f64];
    /// Sets the internal state directly and starts an episode there (for replays); the state
    /// must have [`Env::state`]'s length and be finite.
    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError>;
    /// Steps taken in the current episode.
    fn steps(&self) -> u32;
}

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

/// `U(low, high)` in f64.
fn uniform(rng: &mut crate::rng::NetRng, low: f64, high: f64) -> f64 {
    low + (high - low) * rng.uniform_f64()
}

#[cfg(test)]
pub(crate) mod testing {
    //! What every plant's tests share: a scripted run and its digest.
    use super::{Action, Env, Space};
    use crate::digest::Fnv1a;

    /// Runs `steps` steps from reset seed `seed` with a scripted action (discrete: `t mod n`;
    /// box: a fixed sweep), resetting with `seed + 1, ...` at episode ends; the digest of every
    /// observation, reward and state, and the total reward.
    pub fn scripted(env: &mut impl Env, seed: u64, steps: u32) -> (u32, f64) {
        let mut d = Fnv1a::new();
        let mut total = 0.0;
        let mut next = seed;
        env.reset(next);
        let mut values = [0.0f32; 8];
        for t in 0..steps {
            let action = match env.action_space() {
                Space::Discrete(n) => Action::Discrete(t as usize % n),
                Space::Box { low, high } => {
                    for (k, v) in values[..low.len()].iter_mut().enumerate() {
                        let phase = ((t as usize + 3 * k) % 7) as f32 / 6.0;
                        *v = low[k] + (high[k] - low[k]) * phase;
                    }
                    Action::Continuous(&values[..low.len()])
                }
            };
            let tr = env.step(action).unwrap();
            total += tr.reward;
            d.write_f32s(env.observation());
            d.write_f64(tr.reward);
            d.write_f64s(env.state());
            if tr.done() {
                next += 1;
                env.reset(next);
            }
        }
        (d.finish(), total)
    }

    /// The bits of float32 values (reference values are compared bit for bit).
    pub fn bits(v: &[f32]) -> std::vec::Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Steps with `action` until the episode ends; the steps taken and the last transition.
    pub fn until_done(env: &mut impl Env, action: Action<'_>) -> (u32, super::Transition) {
        let mut steps = 0;
        loop {
            let t = env.step(action).unwrap();
            steps += 1;
            if t.done() {
                return (steps, t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_registered_plant_keeps_the_gym_contract() {
        for id in EnvId::ALL {
            let mut env = id.make();
            assert_eq!(id.name().parse::<EnvId>(), Ok(id));
            assert_eq!(env.id(), id);
            let obs_dim = match env.observation_space() {
                Space::Box { low, high } => {
                    assert_eq!(low.len(), high.len());
                    assert!(low.iter().zip(high).all(|(l, h)| l <= h), "{id}");
                    low.len()
                }
                Space::Discrete(_) => panic!("{id}: observations are boxes"),
            };
            let first = env.reset(1).to_vec();
            assert_eq!(first.len(), obs_dim, "{id}");
            assert_eq!(env.steps(), 0);
            // Same seed, same start; another seed, another start.
            let mut again = id.make();
            assert_eq!(again.reset(1), &first[..], "{id}");
            assert_ne!(again.reset(2), &first[..], "{id}");
            // A refused action changes nothing.
            let before = env.clone();
            let bad = match env.action_space() {
                Space::Discrete(n) => env.step(Action::Discrete(n)),
                Space::Box { low, .. } => env.step(Action::Continuous(&[f32::NAN; 8][..low.len()])),
            };
            assert!(bad.is_err(), "{id}");
            assert_eq!(env, before, "{id}");
            // set_state is checked.
            let n = env.state().len();
            assert_eq!(env.set_state(&[0.0; 9][..n + 1]), Err(EnvError::StateWidth { expected: n, got: n + 1 }));
            let mut nan = env.state().to_vec();
            nan[0] = f64::NAN;
            assert_eq!(env.set_state(&nan), Err(EnvError::StateNotFinite { index: 0 }));
            assert_eq!(env, before, "{id}: refused set_state changes nothing");
        }
        assert_eq!("Pong-v5".parse::<EnvId>(), Err(UnknownEnv));
        assert!(UnknownEnv.to_string().contains("DiffDrive-v0"));
    }
}
