//! `DiffDrive-v0` (neuroloop's own task, time limit 400): a differential-drive robot in a
//! 2 x 2 m arena must reach a light (`shared/spec/envs.md`).

use super::{Action, EnvError, Physics, Simulated, Space, angle, continuous, uniform};
use crate::rng::NetRng;
use core::f64::consts::PI;

const WHEEL_BASE: f64 = 0.1;
const WHEEL_MAX: f32 = 0.2;
const DT: f64 = 0.05;
const ARENA: f64 = 1.0;
const GOAL_RADIUS: f64 = 0.1;
const SENSOR_ANGLE: f64 = PI / 4.0;
const WALL_SCALE: f64 = 0.1;
const OMEGA_MAX: f64 = 0.4 / WHEEL_BASE;

/// DiffDrive-v0. State (x, y, phi, light x, light y). Observation (float32): light sensors at
/// +45 and -45 degrees from the heading (left, right), wall-proximity sensors along the same
/// directions (left, right), and the turn rate over its maximum. Action: wheel speeds (left,
/// right) in m/s, clipped to [-0.2, 0.2].
///
/// ```
/// use neuroloop_core::env::{Action, DiffDrive, Env};
/// let mut env = DiffDrive::new();
/// let obs = env.reset(4);
/// assert_eq!(obs.len(), 5);
/// let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
/// assert!(t.reward.is_finite());
/// ```
pub type DiffDrive = Simulated<DiffDrivePhysics>;

/// DiffDrive-v0's kinematics and sensors; it keeps the turn rate (proprioception) and the
/// collisions of the episode.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DiffDrivePhysics {
    omega: f64,
    collisions: u32,
}

impl DiffDrivePhysics {
    /// Collisions with the walls so far in this episode.
    pub fn collisions(&self) -> u32 {
        self.collisions
    }
}

/// Distance from the robot to the light.
fn distance(s: &[f64; 5]) -> f64 {
    libm::hypot(s[3] - s[0], s[4] - s[1])
}

/// Length of the ray from the robot at `(x, y)` along `angle` to the nearest wall.
fn ray(x: f64, y: f64, angle: f64) -> f64 {
    let (c, s) = (libm::cos(angle), libm::sin(angle));
    let along = |p: f64, d: f64| {
        if d > 1e-12 {
            (ARENA - p) / d
        } else if d < -1e-12 {
            (-ARENA - p) / d
        } else {
            f64::INFINITY
        }
    };
    along(x, c).min(along(y, s)).max(0.0)
}

impl Physics for DiffDrivePhysics {
    type State = [f64; 5];
    type Observation = [f32; 5];
    const TIME_LIMIT: u32 = 400;
    const OBSERVATION_SPACE: Space = Space::Box { low: &[0.0, 0.0, 0.0, 0.0, -1.0], high: &[1.0, 1.0, 1.0, 1.0, 1.0] };
    const ACTION_SPACE: Space = Space::Box { low: &[-WHEEL_MAX, -WHEEL_MAX], high: &[WHEEL_MAX, WHEEL_MAX] };

    /// The robot uniform in [-0.8, 0.8]^2 with a uniform heading, the light uniform in
    /// [-0.8, 0.8]^2 at least 0.6 m away.
    fn initial_state(&mut self, rng: &mut NetRng) -> [f64; 5] {
        let pose = [uniform(rng, -0.8, 0.8), uniform(rng, -0.8, 0.8), uniform(rng, -PI, PI)];
        let mut goal = [0.0; 2];
        // Rejection sampling; the chance a draw is too close is below 0.35, so 64 draws always
        // suffice in practice, and the last draw is kept otherwise.
        for _ in 0..64 {
            goal = [uniform(rng, -0.8, 0.8), uniform(rng, -0.8, 0.8)];
            if libm::hypot(goal[0] - pose[0], goal[1] - pose[1]) >= 0.6 {
                break;
            }
        }
        [pose[0], pose[1], pose[2], goal[0], goal[1]]
    }

    fn start_episode(&mut self, _state: &mut [f64; 5]) {
        *self = DiffDrivePhysics::default();
    }

    /// One step of 0.05 s: exact unicycle integration, clamping to the arena (a collision).
    fn step(&mut self, state: &mut [f64; 5], action: Action<'_>) -> Result<(f64, bool), EnvError> {
        let a = continuous(action, 2)?;
        let (vl, vr) = (f64::from(a[0].clamp(-WHEEL_MAX, WHEEL_MAX)), f64::from(a[1].clamp(-WHEEL_MAX, WHEEL_MAX)));
        let before = distance(state);
        let v = (vr + vl) / 2.0;
        let omega = (vr - vl) / WHEEL_BASE;
        let [mut x, mut y, phi, ..] = *state;
        if omega.abs() < 1e-9 {
            x += v * libm::cos(phi) * DT;
            y += v * libm::sin(phi) * DT;
        } else {
            x += (v / omega) * (libm::sin(phi + omega * DT) - libm::sin(phi));
            y -= (v / omega) * (libm::cos(phi + omega * DT) - libm::cos(phi));
        }
        let phi = angle::normalize(phi + omega * DT);
        let collided = x.abs() > ARENA || y.abs() > ARENA;
        state[..3].copy_from_slice(&[x.clamp(-ARENA, ARENA), y.clamp(-ARENA, ARENA), phi]);
        self.omega = omega;
        let after = distance(state);
        let mut reward = (before - after) * 10.0 - 0.01;
        if collided {
            self.collisions = self.collisions.saturating_add(1);
            reward -= 0.1;
        }
        let terminated = after < GOAL_RADIUS;
        if terminated {
            reward += 10.0;
        }
        Ok((reward, terminated))
    }

