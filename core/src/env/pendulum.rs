//! Pendulum-v1 (time limit 200): swing a pendulum up and hold it with a bounded torque.

use super::{Action, EnvError, Physics, Simulated, Space, angle, continuous, uniform};
use crate::rng::NetRng;
use core::f64::consts::PI;

const MAX_SPEED: f64 = 8.0;
const MAX_TORQUE: f32 = 2.0;
const DT: f64 = 0.05;
const G: f64 = 10.0;
const M: f64 = 1.0;
const L: f64 = 1.0;

/// Pendulum-v1: state (theta, theta_dot), `theta = 0` upright; one torque in [-2, 2].
///
/// ```
/// use neuroloop_core::env::{Action, Env, Pendulum};
/// let mut env = Pendulum::new();
/// env.reset(3);
/// let t = env.step(Action::Continuous(&[0.5])).unwrap();
/// assert!(t.reward <= 0.0);
/// ```
pub type Pendulum = Simulated<PendulumPhysics>;

/// Pendulum-v1's dynamics (one step of 0.05 s).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PendulumPhysics;

impl Physics for PendulumPhysics {
    type State = [f64; 2];
    type Observation = [f32; 3];
    const TIME_LIMIT: u32 = 200;
    const OBSERVATION_SPACE: Space = Space::Box { low: &[-1.0, -1.0, -8.0], high: &[1.0, 1.0, 8.0] };
    const ACTION_SPACE: Space = Space::Box { low: &[-MAX_TORQUE], high: &[MAX_TORQUE] };

    /// theta `U(-pi, pi)`, theta_dot `U(-1, 1)`.
    fn initial_state(&mut self, rng: &mut NetRng) -> [f64; 2] {
        [uniform(rng, -PI, PI), uniform(rng, -1.0, 1.0)]
    }

    fn step(&mut self, state: &mut [f64; 2], action: Action<'_>) -> Result<(f64, bool), EnvError> {
        let u = continuous(action, 1)?[0].clamp(-MAX_TORQUE, MAX_TORQUE);
        let [th, thd] = *state;
        // numpy keeps 0.001 * u^2 and 3 / (m l^2) * u in float32 before they meet f64 values.
        let u2 = (0.001f32 * (u * u)) as f64;
        let cost = angle::normalize(th) * angle::normalize(th) + 0.1 * (thd * thd) + u2;
        let torque_term = ((3.0 / (M * L * L)) as f32 * u) as f64;
        let new_thd = (thd + (3.0 * G / (2.0 * L) * libm::sin(th) + torque_term) * DT).clamp(-MAX_SPEED, MAX_SPEED);
        *state = [th + new_thd * DT, new_thd];
        Ok((-cost, false))
    }

    /// (cos theta, sin theta, theta_dot) as float32.
    fn observe(&self, state: &[f64; 2]) -> [f32; 3] {
        let [th, thd] = *state;
        [libm::cos(th) as f32, libm::sin(th) as f32, thd as f32]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::{bits, scripted, until_done};
    use crate::env::{Env, EnvError};

    #[test]
    fn one_step_by_hand() {
        // From rest at theta = 0 with torque 2: theta_dot = (15 sin 0 + 3 * 2) * 0.05 = 0.3.
        let mut p = Pendulum::new();
        p.set_state(&[0.0, 0.0]).unwrap();
        let t = p.step(Action::Continuous(&[2.0])).unwrap();
        assert!((p.state()[1] - 0.3).abs() < 1e-7 && (p.state()[0] - 0.015).abs() < 1e-8);
        // cost = 0 + 0 + 0.001 * 4 (float32)
        assert!((t.reward + 0.004).abs() < 1e-9, "{}", t.reward);
        // The torque is clipped to 2; the speed to 8.
        p.set_state(&[0.0, 7.99]).unwrap();
        p.step(Action::Continuous(&[50.0])).unwrap();
        assert_eq!(p.state()[1], 8.0);
    }

    #[test]
    fn never_terminates_and_truncates_at_200() {
        let mut p = Pendulum::new();
        p.reset(4);
        let (steps, last) = until_done(&mut p, Action::Continuous(&[0.0]));
        assert_eq!((steps, last.truncated, last.terminated), (200, true, false));
        p.reset(4);
        assert_eq!(p.step(Action::Continuous(&[f32::NAN])), Err(EnvError::ActionNotFinite));
        assert_eq!(p.step(Action::Continuous(&[f32::INFINITY])), Err(EnvError::ActionNotFinite));
        assert_eq!(p.step(Action::Continuous(&[0.1, 0.2])), Err(EnvError::ActionWidth { expected: 1, got: 2 }));
        assert_eq!(p.step(Action::Discrete(0)), Err(EnvError::ActionKind));
    }

    #[test]
    fn resets_follow_the_distribution() {
        let mut p = Pendulum::new();
        for seed in 0..200 {
            p.reset(seed);
            let [th, thd] = [p.state()[0], p.state()[1]];
            assert!(th.abs() <= PI && thd.abs() <= 1.0);
        }
    }

    #[test]
    fn reference_values() {
        let mut env = Pendulum::new();
        assert_eq!(bits(env.reset(1)), [0x3f7ffffb, 0xba54423b, 0x3f35824f]);
        assert_eq!(scripted(&mut env, 1, 2000), (0xd5e89d58, -13510.680913143768));
    }
}
