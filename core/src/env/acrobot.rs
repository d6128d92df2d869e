//! Acrobot-v1 (time limit 500): a two-link pendulum actuated at the elbow must swing its tip
//! above the bar. The "book" dynamics (Sutton & Barto), one RK4 step of 0.2 s.

use super::{Action, EnvError, Physics, Simulated, Space, angle, discrete, uniform};
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

/// Acrobot-v1: state (theta1, theta2, dtheta1, dtheta2); actions 0, 1, 2 apply torque -1, 0,
/// +1 at the second joint.
///
/// ```
/// use neuroloop_core::env::{Action, Acrobot, Env};
/// let mut env = Acrobot::new();
/// env.reset(2);
/// assert_eq!(env.step(Action::Discrete(1)).unwrap().reward, -1.0);
/// ```
pub type Acrobot = Simulated<AcrobotPhysics>;

/// Acrobot-v1's "book" dynamics (Sutton & Barto), one RK4 step of 0.2 s.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AcrobotPhysics;

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

impl Physics for AcrobotPhysics {
    type State = [f64; 4];
    type Observation = [f32; 6];
    const TIME_LIMIT: u32 = 500;
    const OBSERVATION_SPACE: Space = Space::Box {
        low: &[-1.0, -1.0, -1.0, -1.0, -(MAX_VEL_1 as f32), -(MAX_VEL_2 as f32)],
        high: &[1.0, 1.0, 1.0, 1.0, MAX_VEL_1 as f32, MAX_VEL_2 as f32],
    };
    const ACTION_SPACE: Space = Space::Discrete(3);

    /// All four state variables `U(-0.1, 0.1)`, rounded to float32 as gymnasium stores its
    /// reset state.
    fn initial_state(&mut self, rng: &mut NetRng) -> [f64; 4] {
        core::array::from_fn(|_| uniform(rng, -0.1, 0.1) as f32 as f64)
    }

    /// One RK4 step of 0.2 s, then angle wrapping and velocity clipping.
    fn step(&mut self, state: &mut [f64; 4], action: Action<'_>) -> Result<(f64, bool), EnvError> {
        let a = TORQUES[discrete(action, 3)?];
        let y0 = *state;
        let dt2 = DT / 2.0;
        let k1 = dsdt(y0, a);
        let k2 = dsdt(axpy(y0, dt2, k1), a);
        let k3 = dsdt(axpy(y0, dt2, k2), a);
        let k4 = dsdt(axpy(y0, DT, k3), a);
        let mut ns: [f64; 4] = core::array::from_fn(|i| y0[i] + DT / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]));
        ns[0] = angle::wrap(ns[0], -PI, PI);
        ns[1] = angle::wrap(ns[1], -PI, PI);
        ns[2] = ns[2].clamp(-MAX_VEL_1, MAX_VEL_1);
        ns[3] = ns[3].clamp(-MAX_VEL_2, MAX_VEL_2);
        *state = ns;
        let terminated = -libm::cos(ns[0]) - libm::cos(ns[1] + ns[0]) > 1.0;
        Ok((if terminated { 0.0 } else { -1.0 }, terminated))
    }

    /// (cos t1, sin t1, cos t2, sin t2, dt1, dt2) as float32.
    fn observe(&self, state: &[f64; 4]) -> [f32; 6] {
        let [t1, t2, d1, d2] = *state;
        [libm::cos(t1), libm::sin(t1), libm::cos(t2), libm::sin(t2), d1, d2].map(|v| v as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::{bits, scripted, until_done};
    use crate::env::{Env, EnvError};

    #[test]
    fn resets_are_float32_and_in_range() {
        let mut a = Acrobot::new();
        for seed in 0..200 {
            a.reset(seed);
            assert!(a.state().iter().all(|v| v.abs() <= 0.1 && *v == (*v as f32) as f64));
        }
    }

    #[test]
    fn hanging_still_is_a_fixed_point_and_the_episode_truncates() {
        let mut a = Acrobot::new();
        a.set_state(&[0.0; 4]).unwrap();
        let t = a.step(Action::Discrete(1)).unwrap();
        assert_eq!((t.reward, t.terminated), (-1.0, false));
        assert!(a.state().iter().all(|v| v.abs() < 1e-12), "{:?}", a.state());
        let (steps, last) = until_done(&mut a, Action::Discrete(1));
        assert_eq!((steps + 1, last.truncated), (500, true));
        a.reset(1);
        assert_eq!(a.step(Action::Discrete(7)), Err(EnvError::ActionOutOfRange { action: 7, n: 3 }));
    }

    #[test]
    fn replayed_states_far_from_range_do_not_hang() {
        // gymnasium's wrap loops for ever on 1e17 (x - 2 pi == x); here it ends in range.
        let mut a = Acrobot::new();
        a.set_state(&[1e17, -1e16, 0.0, 0.0]).unwrap();
        a.step(Action::Discrete(1)).unwrap();
        assert!(a.state()[..2].iter().all(|v| v.abs() <= PI), "{:?}", a.state());
    }

    #[test]
    fn reference_values() {
        let mut env = Acrobot::new();
        assert_eq!(bits(env.reset(1)), [0x3f800000, 0xb7d83479, 0x3f7f5b57, 0x3d9115e9, 0xbd224261, 0x3daf9e8e]);
        assert_eq!(scripted(&mut env, 1, 2000), (0x3f26cd34, -2000.0));
    }
}
