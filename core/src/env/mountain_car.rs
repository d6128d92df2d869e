//! MountainCar-v0 (discrete, time limit 200) and MountainCarContinuous-v0 (time limit 999): an
//! under-powered car must rock itself up a hill.

use super::{Action, EnvError, Episode, Space, Transition, continuous, discrete, pad6, uniform};
use crate::rng::NetRng;

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GRAVITY: f64 = 0.0025;

fn obs_space() -> Space {
    Space::Box { dim: 2, low: pad6(&[-1.2, -0.07]), high: pad6(&[0.6, 0.07]) }
}

fn reset_state(seed: u64) -> [f64; 2] {
    let mut rng = NetRng::seed_from_u64(seed);
    [uniform(&mut rng, -0.6, -0.4), 0.0]
}

/// MountainCar-v0: actions 0, 1, 2 push left, not at all, right.
///
/// ```
/// use neuroloop_core::env::{Action, MountainCar};
/// let mut env = MountainCar::new();
/// env.reset(1);
/// assert_eq!(env.step(Action::Discrete(2)).unwrap().reward, -1.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MountainCar {
    state: [f64; 2],
    episode: Episode,
}

impl MountainCar {
    /// Steps of the registered id's time limit.
    pub const TIME_LIMIT: u32 = 200;

    /// A car at the origin; call [`MountainCar::reset`] before stepping.
    pub fn new() -> Self {
        MountainCar::default()
    }

    /// Starts an episode: position `U(-0.6, -0.4)`, velocity 0.
    pub fn reset(&mut self, seed: u64) -> [f32; 2] {
        self.set_state(reset_state(seed));
        self.observation()
    }

    /// Sets the state directly (for replays).
    pub fn set_state(&mut self, state: [f64; 2]) {
        self.state = state;
        self.episode = Episode::default();
    }

    /// (position, velocity).
    pub fn state(&self) -> [f64; 2] {
        self.state
    }

    /// The state as float32.
    pub fn observation(&self) -> [f32; 2] {
        self.state.map(|v| v as f32)
    }

    /// Observation space.
    pub fn observation_space(&self) -> Space {
        obs_space()
    }

    /// Three discrete actions.
    pub fn action_space(&self) -> Space {
        Space::Discrete(3)
    }

    /// One step.
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        self.episode.check()?;
        let a = discrete(action, 3)?;
        let [mut position, mut velocity] = self.state;
        velocity += (a as f64 - 1.0) * 0.001 + libm::cos(3.0 * position) * (-GRAVITY);
        velocity = velocity.clamp(-MAX_SPEED, MAX_SPEED);
        position += velocity;
        position = position.clamp(MIN_POSITION, MAX_POSITION);
        if position == MIN_POSITION && velocity < 0.0 {
            velocity = 0.0;
        }
        self.state = [position, velocity];
        let terminated = position >= 0.5 && velocity >= 0.0;
        Ok(self.episode.finish(-1.0, terminated, Self::TIME_LIMIT))
    }
}

/// MountainCarContinuous-v0: one force in [-1, 1]; the state is float32 between steps.
///
/// ```
/// use neuroloop_core::env::{Action, MountainCarContinuous};
/// let mut env = MountainCarContinuous::new();
/// env.reset(1);
/// let t = env.step(Action::Continuous(&[2.0])).unwrap();
/// assert!((t.reward - -0.4).abs() < 1e-6); // -0.1 * action^2 of the unclipped action
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MountainCarContinuous {
    state: [f32; 2],
    episode: Episode,
}

impl MountainCarContinuous {
    /// Steps of the registered id's time limit.
    pub const TIME_LIMIT: u32 = 999;
    const POWER: f32 = 0.0015;

    /// A car at the origin; call [`MountainCarContinuous::reset`] before stepping.
    pub fn new() -> Self {
        MountainCarContinuous::default()
    }

    /// Starts an episode: position `U(-0.6, -0.4)`, velocity 0 (stored as float32).
    pub fn reset(&mut self, seed: u64) -> [f32; 2] {
        let s = reset_state(seed);
        self.set_state([s[0] as f32, s[1] as f32]);
        self.observation()
    }

    /// Sets the state directly (for replays).
    pub fn set_state(&mut self, state: [f32; 2]) {
        self.state = state;
        self.episode = Episode::default();
    }

    /// (position, velocity), float32.
    pub fn state(&self) -> [f32; 2] {
        self.state
    }

    /// The state.
    pub fn observation(&self) -> [f32; 2] {
        self.state
    }

    /// Observation space.
    pub fn observation_space(&self) -> Space {
        obs_space()
    }

    /// One force in [-1, 1] (clipped).
    pub fn action_space(&self) -> Space {
        Space::Box { dim: 1, low: pad6(&[-1.0]), high: pad6(&[1.0]) }
    }

    /// One step, with gymnasium's float32 roundings (spec "float32 detail").
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        self.episode.check()?;
        let a = continuous(action, 1)?[0];
        let [mut position, mut velocity] = self.state;
        let c = 0.0025 * libm::cos(f64::from((3.0f64 * f64::from(position)) as f32));
        let bracket = if (-1.0..=1.0).contains(&a) {
            ((a * Self::POWER) - c as f32) as f64
        } else {
            let bound = if a > 1.0 { 1.0 } else { -1.0 };
            (bound * 0.0015f64 - c) as f32 as f64 // the bound and power are doubles here
        };
        velocity = (f64::from(velocity) + bracket) as f32;
        velocity = velocity.clamp(-MAX_SPEED as f32, MAX_SPEED as f32);
        position = (f64::from(position) + f64::from(velocity)) as f32;
        position = position.clamp(MIN_POSITION as f32, MAX_POSITION as f32);
        if position == MIN_POSITION as f32 && velocity < 0.0 {
            velocity = 0.0;
        }
        self.state = [position, velocity];
        let terminated = position >= 0.45 && velocity >= 0.0;
        let reward = if terminated { 100.0 } else { 0.0 } - (f64::from(a) * f64::from(a)) * 0.1;
        Ok(self.episode.finish(reward, terminated, Self::TIME_LIMIT))
    }
}
