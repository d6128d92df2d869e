//! Environments on the host: one type over the five gymnasium plants of the core, and replay
//! of gymnasium fixtures (`neuroloop env check`).

use anyhow::{Context, bail};
use neuroloop_core::env::{
    Acrobot, Action, CartPole, DiffDrive, EnvError, MountainCar, MountainCarContinuous, Pendulum, Space, Transition,
};
use serde_json::Value;

/// Any of the core's environments, by gymnasium id.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyEnv {
    /// `CartPole-v1`.
    CartPole(CartPole),
    /// `Pendulum-v1`.
    Pendulum(Pendulum),
    /// `MountainCar-v0`.
    MountainCar(MountainCar),
    /// `MountainCarContinuous-v0`.
    MountainCarContinuous(MountainCarContinuous),
    /// `Acrobot-v1`.
    Acrobot(Acrobot),
    /// `DiffDrive-v0`, neuroloop's robot.
    DiffDrive(DiffDrive),
}

/// The ids [`AnyEnv::new`] knows.
pub const IDS: [&str; 6] =
    ["CartPole-v1", "Pendulum-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "DiffDrive-v0"];

impl AnyEnv {
    /// The environment registered as `id` (gymnasium's ids).
    ///
    /// ```
    /// let env = neuroloop_host::env::AnyEnv::new("Acrobot-v1").unwrap();
    /// assert_eq!(env.time_limit(), 500);
    /// assert!(neuroloop_host::env::AnyEnv::new("Humanoid-v4").is_err());
    /// ```
    pub fn new(id: &str) -> anyhow::Result<AnyEnv> {
        Ok(match id {
            "CartPole-v1" => AnyEnv::CartPole(CartPole::new()),
            "Pendulum-v1" => AnyEnv::Pendulum(Pendulum::new()),
            "MountainCar-v0" => AnyEnv::MountainCar(MountainCar::new()),
            "MountainCarContinuous-v0" => AnyEnv::MountainCarContinuous(MountainCarContinuous::new()),
            "Acrobot-v1" => AnyEnv::Acrobot(Acrobot::new()),
            "DiffDrive-v0" => AnyEnv::DiffDrive(DiffDrive::new()),
            _ => bail!("unknown environment {id:?}: known are {}", IDS.join(", ")),
        })
    }

    /// The gymnasium id.
    ///
    /// ```
    /// assert_eq!(neuroloop_host::env::AnyEnv::new("Pendulum-v1").unwrap().id(), "Pendulum-v1");
    /// ```
    pub fn id(&self) -> &'static str {
        match self {
            AnyEnv::CartPole(_) => IDS[0],
            AnyEnv::Pendulum(_) => IDS[1],
            AnyEnv::MountainCar(_) => IDS[2],
            AnyEnv::MountainCarContinuous(_) => IDS[3],
            AnyEnv::Acrobot(_) => IDS[4],
            AnyEnv::DiffDrive(_) => IDS[5],
        }
    }

    /// Steps of the id's time limit.
    pub fn time_limit(&self) -> u32 {
        match self {
            AnyEnv::CartPole(_) => CartPole::TIME_LIMIT,
            AnyEnv::Pendulum(_) => Pendulum::TIME_LIMIT,
            AnyEnv::MountainCar(_) => MountainCar::TIME_LIMIT,
            AnyEnv::MountainCarContinuous(_) => MountainCarContinuous::TIME_LIMIT,
            AnyEnv::Acrobot(_) => Acrobot::TIME_LIMIT,
            AnyEnv::DiffDrive(_) => DiffDrive::TIME_LIMIT,
        }
    }

    /// Observation and action spaces.
    pub fn spaces(&self) -> (Space, Space) {
        match self {
            AnyEnv::CartPole(e) => (e.observation_space(), e.action_space()),
            AnyEnv::Pendulum(e) => (e.observation_space(), e.action_space()),
            AnyEnv::MountainCar(e) => (e.observation_space(), e.action_space()),
            AnyEnv::MountainCarContinuous(e) => (e.observation_space(), e.action_space()),
            AnyEnv::Acrobot(e) => (e.observation_space(), e.action_space()),
            AnyEnv::DiffDrive(e) => (e.observation_space(), e.action_space()),
        }
    }

    /// Starts an episode from `seed`; returns the observation.
    pub fn reset(&mut self, seed: u64) -> Vec<f32> {
        match self {
            AnyEnv::CartPole(e) => e.reset(seed).to_vec(),
            AnyEnv::Pendulum(e) => e.reset(seed).to_vec(),
            AnyEnv::MountainCar(e) => e.reset(seed).to_vec(),
            AnyEnv::MountainCarContinuous(e) => e.reset(seed).to_vec(),
            AnyEnv::Acrobot(e) => e.reset(seed).to_vec(),
            AnyEnv::DiffDrive(e) => e.reset(seed).to_vec(),
        }
    }

    /// One step.
    pub fn step(&mut self, action: Action<'_>) -> Result<Transition, EnvError> {
        match self {
            AnyEnv::CartPole(e) => e.step(action),
            AnyEnv::Pendulum(e) => e.step(action),
            AnyEnv::MountainCar(e) => e.step(action),
            AnyEnv::MountainCarContinuous(e) => e.step(action),
            AnyEnv::Acrobot(e) => e.step(action),
            AnyEnv::DiffDrive(e) => e.step(action),
        }
    }

    /// The observation.
    pub fn observation(&self) -> Vec<f32> {
        match self {
            AnyEnv::CartPole(e) => e.observation().to_vec(),
            AnyEnv::Pendulum(e) => e.observation().to_vec(),
            AnyEnv::MountainCar(e) => e.observation().to_vec(),
            AnyEnv::MountainCarContinuous(e) => e.observation().to_vec(),
            AnyEnv::Acrobot(e) => e.observation().to_vec(),
            AnyEnv::DiffDrive(e) => e.observation().to_vec(),
        }
    }

    /// The internal state as f64 values.
    pub fn state(&self) -> Vec<f64> {
        match self {
            AnyEnv::CartPole(e) => e.state().to_vec(),
            AnyEnv::Pendulum(e) => e.state().to_vec(),
            AnyEnv::MountainCar(e) => e.state().to_vec(),
            AnyEnv::MountainCarContinuous(e) => e.state().iter().map(|&v| f64::from(v)).collect(),
            AnyEnv::Acrobot(e) => e.state().to_vec(),
            AnyEnv::DiffDrive(e) => {
                let ([x, y, phi], [gx, gy]) = (e.pose(), e.goal());
                vec![x, y, phi, gx, gy]
            }
        }
    }

    /// Sets the state (a fixture's `initial_state`); errors on a wrong length.
    pub fn set_state(&mut self, s: &[f64]) -> anyhow::Result<()> {
        let n = self.state().len();
        if s.len() != n {
            bail!("initial_state has {} values; the environment has {n}", s.len());
        }
        match self {
            AnyEnv::CartPole(e) => e.set_state([s[0], s[1], s[2], s[3]]),
            AnyEnv::Pendulum(e) => e.set_state([s[0], s[1]]),
            AnyEnv::MountainCar(e) => e.set_state([s[0], s[1]]),
            AnyEnv::MountainCarContinuous(e) => e.set_state([s[0] as f32, s[1] as f32]),
            AnyEnv::Acrobot(e) => e.set_state([s[0], s[1], s[2], s[3]]),
            AnyEnv::DiffDrive(e) => e.set_state([s[0], s[1], s[2]], [s[3], s[4]]),
        }
        Ok(())
    }
}

