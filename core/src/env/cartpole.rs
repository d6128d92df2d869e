//! CartPole-v1 (time limit 500): a pole on a cart pushed left or right.

use super::{Action, EnvError, Physics, Simulated, Space, discrete, uniform};
use crate::rng::NetRng;

const GRAVITY: f64 = 9.8;
const TOTAL_MASS: f64 = 1.1;
const POLE_MASS_LENGTH: f64 = 0.05;
const LENGTH: f64 = 0.5;
const MASS_POLE: f64 = 0.1;
const FORCE_MAG: f64 = 10.0;
const TAU: f64 = 0.02;
const X_THRESHOLD: f64 = 2.4;
const THETA_THRESHOLD: f64 = 12.0 * 2.0 * core::f64::consts::PI / 360.0;

/// CartPole-v1: state (x, x_dot, theta, theta_dot); action 0 pushes left, 1 pushes right.
///
/// ```
/// use neuroloop_core::env::{Action, CartPole, Env};
/// let mut env = CartPole::new();
/// let obs = env.reset(1);
/// assert!(obs.iter().all(|v| v.abs() <= 0.05));
/// let t = env.step(Action::Discrete(1)).unwrap();
/// assert_eq!(t.reward, 1.0);
/// ```
pub type CartPole = Simulated<CartPolePhysics>;

/// CartPole-v1's dynamics (gymnasium's explicit Euler, 0.02 s).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CartPolePhysics;

impl Physics for CartPolePhysics {
    type State = [f64; 4];
    type Observation = [f32; 4];
    const TIME_LIMIT: u32 = 500;
    const OBSERVATION_SPACE: Space = Space::Box {
        low: &[-(X_THRESHOLD as f32) * 2.0, f32::MIN, -(THETA_THRESHOLD as f32) * 2.0, f32::MIN],
        high: &[X_THRESHOLD as f32 * 2.0, f32::MAX, THETA_THRESHOLD as f32 * 2.0, f32::MAX],
    };
    const ACTION_SPACE: Space = Space::Discrete(2);

    /// Every state variable `U(-0.05, 0.05)`.
    fn initial_state(&mut self, rng: &mut NetRng) -> [f64; 4] {
        core::array::from_fn(|_| uniform(rng, -0.05, 0.05))
    }

    fn step(&mut self, state: &mut [f64; 4], action: Action<'_>) -> Result<(f64, bool), EnvError> {
        let a = discrete(action, 2)?;
        let [x, x_dot, theta, theta_dot] = *state;
        let force = if a == 1 { FORCE_MAG } else { -FORCE_MAG };
        let (s, c) = (libm::sin(theta), libm::cos(theta));
        // Operation order as gymnasium (numpy): np.square(theta_dot) is one product.
        let temp = (force + POLE_MASS_LENGTH * (theta_dot * theta_dot) * s) / TOTAL_MASS;
        let theta_acc = (GRAVITY * s - c * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * (c * c) / TOTAL_MASS));
        let x_acc = temp - POLE_MASS_LENGTH * theta_acc * c / TOTAL_MASS;
        *state = [x + TAU * x_dot, x_dot + TAU * x_acc, theta + TAU * theta_dot, theta_dot + TAU * theta_acc];
        let [x, _, theta, _] = *state;
        let terminated =
            !(-X_THRESHOLD..=X_THRESHOLD).contains(&x) || !(-THETA_THRESHOLD..=THETA_THRESHOLD).contains(&theta);
        Ok((1.0, terminated))
    }

    /// The state rounded to float32.
    fn observe(&self, state: &[f64; 4]) -> [f32; 4] {
        state.map(|v| v as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::{bits, scripted, until_done};
    use crate::env::{Env, EnvError};

    #[test]
    fn one_step_by_hand_and_termination() {
        let mut env = CartPole::new();
        env.set_state(&[0.0, 0.0, 0.0, 0.0]).unwrap();
        env.step(Action::Discrete(1)).unwrap();
        // From rest: temp = 10 / 1.1, theta_acc = -temp / (0.5 (4/3 - 0.1 / 1.1)), x only moves
        // after a step (explicit Euler).
        let temp = 10.0 / 1.1;
        let theta_acc = -temp / (0.5 * (4.0 / 3.0 - 0.1 / 1.1));
        let x_acc = temp - 0.05 * theta_acc / 1.1;
        assert_eq!(env.state(), &[0.0, 0.02 * x_acc, 0.0, 0.02 * theta_acc]);
        // Pushing one way only: the pole falls well before the time limit, reward 1 each step.
        env.reset(3);
        let (steps, last) = until_done(&mut env, Action::Discrete(1));
        assert!(last.terminated && !last.truncated && (5..100).contains(&steps), "{steps}");
        assert_eq!(env.step(Action::Discrete(0)), Err(EnvError::EpisodeOver));
        assert_eq!(env.step(Action::Continuous(&[1.0])), Err(EnvError::EpisodeOver));
        env.reset(3);
        assert_eq!(env.step(Action::Continuous(&[1.0])), Err(EnvError::ActionKind));
        assert_eq!(env.step(Action::Discrete(2)), Err(EnvError::ActionOutOfRange { action: 2, n: 2 }));
    }

    #[test]
    fn truncates_at_the_time_limit() {
        // Pushing towards the lean keeps it up for the 500 steps.
        let mut env = CartPole::new();
        env.reset(2);
        let mut t = 0;
        let last = loop {
            let s = env.state();
            let lean = s[2] + 0.5 * s[3] + 0.01 * s[0] + 0.1 * s[1];
            let tr = env.step(Action::Discrete(usize::from(lean > 0.0))).unwrap();
            t += 1;
            if tr.done() {
                break tr;
            }
        };
        assert_eq!((t, last.truncated, last.terminated), (500, true, false));
    }

    #[test]
    fn resets_follow_the_distribution() {
        let mut env = CartPole::new();
        for seed in 0..200 {
            assert!(env.reset(seed).iter().all(|v| v.abs() <= 0.05));
            assert!(env.state().iter().all(|v| v.abs() <= 0.05));
        }
    }

    #[test]
    fn reference_values() {
        // Pinned: a change here changes every CartPole run (CHANGELOG.md).
        let mut env = CartPole::new();
        assert_eq!(bits(env.reset(1)), [0xb7583479, 0x3d11350c, 0xbca24261, 0x3d2f9e8e]);
        assert_eq!(scripted(&mut env, 1, 2000), (0x41b06ee3, 2000.0));
    }
}
