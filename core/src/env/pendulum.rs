//! Pendulum-v1 (time limit 200): swing a pendulum up and hold it with a bounded torque.

use super::{Action, EnvError, Episode, Space, Transition, continuous, pad6, uniform};
use crate::rng::NetRng;
use core::f64::consts::PI;

const MAX_SPEED: f64 = 8.0;
const MAX_TORQUE: f32 = 2.0;
const DT: f64 = 0.05;
const G: f64 = 10.0;
const M: f64 = 1.0;
const L: f64 = 1.0;

/// Pendulum-v1; `theta = 0` is upright.
///
/// ```
/// use neuroloop_core::env::{Action, Pendulum};
/// let mut env = Pendulum::new();
/// env.reset(3);
/// let t = env.step(Action::Continuous(&[0.5])).unwrap();
/// assert!(t.reward <= 0.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pendulum {
    state: [f64; 2],
    episode: Episode,
}

/// `((a + pi) mod 2 pi) - pi`, with Python's floor modulo.
fn angle_normalize(a: f64) -> f64 {
    let m = 2.0 * PI;
    let r = (a + PI) % m;
    (if r < 0.0 { r + m } else { r }) - PI
}

impl Pendulum {
    /// Steps of the registered id's time limit.
    pub const TIME_LIMIT: u32 = 200;

    /// A hanging pendulum; call [`Pendulum::reset`] before stepping.
    pub fn new() -> Self {
        Pendulum::default()
    }

    /// Starts an episode: theta `U(-pi, pi)`, theta_dot `U(-1, 1)`.
    pub fn reset(&mut self, seed: u64) -> [f32; 3] {
        let mut rng = NetRng::seed_from_u64(seed);
        self.state = [uniform(&mut rng, -PI, PI), uniform(&mut rng, -1.0, 1.0)];
        self.episode = Episode::default();
        self.observation()
    }

    /// Sets the state directly (for replays).
    pub fn set_state(&mut self, state: [f64; 2]) {
        self.state = state;
        self.episode = Episode::default();
    }

    /// The state (theta, theta_dot).
    pub fn state(&self) -> [f64; 2] {
        self.state
    }

    /// (cos theta, sin theta, theta_dot) as float32.
    pub fn observation(&self) -> [f32; 3] {
        let [th, thd] = self.state;
        [libm::cos(th) as f32, libm::sin(th) as f32, thd as f32]
    }

    /// Observation space.
    pub fn observation_space(&self) -> Space {
        Space::Box { dim: 3, low: pad6(&[-1.0, -1.0, -8.0]), high: pad6(&[1.0, 1.0, 8.0]) }
    }

    /// One torque in [-2, 2] (clipped).
    pub fn action_space(&self) -> Space {
        Space::Box { dim: 1, low: pad6(&[-MAX_TORQUE]), high: pad6(&[MAX_TORQUE]) }
    }

    /// One step of 0.05 s.
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        self.episode.check()?;
        let u = continuous(action, 1)?[0].clamp(-MAX_TORQUE, MAX_TORQUE);
        let [th, thd] = self.state;
        // numpy keeps 0.001 * u^2 and 3 / (m l^2) * u in float32 before they meet f64 values.
        let u2 = (0.001f32 * (u * u)) as f64;
        let cost = angle_normalize(th) * angle_normalize(th) + 0.1 * (thd * thd) + u2;
        let torque_term = ((3.0 / (M * L * L)) as f32 * u) as f64;
        let new_thd = (thd + (3.0 * G / (2.0 * L) * libm::sin(th) + torque_term) * DT).clamp(-MAX_SPEED, MAX_SPEED);
        self.state = [th + new_thd * DT, new_thd];
        Ok(self.episode.finish(-cost, false, Self::TIME_LIMIT))
    }
}