/// Result of replaying an environment fixture.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvReport {
    /// Environment id.
    pub env: String,
    /// Episodes replayed.
    pub episodes: usize,
    /// Steps replayed.
    pub steps: usize,
    /// Largest |difference| of the internal state.
    pub max_state_diff: f64,
    /// Largest |difference| of the observation.
    pub max_obs_diff: f64,
    /// Steps whose reward or terminated flag differ (must be 0).
    pub mismatches: usize,
}

impl EnvReport {
    /// The replay tolerance of the spec for state and observation.
    pub const TOLERANCE: f64 = 1e-6;

    /// True when within tolerance and rewards/terminations are exact.
    pub fn passes(&self) -> bool {
        self.max_state_diff <= Self::TOLERANCE && self.max_obs_diff <= Self::TOLERANCE && self.mismatches == 0
    }
}

/// Replays a `neuroloop-env-fixture` (JSON text): each episode from its initial state, the
/// listed actions in order.
pub fn check_env_fixture(text: &str) -> anyhow::Result<EnvReport> {
    let v: Value = serde_json::from_str(text).context("not valid JSON")?;
    if v["format"] != "neuroloop-env-fixture" {
        bail!("format is {}: must be \"neuroloop-env-fixture\"", v["format"]);
    }
    if v["version"].as_u64() != Some(1) {
        bail!("version is {}: this build reads version 1", v["version"]);
    }
    let id = v["env"].as_str().context("env: missing or not a string")?;
    let mut env = AnyEnv::new(id)?;
    let episodes = v["episodes"].as_array().context("episodes: missing or not an array")?;
    let nums = |x: &Value, what: &str| -> anyhow::Result<Vec<f64>> {
        x.as_array()
            .with_context(|| format!("{what}: not an array"))?
            .iter()
            .map(|n| n.as_f64().with_context(|| format!("{what}: not a number")))
            .collect()
    };
    let (mut ds, mut dobs, mut mism, mut steps) = (0.0f64, 0.0f64, 0usize, 0usize);
    for (k, ep) in episodes.iter().enumerate() {
        let init = nums(&ep["initial_state"], &format!("episodes[{k}].initial_state"))?;
        env.set_state(&init).with_context(|| format!("episodes[{k}]"))?;
        let list = ep["steps"].as_array().with_context(|| format!("episodes[{k}].steps: not an array"))?;
        for (t, st) in list.iter().enumerate() {
            let at = || format!("episodes[{k}].steps[{t}]");
            let cont: Vec<f32>;
            let action = match &st["action"] {
                Value::Array(a) => {
                    cont = a
                        .iter()
                        .map(|x| x.as_f64().map(|f| f as f32))
                        .collect::<Option<_>>()
                        .with_context(|| format!("{}.action", at()))?;
                    Action::Continuous(&cont)
                }
                x => Action::Discrete(
                    x.as_u64().with_context(|| format!("{}.action: not an integer or list", at()))? as usize
                ),
            };
            let tr = env.step(action).map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
            let obs = nums(&st["obs"], &format!("{}.obs", at()))?;
            let state = nums(&st["state"], &format!("{}.state", at()))?;
            let o = env.observation();
            let s = env.state();
            if obs.len() != o.len() || state.len() != s.len() {
                bail!("{}: observation or state has the wrong length", at());
            }
            dobs = o.iter().zip(&obs).map(|(a, b)| (f64::from(*a) - b).abs()).fold(dobs, f64::max);
            ds = s.iter().zip(&state).map(|(a, b)| (a - b).abs()).fold(ds, f64::max);
            if Some(tr.reward) != st["reward"].as_f64() || Some(tr.terminated) != st["terminated"].as_bool() {
                mism += 1;
            }
            steps += 1;
        }
    }
    Ok(EnvReport {
        env: id.to_string(),
        episodes: episodes.len(),
        steps,
        max_state_diff: ds,
        max_obs_diff: dobs,
        mismatches: mism,
    })
}
