//! MountainCar-v0 (discrete, time limit 200) and MountainCarContinuous-v0 (time limit 999): an
//! under-powered car must rock itself up a hill.

use super::{Action, EnvError, Physics, Simulated, Space, continuous, discrete, uniform};
use crate::rng::NetRng;

const MIN_POSITION: f64 = -1.2;
const MAX_POSITION: f64 = 0.6;
const MAX_SPEED: f64 = 0.07;
const GRAVITY: f64 = 0.0025;
const OBSERVATION_SPACE: Space = Space::Box { low: &[-1.2, -0.07], high: &[0.6, 0.07] };

/// Position `U(-0.6, -0.4)`, velocity 0.
fn reset_state(rng: &mut NetRng) -> [f64; 2] {
    [uniform(rng, -0.6, -0.4), 0.0]
}

/// MountainCar-v0: state (position, velocity); actions 0, 1, 2 push left, not at all, right.
///
/// ```
/// use neuroloop_core::env::{Action, Env, MountainCar};
/// let mut env = MountainCar::new();
/// env.reset(1);
/// assert_eq!(env.step(Action::Discrete(2)).unwrap().reward, -1.0);
/// ```
pub type MountainCar = Simulated<MountainCarPhysics>;

/// MountainCar-v0's dynamics.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MountainCarPhysics;

impl Physics for MountainCarPhysics {
    type State = [f64; 2];
    type Observation = [f32; 2];
    const TIME_LIMIT: u32 = 200;
    const OBSERVATION_SPACE: Space = OBSERVATION_SPACE;
    const ACTION_SPACE: Space = Space::Discrete(3);

    fn initial_state(&mut self, rng: &mut NetRng) -> [f64; 2] {
        reset_state(rng)
    }

    fn step(&mut self, state: &mut [f64; 2], action: Action<'_>) -> Result<(f64, bool), EnvError> {
        let a = discrete(action, 3)?;
        let [mut position, mut velocity] = *state;
        velocity += (a as f64 - 1.0) * 0.001 + libm::cos(3.0 * position) * (-GRAVITY);
        velocity = velocity.clamp(-MAX_SPEED, MAX_SPEED);
        position += velocity;
        position = position.clamp(MIN_POSITION, MAX_POSITION);
        if position == MIN_POSITION && velocity < 0.0 {
            velocity = 0.0;
        }
        *state = [position, velocity];
        Ok((-1.0, position >= 0.5 && velocity >= 0.0))
    }

    /// The state as float32.
    fn observe(&self, state: &[f64; 2]) -> [f32; 2] {
        state.map(|v| v as f32)
    }
}

/// MountainCarContinuous-v0: one force in [-1, 1]; the state is float32 between steps (held
/// here as the `f64` values of those float32s).
///
/// ```
/// use neuroloop_core::env::{Action, Env, MountainCarContinuous};
/// let mut env = MountainCarContinuous::new();
/// env.reset(1);
/// let t = env.step(Action::Continuous(&[2.0])).unwrap();
/// assert!((t.reward - -0.4).abs() < 1e-6); // -0.1 * action^2 of the unclipped action
/// ```
pub type MountainCarContinuous = Simulated<MountainCarContinuousPhysics>;

/// MountainCarContinuous-v0's dynamics, with gymnasium's float32 roundings.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MountainCarContinuousPhysics;

impl MountainCarContinuousPhysics {
    const POWER: f32 = 0.0015;
}

impl Physics for MountainCarContinuousPhysics {
    type State = [f64; 2];
    type Observation = [f32; 2];
    const TIME_LIMIT: u32 = 999;
    const OBSERVATION_SPACE: Space = OBSERVATION_SPACE;
    const ACTION_SPACE: Space = Space::Box { low: &[-1.0], high: &[1.0] };

    fn initial_state(&mut self, rng: &mut NetRng) -> [f64; 2] {
        reset_state(rng)
    }

    /// gymnasium holds the state in float32.
    fn start_episode(&mut self, state: &mut [f64; 2]) {
        *state = state.map(|v| v as f32 as f64);
    }

