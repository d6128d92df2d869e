//! Acrobot-v1 (time limit 500): a two-link pendulum actuated at the elbow must swing its tip
//! above the bar. The "book" dynamics (Sutton & Barto), one RK4 step of 0.2 s.

use super::{Action, EnvError, Episode, Space, Transition, discrete, uniform};
use crate::rng::NetRng;
use core::f64::consts::PI;

const M1: f64 = 1.0;
const M2: f64 = 1.0;
const L1: f64 = 1.0;
const LC1: f64 = 0.5;
const LC2: f64 = 0.5;
const I1: f64 = 1.0;
const I2: f64 = 1.0;
const G: f64 = 9.8;
const DT: f64 = 0.2;
const MAX_VEL_1: f64 = 4.0 * PI;
const MAX_VEL_2: f64 = 9.0 * PI;
const TORQUES: [f64; 3] = [-1.0, 0.0, 1.0];

/// Acrobot-v1: actions 0, 1, 2 apply torque -1, 0, +1 at the second joint.
///
/// ```
/// use neuroloop_core::env::{Action, Acrobot};
/// let mut env = Acrobot::new();
/// env.reset(2);
/// assert_eq!(env.step(Action::Discrete(1)).unwrap().reward, -1.0);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Acrobot {
    state: [f64; 4],
    episode: Episode,
}

/// The derivative of (theta1, theta2, dtheta1, dtheta2) under torque `a`, in gymnasium's
/// operation order.
fn dsdt(s: [f64; 4], a: f64) -> [f64; 4] {
    let [theta1, theta2, dtheta1, dtheta2] = s;
    let d1 = M1 * (LC1 * LC1) + M2 * ((L1 * L1) + (LC2 * LC2) + 2.0 * L1 * LC2 * libm::cos(theta2)) + I1 + I2;
    let d2 = M2 * ((LC2 * LC2) + L1 * LC2 * libm::cos(theta2)) + I2;
    let phi2 = M2 * LC2 * G * libm::cos(theta1 + theta2 - PI / 2.0);
    let phi1 = -M2 * L1 * LC2 * (dtheta2 * dtheta2) * libm::sin(theta2)
        - 2.0 * M2 * L1 * LC2 * dtheta2 * dtheta1 * libm::sin(theta2)
        + (M1 * LC1 + M2 * L1) * G * libm::cos(theta1 - PI / 2.0)
        + phi2;
    let ddtheta2 = (a + d2 / d1 * phi1 - M2 * L1 * LC2 * (dtheta1 * dtheta1) * libm::sin(theta2) - phi2)
        / (M2 * (LC2 * LC2) + I2 - (d2 * d2) / d1);
    let ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
    [dtheta1, dtheta2, ddtheta1, ddtheta2]
}

fn axpy(y: [f64; 4], h: f64, k: [f64; 4]) -> [f64; 4] {
    core::array::from_fn(|i| y[i] + h * k[i])
}

/// Wraps `x` into `[lo, hi]` by adding or subtracting the range (gymnasium's `wrap`).
fn wrap(mut x: f64, lo: f64, hi: f64) -> f64 {
    let diff = hi - lo;
    while x > hi {
        x -= diff;
    }
    while x < lo {
        x += diff;
    }
    x
}

impl Acrobot {
    /// Steps of the registered id's time limit.
    pub const TIME_LIMIT: u32 = 500;

    /// A hanging acrobot; call [`Acrobot::reset`] before stepping.
    pub fn new() -> Self {
        Acrobot::default()
    }

    /// Starts an episode: all four state variables `U(-0.1, 0.1)`, rounded to float32 as
    /// gymnasium stores its reset state.
    pub fn reset(&mut self, seed: u64) -> [f32; 6] {
        let mut rng = NetRng::seed_from_u64(seed);
        self.set_state(core::array::from_fn(|_| uniform(&mut rng, -0.1, 0.1) as f32 as f64));
        self.observation()
    }

    /// Sets the state directly (for replays).
    pub fn set_state(&mut self, state: [f64; 4]) {
        self.state = state;
        self.episode = Episode::default();
    }

    /// (theta1, theta2, dtheta1, dtheta2).
    pub fn state(&self) -> [f64; 4] {
        self.state
    }

    /// (cos t1, sin t1, cos t2, sin t2, dt1, dt2) as float32.
    pub fn observation(&self) -> [f32; 6] {
        let [t1, t2, d1, d2] = self.state;
        [libm::cos(t1), libm::sin(t1), libm::cos(t2), libm::sin(t2), d1, d2].map(|v| v as f32)
    }

    /// Observation space.
    pub fn observation_space(&self) -> Space {
        let (v1, v2) = (MAX_VEL_1 as f32, MAX_VEL_2 as f32);
        Space::Box { dim: 6, low: [-1.0, -1.0, -1.0, -1.0, -v1, -v2], high: [1.0, 1.0, 1.0, 1.0, v1, v2] }
    }

    /// Three discrete torques.
    pub fn action_space(&self) -> Space {
        Space::Discrete(3)
    }

    /// One RK4 step of 0.2 s, then angle wrapping and velocity clipping.
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        self.episode.check()?;
        let a = TORQUES[discrete(action, 3)?];
        let y0 = self.state;
        let dt2 = DT / 2.0;
        let k1 = dsdt(y0, a);
        let k2 = dsdt(axpy(y0, dt2, k1), a);
        let k3 = dsdt(axpy(y0, dt2, k2), a);
        let k4 = dsdt(axpy(y0, DT, k3), a);
        let mut ns: [f64; 4] = core::array::from_fn(|i| y0[i] + DT / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
        ns[0] = wrap(ns[0], -PI, PI);
        ns[1] = wrap(ns[1], -PI, PI);
        ns[2] = ns[2].clamp(-MAX_VEL_1, MAX_VEL_1);
        ns[3] = ns[3].clamp(-MAX_VEL_2, MAX_VEL_2);
        self.state = ns;
        let terminated = -libm::cos(ns[0]) - libm::cos(ns[1] + ns[0]) > 1.0;
        let reward = if terminated { 0.0 } else { -1.0 };
        Ok(self.episode.finish(reward, terminated, Self::TIME_LIMIT))
    }
}