    /// The five sensor readings.
    fn observe(&self, state: &[f64; 5]) -> [f32; 5] {
        let [x, y, phi, gx, gy] = *state;
        let (dx, dy) = (gx - x, gy - y);
        let d = libm::hypot(dx, dy);
        let light = |a: f64| {
            let cosine = if d > 0.0 { (libm::cos(a) * dx + libm::sin(a) * dy) / d } else { 1.0 };
            cosine.max(0.0) / (1.0 + d * d)
        };
        let wall = |a: f64| libm::exp(-ray(x, y, a) / WALL_SCALE);
        let (l, r) = (phi + SENSOR_ANGLE, phi - SENSOR_ANGLE);
        [light(l), light(r), wall(l), wall(r), self.omega / OMEGA_MAX].map(|v| v as f32)
    }
}

impl DiffDrive {
    /// Pose (x, y, phi).
    pub fn pose(&self) -> [f64; 3] {
        [self.state[0], self.state[1], self.state[2]]
    }

    /// Light position.
    pub fn goal(&self) -> [f64; 2] {
        [self.state[3], self.state[4]]
    }

    /// Collisions with the walls so far in this episode.
    pub fn collisions(&self) -> u32 {
        self.physics.collisions
    }

    /// Distance to the light.
    pub fn distance(&self) -> f64 {
        distance(&self.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::testing::{bits, scripted};
    use crate::env::{Env, EnvError};
    use crate::episode::run_episode;
    use crate::policy::Braitenberg;

    fn place(env: &mut DiffDrive, pose: [f64; 3], goal: [f64; 2]) {
        env.set_state(&[pose[0], pose[1], pose[2], goal[0], goal[1]]).unwrap();
    }

    #[test]
    fn kinematics_sensors_and_goal() {
        let mut env = DiffDrive::new();
        // Straight ahead at 0.2 m/s (as f32) for one 0.05 s step: 1 cm along the heading.
        place(&mut env, [0.0, 0.0, 0.0], [0.5, 0.0]);
        let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
        let [x, y, phi] = env.pose();
        assert!((x - 0.01).abs() < 1e-9 && y == 0.0 && phi == 0.0, "{x}");
        // Reward: the distance gained (1 cm) times 10, minus 0.01.
        assert!((t.reward - (0.01 * 10.0 - 0.01)).abs() < 1e-8);
        // Turning in place: omega = 0.4 / 0.1 = 4 rad/s, 0.2 rad per step; the position stays.
        place(&mut env, [0.0, 0.0, 0.0], [0.5, 0.0]);
        env.step(Action::Continuous(&[-0.2, 0.2])).unwrap();
        let [x, y, phi] = env.pose();
        assert!(x.abs() < 1e-15 && y.abs() < 1e-15 && (phi - 0.2).abs() < 1e-8, "{x} {y} {phi}");
        assert!((env.observation()[4] - 1.0).abs() < 1e-6, "proprioception: omega / 4");
        // Light straight ahead: both light sensors see it at 45 degrees, equally.
        place(&mut env, [0.0, 0.0, 0.0], [0.5, 0.0]);
        let o = env.observation();
        let expected = (libm::cos(PI / 4.0) / (1.0 + 0.25)) as f32;
        assert!((o[0] - expected).abs() < 1e-6 && (o[1] - expected).abs() < 1e-6);
        // Wall sensors: facing +x from x = 0.9, the left ray (45 degrees) meets the wall x = 1
        // after 0.1 / cos 45 = 0.1414 m.
        place(&mut env, [0.9, 0.0, 0.0], [0.0, 0.5]);
        let wall = libm::exp(-(0.1 / libm::cos(PI / 4.0)) / 0.1) as f32;
        assert!((env.observation()[2] - wall).abs() < 1e-6);
        // Driving into the wall: clamped, counted, penalised.
        place(&mut env, [0.995, 0.0, 0.0], [0.0, 0.5]);
        let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
        assert_eq!((env.pose()[0], env.collisions()), (1.0, 1));
        assert!(t.reward < -0.1);
        // The goal: within 0.1 m terminates with +10.
        place(&mut env, [0.0, 0.0, 0.0], [0.105, 0.0]);
        let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
        assert!(t.terminated && t.reward > 10.0);
        assert_eq!(env.step(Action::Continuous(&[0.1, 0.1])), Err(EnvError::EpisodeOver));
        env.reset(1);
        assert_eq!(env.step(Action::Continuous(&[0.1])), Err(EnvError::ActionWidth { expected: 2, got: 1 }));
        assert_eq!(env.step(Action::Continuous(&[0.1, f32::NAN])), Err(EnvError::ActionNotFinite));
    }

    #[test]
    fn resets_keep_the_light_away_and_a_braitenberg_vehicle_reaches_it() {
        let mut env = DiffDrive::new();
        let mut reached = 0;
        for seed in 0..50 {
            env.reset(seed);
            assert!(env.distance() >= 0.6);
            let s = run_episode(&mut env, &mut Braitenberg::default(), seed, &mut ()).unwrap();
            reached += usize::from(s.terminated);
        }
        assert!(reached >= 45, "Braitenberg reached the light in {reached}/50");
    }

    #[test]
    fn reference_values() {
        let mut env = DiffDrive::new();
        assert_eq!(bits(env.reset(1)), [0x3f22bc1e, 0x00000000, 0x376f61ac, 0x32db7cb6, 0x00000000]);
        assert_eq!(scripted(&mut env, 1, 2000), (0x49870837, -20.49541442188692));
    }
}