    /// One step (spec "float32 detail").
    fn step(&mut self, state: &mut [f64; 2], action: Action<'_>) -> Result<(f64, bool), EnvError> {
        let a = continuous(action, 1)?[0];
        let [mut position, mut velocity] = state.map(|v| v as f32);
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
        *state = [f64::from(position), f64::from(velocity)];
        let terminated = position >= 0.45 && velocity >= 0.0;
        let reward = if terminated { 100.0 } else { 0.0 } - (f64::from(a) * f64::from(a)) * 0.1;
        Ok((reward, terminated))
    }

    /// The state.
    fn observe(&self, state: &[f64; 2]) -> [f32; 2] {
        state.map(|v| v as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::{bits, scripted, until_done};
    use crate::env::{Env, EnvError};

    #[test]
    fn one_step_by_hand() {
        // velocity += (2 - 1) * 0.001 - 0.0025 cos(3 * -0.5)
        let mut m = MountainCar::new();
        m.set_state(&[-0.5, 0.0]).unwrap();
        m.step(Action::Discrete(2)).unwrap();
        let v = 0.001 + libm::cos(3.0f64 * -0.5) * -0.0025;
        assert!((m.state()[1] - v).abs() < 1e-15 && (m.state()[0] - (-0.5 + v)).abs() < 1e-15);
        // The left wall stops the car.
        m.set_state(&[-1.2, -0.05]).unwrap();
        m.step(Action::Discrete(0)).unwrap();
        assert_eq!(m.state(), &[-1.2, 0.0]);
        assert_eq!(m.step(Action::Discrete(3)), Err(EnvError::ActionOutOfRange { action: 3, n: 3 }));
    }

    #[test]
    fn time_limits_and_the_goal() {
        let mut m = MountainCar::new();
        m.reset(1);
        let (steps, last) = until_done(&mut m, Action::Discrete(1));
        assert_eq!((steps, last.truncated), (200, true));
        // At the goal, moving right: terminated.
        m.set_state(&[0.49, 0.02]).unwrap();
        assert!(m.step(Action::Discrete(2)).unwrap().terminated);
        let mut c = MountainCarContinuous::new();
        c.reset(1);
        let (steps, last) = until_done(&mut c, Action::Continuous(&[0.0]));
        assert_eq!((steps, last.truncated), (999, true));
        c.set_state(&[0.44, 0.02]).unwrap();
        let t = c.step(Action::Continuous(&[1.0])).unwrap();
        assert!(t.terminated && (t.reward - (100.0 - 0.1)).abs() < 1e-12, "{t:?}");
    }

    #[test]
    fn the_continuous_car_keeps_float32_state_and_charges_the_unclipped_action() {
        let mut c = MountainCarContinuous::new();
        c.set_state(&[-0.5000000001, 0.0]).unwrap();
        assert_eq!(c.state()[0], -0.5f32 as f64, "set_state rounds to float32, as gymnasium holds it");
        let t = c.step(Action::Continuous(&[5.0])).unwrap();
        assert!((t.reward + 0.1 * 25.0).abs() < 1e-9, "{}", t.reward);
        assert!(c.state().iter().all(|&v| v == v as f32 as f64));
    }

    #[test]
    fn resets_follow_the_distribution() {
        let mut m = MountainCar::new();
        for seed in 0..200 {
            m.reset(seed);
            assert!((-0.6..=-0.4).contains(&m.state()[0]) && m.state()[1] == 0.0);
        }
    }

    #[test]
    fn reference_values() {
        let mut env = MountainCar::new();
        assert_eq!(bits(env.reset(1)), [0xbf0001b0, 0x00000000]);
        assert_eq!(scripted(&mut env, 1, 2000), (0xa88bee9c, -2000.0));
        let mut env = MountainCarContinuous::new();
        assert_eq!(bits(env.reset(1)), [0xbf0001b0, 0x00000000]);
        assert_eq!(scripted(&mut env, 1, 3000), (0x761622f2, -133.31110713613947));
    }
}
