//! CartPole-v1 (time limit 500): a pole on a cart pushed left or right.

use super::{Action, EnvError, Episode, Space, Transition, discrete, pad6, uniform};
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

/// CartPole-v1.
///
/// ```
/// use neuroloop_core::env::{Action, CartPole};
/// let mut env = CartPole::new();
/// let obs = env.reset(1);
/// assert!(obs.iter().all(|v| v.abs() <= 0.05));
/// let t = env.step(Action::Discrete(1)).unwrap();
/// assert_eq!(t.reward, 1.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CartPole {
    state: [f64; 4],
    episode: Episode,
}

impl CartPole {
    /// Steps of the registered id's time limit.
    pub const TIME_LIMIT: u32 = 500;

    /// A cart at rest; call [`CartPole::reset`] before stepping.
    pub fn new() -> Self {
        CartPole::default()
    }

    /// Starts an episode: every state variable `U(-0.05, 0.05)`. Returns the observation.
    pub fn reset(&mut self, seed: u64) -> [f32; 4] {
        let mut rng = NetRng::seed_from_u64(seed);
        self.state = core::array::from_fn(|_| uniform(&mut rng, -0.05, 0.05));
        self.episode = Episode::default();
        self.observation()
    }

    /// Sets the state directly (for replays), starting an episode.
    pub fn set_state(&mut self, state: [f64; 4]) {
        self.state = state;
        self.episode = Episode::default();
    }

    /// The state (x, x_dot, theta, theta_dot).
    pub fn state(&self) -> [f64; 4] {
        self.state
    }

    /// The observation: the state rounded to float32.
    pub fn observation(&self) -> [f32; 4] {
        self.state.map(|v| v as f32)
    }

    /// Observation space: a box of 4.
    pub fn observation_space(&self) -> Space {
        let (x, t) = (X_THRESHOLD as f32 * 2.0, THETA_THRESHOLD as f32 * 2.0);
        Space::Box { dim: 4, low: pad6(&[-x, f32::MIN, -t, f32::MIN]), high: pad6(&[x, f32::MAX, t, f32::MAX]) }
    }

    /// Action space: 0 pushes left, 1 pushes right.
    pub fn action_space(&self) -> Space {
        Space::Discrete(2)
    }

    /// One explicit-Euler step of 0.02 s.
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        self.episode.check()?;
        let a = discrete(action, 2)?;
        let [x, x_dot, theta, theta_dot] = self.state;
        let force = if a == 1 { FORCE_MAG } else { -FORCE_MAG };
        let (s, c) = (libm::sin(theta), libm::cos(theta));
        // Operation order as gymnasium (numpy): np.square(theta_dot) is one product.
        let temp = (force + POLE_MASS_LENGTH * (theta_dot * theta_dot) * s) / TOTAL_MASS;
        let theta_acc = (GRAVITY * s - c * temp) / (LENGTH * (4.0 / 3.0 - MASS_POLE * (c * c) / TOTAL_MASS));
        let x_acc = temp - POLE_MASS_LENGTH * theta_acc * c / TOTAL_MASS;
        self.state = [x + TAU * x_dot, x_dot + TAU * x_acc, theta + TAU * theta_dot, theta_dot + TAU * theta_acc];
        let [x, _, theta, _] = self.state;
        let terminated =
            !(-X_THRESHOLD..=X_THRESHOLD).contains(&x) || !(-THETA_THRESHOLD..=THETA_THRESHOLD).contains(&theta);
        Ok(self.episode.finish(1.0, terminated, Self::TIME_LIMIT))
    }
}
