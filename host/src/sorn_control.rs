//! A SORN reservoir controller: observations are encoded into the SORN's input channels, the
//! frozen network runs one step per control step, and a linear readout of its excitatory state
//! chooses the action. The readout is fitted by ridge regression to imitate a teacher policy
//! (here a CTRNN controller trained by the evolution strategy): learning from a teacher, as the
//! results that use it say.
//!
//! # Encoding
//!
//! Each observation variable `o_k` (scaled by `1 / scale_k`) drives `2 x COPIES` input channels:
//! `COPIES` channels carry `2 max(0, o_k / scale_k)` and `COPIES` carry `2 max(0, -o_k / scale_k)`.
//! Every channel feeds one excitatory unit, whose random threshold makes the copies a
//! thermometer code of the variable's magnitude.

use std::path::Path;

use anyhow::{Context, bail};
use neuroloop_core::env::{Action, Space};
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Config, Mode};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::control::{argmax, summarise};
use crate::ctrnn::Model;
use crate::env::AnyEnv;
use crate::sorn::{HostSorn, build};

/// Channels per observation variable and sign.
pub const COPIES: usize = 5;

/// A trained SORN controller (the file format `neuroloop-sorn-controller`, version 1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SornController {
    /// Always `"neuroloop-sorn-controller"`.
    pub format: String,
    /// Always 1.
    pub version: u32,
    /// Environment id it was trained on.
    pub env: String,
    /// The reservoir's config.
    pub config: Config,
    /// The reservoir's seed (the network is rebuilt from config and seed, then frozen).
    pub seed: u64,
    /// Scale of each observation variable.
    pub scales: Vec<f32>,
    /// Readout weights: one row of `N_E + 1` (bias last) per action.
    pub readout: Vec<Vec<f32>>,
}

/// Observation scales of the environments the SORN controller supports (an error for others).
pub fn observation_scales(env_id: &str) -> anyhow::Result<Vec<f32>> {
    match env_id {
        "CartPole-v1" => Ok(vec![2.4, 2.0, 0.21, 2.0]),
        _ => bail!("the SORN controller supports CartPole-v1 only (its encoding needs observation scales)"),
    }
}

impl SornController {
    /// The frozen reservoir, fresh.
    fn reservoir(&self) -> anyhow::Result<HostSorn> {
        let mut net = build(&self.config, self.seed)?;
        net.set_mode(Mode { noise: false, ..Mode::training(false) });
        Ok(net)
    }

    fn encode(&self, obs: &[f32], u: &mut [f32]) {
        for (k, (&o, &s)) in obs.iter().zip(&self.scales).enumerate() {
            let v = o / s;
            for c in 0..COPIES {
                u[2 * k * COPIES + c] = 2.0 * v.max(0.0);
                u[(2 * k + 1) * COPIES + c] = 2.0 * (-v).max(0.0);
            }
        }
    }

    /// One episode from reset seed `seed`: total reward and whether it terminated.
    pub fn run_episode(&self, env: &mut AnyEnv, seed: u64) -> anyhow::Result<(f64, bool)> {
        let mut net = self.reservoir()?;
        let mut u = vec![0.0f32; self.config.nu as usize];
        let mut obs = env.reset(seed);
        let mut total = 0.0;
        loop {
            self.encode(&obs, &mut u);
            net.step(&u)?;
            let t = env.step(Action::Discrete(self.act(&net)))?;
            total += t.reward;
            if t.terminated || t.truncated {
                return Ok((total, t.terminated));
            }
            obs = env.observation();
        }
    }

    /// The readout's action for the reservoir's current state (argmax over the action rows).
    fn act(&self, net: &HostSorn) -> usize {
        let scores = self.readout.iter().map(|row| {
            let bias = row.last().copied().unwrap_or(0.0);
            net.x().iter_ones().fold(bias, |s, i| s + row.get(i).copied().unwrap_or(0.0))
        });
        argmax(&scores.collect::<Vec<_>>())
    }

