//! What every simulated plant shares: the observation kept up to date, the step count, the time
//! limit and refusing a step after the end. A plant module only writes its [`Physics`].

use core::fmt::Debug;

use super::{Action, Env, EnvError, Space, Transition};
use crate::rng::NetRng;

/// The physics of one plant: its state, reset distribution, one step and its sensors.
///
/// Everything else (episode bookkeeping, the [`Env`] API) comes from [`Simulated`].
pub trait Physics: Clone + Debug + Default {
    /// The internal state, `f64` values in gymnasium's order.
    type State: Copy + Debug + Default + PartialEq + AsRef<[f64]> + AsMut<[f64]>;
    /// One observation.
    type Observation: Copy + Debug + Default + PartialEq + AsRef<[f32]> + AsMut<[f32]>;
    /// Steps of the registered id's time limit.
    const TIME_LIMIT: u32;
    /// The observation space.
    const OBSERVATION_SPACE: Space;
    /// The action space.
    const ACTION_SPACE: Space;

    /// A state from the reset distribution.
    fn initial_state(&mut self, rng: &mut NetRng) -> Self::State;

    /// Called whenever an episode starts at `state` (after a reset or `set_state`): resets
    /// per-episode quantities and applies the plant's storage precision. Default: nothing.
    fn start_episode(&mut self, state: &mut Self::State) {
        let _ = state;
    }

    /// One step from `state` with `action`: the reward and whether the task ended. Validates
    /// the action before changing anything.
    fn step(&mut self, state: &mut Self::State, action: Action<'_>) -> Result<(f64, bool), EnvError>;

    /// The observation of `state`.
    fn observe(&self, state: &Self::State) -> Self::Observation;
}

/// A plant: its physics, its state, the current observation and the episode's bookkeeping.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Simulated<P: Physics> {
    pub(super) physics: P,
    pub(super) state: P::State,
    observation: P::Observation,
    steps: u32,
    over: bool,
}

impl<P: Physics> Simulated<P> {
    /// The plant at its default state; call [`Env::reset`] before stepping.
    pub fn new() -> Self {
        Self::default()
    }

    /// The physics (and any per-episode quantities it keeps).
    pub fn physics(&self) -> &P {
        &self.physics
    }

    fn start(&mut self) {
        self.physics.start_episode(&mut self.state);
        self.observation = self.physics.observe(&self.state);
        self.steps = 0;
        self.over = false;
    }
}

impl<P: Physics> Env for Simulated<P> {
    fn observation_space(&self) -> Space {
        P::OBSERVATION_SPACE
    }

    fn action_space(&self) -> Space {
        P::ACTION_SPACE
    }

    fn time_limit(&self) -> u32 {
        P::TIME_LIMIT
    }

    fn reset(&mut self, seed: u64) -> &[f32] {
        let mut rng = NetRng::seed_from_u64(seed);
        self.state = self.physics.initial_state(&mut rng);
        self.start();
        self.observation.as_ref()
    }

    fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        if self.over {
            return Err(EnvError::EpisodeOver);
        }
        let (reward, terminated) = self.physics.step(&mut self.state, action)?;
        self.observation = self.physics.observe(&self.state);
        self.steps = self.steps.saturating_add(1);
        let truncated = !terminated && self.steps >= P::TIME_LIMIT;
        self.over = terminated || truncated;
        Ok(Transition { reward, terminated, truncated })
    }

    fn observation(&self) -> &[f32] {
        self.observation.as_ref()
    }

    fn state(&self) -> &[f64] {
        self.state.as_ref()
    }

    fn set_state(&mut self, state: &[f64]) -> Result<(), EnvError> {
        let expected = self.state.as_ref().len();
        if state.len() != expected {
            return Err(EnvError::StateWidth { expected, got: state.len() });
        }
        if let Some(index) = state.iter().position(|v| !v.is_finite()) {
            return Err(EnvError::StateNotFinite { index });
        }
        self.state.as_mut().copy_from_slice(state);
        self.start();
        Ok(())
    }

    fn steps(&self) -> u32 {
        self.steps
    }
}
