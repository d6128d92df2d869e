//! `DiffDrive-v0` (neuroloop's own task, time limit 400): a differential-drive robot in a
//! 2 x 2 m arena must reach a light (`shared/spec/envs.md`).

use super::{Action, EnvError, Episode, Space, Transition, continuous, pad6, uniform};
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

/// DiffDrive-v0. Observation (float32): light sensors at +45 and -45 degrees from the heading
/// (left, right), wall-proximity sensors along the same directions (left, right), and the turn
/// rate over its maximum. Action: wheel speeds (left, right) in m/s, clipped to [-0.2, 0.2].
///
/// ```
/// use neuroloop_core::env::{Action, DiffDrive};
/// let mut env = DiffDrive::new();
/// let obs = env.reset(4);
/// assert_eq!(obs.len(), 5);
/// let t = env.step(Action::Continuous(&[0.2, 0.2])).unwrap();
/// assert!(t.reward.is_finite());
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiffDrive {
    /// x, y, phi.
    pose: [f64; 3],
    goal: [f64; 2],
    omega: f64,
    collisions: u32,
    episode: Episode,
}

/// Wraps an angle into [-pi, pi).
fn wrap(a: f64) -> f64 {
    let m = 2.0 * PI;
    let r = (a + PI) % m;
    (if r < 0.0 { r + m } else { r }) - PI
}

impl DiffDrive {
    /// Steps of the task's time limit.
    pub const TIME_LIMIT: u32 = 400;

    /// A robot at the origin; call [`DiffDrive::reset`] before stepping.
    pub fn new() -> Self {
        DiffDrive::default()
    }

    /// Starts an episode: the robot uniform in [-0.8, 0.8]^2 with a uniform heading, the light
    /// uniform in [-0.8, 0.8]^2 at least 0.6 m away.
    pub fn reset(&mut self, seed: u64) -> [f32; 5] {
        let mut rng = NetRng::seed_from_u64(seed);
        let pose = [uniform(&mut rng, -0.8, 0.8), uniform(&mut rng, -0.8, 0.8), uniform(&mut rng, -PI, PI)];
        let mut goal = [0.0; 2];
        // Rejection sampling; the chance a draw is too close is below 0.35, so 64 draws always
        // suffice in practice, and the last draw is kept otherwise.
        for _ in 0..64 {
            goal = [uniform(&mut rng, -0.8, 0.8), uniform(&mut rng, -0.8, 0.8)];
            if libm::hypot(goal[0] - pose[0], goal[1] - pose[1]) >= 0.6 {
                break;
            }
        }
        self.set_state(pose, goal);
        self.observation()
    }

    /// Sets pose (x, y, phi) and light position directly.
    pub fn set_state(&mut self, pose: [f64; 3], goal: [f64; 2]) {
        *self = DiffDrive { pose, goal, omega: 0.0, collisions: 0, episode: Episode::default() };
    }

    /// Pose (x, y, phi).
    pub fn pose(&self) -> [f64; 3] {
        self.pose
    }

    /// Light position.
    pub fn goal(&self) -> [f64; 2] {
        self.goal
    }

    /// Collisions with the walls so far in this episode.
    pub fn collisions(&self) -> u32 {
        self.collisions
    }

    /// Distance to the light.
    pub fn distance(&self) -> f64 {
        libm::hypot(self.goal[0] - self.pose[0], self.goal[1] - self.pose[1])
    }

    /// Length of the ray from the robot along `angle` to the nearest wall.
    fn ray(&self, angle: f64) -> f64 {
        let (c, s) = (libm::cos(angle), libm::sin(angle));
        let [x, y, _] = self.pose;
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

    /// The five sensor readings.
    pub fn observation(&self) -> [f32; 5] {
        let [x, y, phi] = self.pose;
        let (dx, dy) = (self.goal[0] - x, self.goal[1] - y);
        let d = libm::hypot(dx, dy);
        let light = |a: f64| {
            let cosine = if d > 0.0 { (libm::cos(a) * dx + libm::sin(a) * dy) / d } else { 1.0 };
            cosine.max(0.0) / (1.0 + d * d)
        };
        let wall = |a: f64| libm::exp(-self.ray(a) / WALL_SCALE);
        let (l, r) = (phi + SENSOR_ANGLE, phi - SENSOR_ANGLE);
        [light(l), light(r), wall(l), wall(r), self.omega / OMEGA_MAX].map(|v| v as f32)
    }

    /// Observation space.
    pub fn observation_space(&self) -> Space {
        Space::Box { dim: 5, low: pad6(&[0.0, 0.0, 0.0, 0.0, -1.0]), high: pad6(&[1.0, 1.0, 1.0, 1.0, 1.0]) }
    }

    /// Two wheel speeds.
    pub fn action_space(&self) -> Space {
        Space::Box { dim: 2, low: pad6(&[-WHEEL_MAX, -WHEEL_MAX]), high: pad6(&[WHEEL_MAX, WHEEL_MAX]) }
    }

    /// One step of 0.05 s: exact unicycle integration, clamping to the arena (a collision).
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        self.episode.check()?;
        let a = continuous(action, 2)?;
        let (vl, vr) = (f64::from(a[0].clamp(-WHEEL_MAX, WHEEL_MAX)), f64::from(a[1].clamp(-WHEEL_MAX, WHEEL_MAX)));
        let before = self.distance();
        let v = (vr + vl) / 2.0;
        let omega = (vr - vl) / WHEEL_BASE;
        let [mut x, mut y, phi] = self.pose;
        if omega.abs() < 1e-9 {
            x += v * libm::cos(phi) * DT;
            y += v * libm::sin(phi) * DT;
        } else {
            x += (v / omega) * (libm::sin(phi + omega * DT) - libm::sin(phi));
            y -= (v / omega) * (libm::cos(phi + omega * DT) - libm::cos(phi));
        }
        let phi = wrap(phi + omega * DT);
        let collided = x.abs() > ARENA || y.abs() > ARENA;
        self.pose = [x.clamp(-ARENA, ARENA), y.clamp(-ARENA, ARENA), phi];
        self.omega = omega;
        let after = self.distance();
        let mut reward = (before - after) * 10.0 - 0.01;
        if collided {
            self.collisions += 1;
            reward -= 0.1;
        }
        let terminated = after < GOAL_RADIUS;
        if terminated {
            reward += 10.0;
        }
        Ok(self.episode.finish(reward, terminated, Self::TIME_LIMIT))
    }
}

/// A Braitenberg vehicle (crossed excitatory wiring): each light sensor drives the opposite
/// wheel, so the robot turns toward the light and speeds up as it approaches; a hand-written
/// baseline and teacher for `DiffDrive-v0`.
///
/// ```
/// use neuroloop_core::env::{Action, DiffDrive, braitenberg};
/// let mut env = DiffDrive::new();
/// let mut obs = env.reset(1);
/// loop {
///     let t = env.step(Action::Continuous(&braitenberg(&obs))).unwrap();
///     if t.terminated || t.truncated { break; }
///     obs = env.observation();
/// }
/// ```
pub fn braitenberg(obs: &[f32; 5]) -> [f32; 2] {
    let (left, right) = (obs[0], obs[1]);
    // Turn toward the brighter side; search by turning in place when neither sensor sees it.
    let base = 0.12f32;
    if left + right < 1e-3 {
        return [0.1, -0.1];
    }
    let turn = 0.6 * (left - right) / (left + right);
    [(base * (1.0 - turn)).clamp(-0.2, 0.2), (base * (1.0 + turn)).clamp(-0.2, 0.2)]
}