    /// Mean, standard deviation and terminated fraction over `episodes` episodes (seeds
    /// `seed..`), in parallel.
    pub fn evaluate(&self, episodes: u64, seed: u64) -> anyhow::Result<(f64, f64, f64)> {
        let runs: Vec<(f64, bool)> = (0..episodes)
            .into_par_iter()
            .map(|k| {
                let mut env = AnyEnv::new(&self.env)?;
                self.run_episode(&mut env, seed.wrapping_add(k))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(summarise(&runs))
    }

    /// Writes the controller file (JSON).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string(self)?).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Reads a controller file.
    pub fn load(path: &Path) -> anyhow::Result<SornController> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let c: SornController = serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
        if c.format != "neuroloop-sorn-controller" || c.version != 1 {
            bail!("{}: not a neuroloop-sorn-controller version 1 file", path.display());
        }
        c.config.validate()?;
        let rows = AnyEnv::new(&c.env).map(|e| e.spaces().1)?;
        let n = match rows {
            Space::Discrete(n) => n,
            Space::Box { .. } => bail!("{}: the SORN controller acts in discrete action spaces only", path.display()),
        };
        if c.readout.len() != n || c.readout.iter().any(|r| r.len() != c.config.ne as usize + 1) {
            bail!("{}: readout must be {n} rows of ne + 1 = {} weights", path.display(), c.config.ne + 1);
        }
        Ok(c)
    }
}

/// Trains the readout of a SORN controller for `env_id` by ridge regression on the reservoir
/// states visited while `teacher` (a CTRNN controller) acts, with a fraction `explore` of
/// random actions so the data covers recoveries; targets are +1 for the teacher's action and -1
/// for the others.
pub fn train_sorn_readout(
    env_id: &str,
    teacher: &Model,
    seed: u64,
    episodes: u64,
    explore: f32,
    ridge: f64,
) -> anyhow::Result<SornController> {
    let scales = observation_scales(env_id)?;
    let n_actions = match AnyEnv::new(env_id)?.spaces().1 {
        Space::Discrete(n) => n,
        Space::Box { .. } => bail!("the SORN controller acts in discrete action spaces only"),
    };
    let nu = (scales.len() * 2 * COPIES) as u32;
    let config = Config { nu, h_ip: Some(0.1), ..Config::DEFAULT };
    let mut ctl = SornController {
        format: "neuroloop-sorn-controller".into(),
        version: 1,
        env: env_id.into(),
        config,
        seed,
        scales,
        readout: vec![vec![0.0; config.ne as usize + 1]; n_actions],
    };
    let nf = config.ne as usize + 1;
    let tnet = teacher.network();
    let mut xtx = nalgebra::DMatrix::<f64>::zeros(nf, nf);
    let mut xty = nalgebra::DMatrix::<f64>::zeros(nf, n_actions);
    let mut rng = NetRng::seed_from_u64(seed ^ 0x0050_524e);
    let mut u = vec![0.0f32; nu as usize];
    for ep in 0..episodes {
        let mut net = ctl.reservoir()?;
        let mut env = AnyEnv::new(env_id)?;
        let mut obs = env.reset(seed.wrapping_add(ep));
        let mut ts = vec![0.0f32; 2 * teacher.dims.hidden];
        tnet.init_state(&teacher.v0, &mut ts)?;
        let mut y = vec![0.0f32; teacher.dims.outputs];
        loop {
            ctl.encode(&obs, &mut u);
            net.step(&u)?;
            tnet.step(&mut ts, &obs, &mut y, None)?;
            let best = argmax(&y);
            let active: Vec<usize> = net.x().iter_ones().chain([nf - 1]).collect();
            for &a in &active {
                for &b in &active {
                    xtx[(a, b)] += 1.0;
                }
                for k in 0..n_actions {
                    xty[(a, k)] += if k == best { 1.0 } else { -1.0 };
                }
            }
            let act = if rng.uniform_f32() < explore { rng.below(n_actions as u32) as usize } else { best };
            let t = env.step(Action::Discrete(act))?;
            if t.terminated || t.truncated {
                break;
            }
            obs = env.observation();
        }
    }
    for i in 0..nf {
        xtx[(i, i)] += ridge;
    }
    let chol = xtx.cholesky().context("the ridge system is not positive definite")?;
    let w = chol.solve(&xty);
    for (k, row) in ctl.readout.iter_mut().enumerate() {
        for (i, v) in row.iter_mut().enumerate() {
            *v = w[(i, k)] as f32;
        }
    }
    Ok(ctl)
}
