//! A SORN reservoir controller: observations are encoded into the SORN's input channels, the
//! frozen network runs one step per control step, and a linear readout of its excitatory state
//! (plus a bias) chooses the action by argmax. The readout learns to imitate a teacher policy
//! (here a CTRNN controller trained by the evolution strategy): learning from a teacher, as the
//! results that use it say. Two ways to fit it:
//!
//! - [`train_sorn_readout`]: ridge regression over every state visited (host only, `nalgebra`);
//! - [`train_sorn_rls`]: online recursive least squares in the core ([`Rls`], fixed memory),
//!   one update per control step, exactly what the firmware runs on a board.
//!
//! # Encoding
//!
//! [`CARTPOLE_CODE`]: each observation variable `o_k` (scaled by `1 / scale_k`) drives
//! `2 x copies` input channels, `copies` carrying `2 max(0, o_k / scale_k)` and `copies`
//! carrying `2 max(0, -o_k / scale_k)`. Every channel feeds one excitatory unit, whose random
//! threshold makes the copies a thermometer code of the variable's magnitude.

use std::path::Path;

use anyhow::{Context, bail};
use neuroloop_core::control::{
    CARTPOLE_CODE, RESERVOIR_MODE, Rls, RlsLayout, Thermometer, argmax, one_hot_targets, reservoir_config,
    spike_features,
};
use neuroloop_core::env::Space;
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::Config;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::control::{CtrnnPolicy, summarise};
use crate::ctrnn::Model;
use crate::env::AnyEnv;
use crate::episode::ActionBuf;
use crate::sorn::{HostSorn, build};

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
    /// The readout reads excitatory units `0..units` (absent: all `ne`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<u32>,
    /// How the readout was fitted (`"ridge"` or `"rls"`; information only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_by: Option<String>,
    /// Readout weights: one row of `units + 1` (bias last) per action.
    pub readout: Vec<Vec<f32>>,
}

/// The observation code of the environments the SORN controller supports (an error for others).
pub fn observation_code(env_id: &str) -> anyhow::Result<Thermometer<'static>> {
    match env_id {
        "CartPole-v1" => Ok(CARTPOLE_CODE),
        _ => bail!("the SORN controller supports CartPole-v1 only (its encoding needs observation scales)"),
    }
}

fn discrete_actions(env_id: &str) -> anyhow::Result<usize> {
    match AnyEnv::new(env_id)?.spaces().1 {
        Space::Discrete(n) => Ok(n),
        Space::Box { .. } => bail!("the SORN controller acts in discrete action spaces only"),
    }
}

impl SornController {
    /// An untrained controller (zero readout over units `0..units`) for `env_id`.
    fn blank(env_id: &str, seed: u64, units: u32, fitted_by: &str) -> anyhow::Result<SornController> {
        let code = observation_code(env_id)?;
        let config = reservoir_config(code.channels() as u32);
        if units == 0 || units > config.ne {
            bail!("the readout reads 1 to ne = {} units, not {units}", config.ne);
        }
        Ok(SornController {
            format: "neuroloop-sorn-controller".into(),
            version: 1,
            env: env_id.into(),
            config,
            seed,
            scales: code.scales.to_vec(),
            units: (units != config.ne).then_some(units),
            fitted_by: Some(fitted_by.into()),
            readout: vec![vec![0.0; units as usize + 1]; discrete_actions(env_id)?],
        })
    }

    /// Excitatory units the readout reads.
    pub fn readout_units(&self) -> usize {
        self.units.unwrap_or(self.config.ne) as usize
    }

    fn code(&self) -> Thermometer<'_> {
        Thermometer { scales: &self.scales, ..CARTPOLE_CODE }
    }

    /// The frozen reservoir, fresh.
    fn reservoir(&self) -> anyhow::Result<HostSorn> {
        let mut net = build(&self.config, self.seed)?;
        net.set_mode(RESERVOIR_MODE);
        Ok(net)
    }

    /// One episode from reset seed `seed`: total reward and whether it terminated.
    pub fn run_episode(&self, env: &mut AnyEnv, seed: u64) -> anyhow::Result<(f64, bool)> {
        loop_episode(env, seed, self.policy()?)
    }

    /// The controller as a policy for one episode (a fresh reservoir), e.g. for
    /// [`crate::episode::record_episode`].
    pub fn policy(&self) -> anyhow::Result<impl FnMut(&[f32]) -> anyhow::Result<ActionBuf> + '_> {
        let mut net = self.reservoir()?;
        let mut u = vec![0.0f32; self.config.nu as usize];
        Ok(move |obs: &[f32]| {
            self.code().encode(obs, &mut u)?;
            net.step(&u)?;
            Ok(ActionBuf::Discrete(self.act(&net)))
        })
    }

    /// The readout's action for the reservoir's current state (argmax over the action rows,
    /// summed in the order of [`Rls::predict_ones`], so a board computes the same bits).
    fn act(&self, net: &HostSorn) -> usize {
        let ones = spike_features(net.x(), self.readout_units());
        let scores: Vec<f32> = self.readout.iter().map(|row| ones.clone().fold(0.0, |s, i| s + row[i])).collect();
        argmax(&scores)
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
        let n = discrete_actions(&c.env).with_context(|| format!("{}", path.display()))?;
        let code = observation_code(&c.env)?;
        if c.scales.len() != code.scales.len() || c.config.nu as usize != c.code().channels() {
            bail!("{}: {} needs {} scales and nu = {}", path.display(), c.env, code.scales.len(), code.channels());
        }
        if c.scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            bail!("{}: scales must be finite and positive", path.display());
        }
        let units = c.readout_units();
        if units == 0 || units > c.config.ne as usize {
            bail!("{}: units must be 1 to ne = {}", path.display(), c.config.ne);
        }
        if c.readout.len() != n || c.readout.iter().any(|r| r.len() != units + 1) {
            bail!("{}: readout must be {n} rows of units + 1 = {} weights", path.display(), units + 1);
        }
        if c.readout.iter().flatten().any(|w| !w.is_finite()) {
            bail!("{}: readout weights must be finite", path.display());
        }
        Ok(c)
    }
}

/// Resets `env` with `seed` and steps it with the actions `policy` chooses until the episode
/// ends; returns the total reward and whether it terminated.
fn loop_episode(
    env: &mut AnyEnv,
    seed: u64,
    mut policy: impl FnMut(&[f32]) -> anyhow::Result<ActionBuf>,
) -> anyhow::Result<(f64, bool)> {
    let mut obs = env.reset(seed);
    let mut total = 0.0;
    loop {
        let t = env.step(policy(&obs)?.as_action())?;
        total += t.reward;
        if t.terminated || t.truncated {
            return Ok((total, t.terminated));
        }
        obs = env.observation();
    }
}

/// Runs `episodes` teacher episodes (reset seeds `seed..`) through a fresh frozen reservoir
/// each; at every step `learn` sees the reservoir and the teacher's action. A fraction
/// `explore` of the actions taken are random (drawn from a generator seeded by `seed`) so the
/// states visited include recoveries.
fn teacher_episodes(
    ctl: &SornController,
    teacher: &Model,
    episodes: u64,
    explore: f32,
    mut learn: impl FnMut(&HostSorn, usize) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let n_actions = ctl.readout.len() as u32;
    let mut rng = NetRng::seed_from_u64(ctl.seed ^ 0x0050_524e);
    let mut u = vec![0.0f32; ctl.config.nu as usize];
    for ep in 0..episodes {
        let mut net = ctl.reservoir()?;
        let mut env = AnyEnv::new(&ctl.env)?;
        let mut tutor = CtrnnPolicy::new(teacher, &env)?;
        loop_episode(&mut env, ctl.seed.wrapping_add(ep), |obs| {
            ctl.code().encode(obs, &mut u)?;
            net.step(&u)?;
            let ActionBuf::Discrete(best) = tutor.act(obs)? else { bail!("the teacher must act discretely") };
            learn(&net, best)?;
            Ok(ActionBuf::Discrete(if rng.uniform_f32() < explore { rng.below(n_actions) as usize } else { best }))
        })?;
    }
    Ok(())
}

/// Trains the readout of a SORN controller for `env_id` by ridge regression (penalty `ridge`)
/// on the reservoir states visited while `teacher` (a CTRNN controller) acts, with a fraction
/// `explore` of random actions; targets are +1 for the teacher's action and -1 for the others.
pub fn train_sorn_readout(
    env_id: &str,
    teacher: &Model,
    seed: u64,
    episodes: u64,
    explore: f32,
    ridge: f64,
) -> anyhow::Result<SornController> {
    let mut ctl = SornController::blank(env_id, seed, reservoir_config(0).ne, "ridge")?;
    let n_actions = ctl.readout.len();
    let nf = ctl.readout_units() + 1;
    let mut xtx = nalgebra::DMatrix::<f64>::zeros(nf, nf);
    let mut xty = nalgebra::DMatrix::<f64>::zeros(nf, n_actions);
    let units = ctl.readout_units();
    teacher_episodes(&ctl, teacher, episodes, explore, |net, best| {
        let active: Vec<usize> = spike_features(net.x(), units).collect();
        for &a in &active {
            for &b in &active {
                xtx[(a, b)] += 1.0;
            }
            for k in 0..n_actions {
                xty[(a, k)] += if k == best { 1.0 } else { -1.0 };
            }
        }
        Ok(())
    })?;
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

/// Options of the online readout ([`train_sorn_rls`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RlsOptions {
    /// Teacher episodes (reset seeds `seed..`).
    pub episodes: u64,
    /// Fraction of random actions while learning.
    pub explore: f32,
    /// Excitatory units read (`0..units`; the input-driven units are `0..nu`).
    pub units: u32,
    /// `P(0) = I / delta` (the ridge penalty when `forgetting` is 1).
    pub delta: f32,
    /// Forgetting factor in `(0, 1]`.
    pub forgetting: f32,
}

impl Default for RlsOptions {
    /// The settings the firmware's `sorn-rls` scenario uses: 6 teacher episodes, 30 % random
    /// actions, units `0..48` (a 49 x 49 `P`, 9.6 KB), `delta` 0.1, no forgetting.
    fn default() -> Self {
        RlsOptions { episodes: 6, explore: 0.3, units: 48, delta: 0.1, forgetting: 1.0 }
    }
}

/// Trains the readout online by recursive least squares in the core ([`Rls`]): one update per
/// control step towards +1 for the teacher's action and -1 for the others, while the teacher
/// (with a fraction of random actions) drives. The same loop runs on a board.
pub fn train_sorn_rls(env_id: &str, teacher: &Model, seed: u64, o: &RlsOptions) -> anyhow::Result<SornController> {
    let mut ctl = SornController::blank(env_id, seed, o.units, "rls")?;
    let n_actions = ctl.readout.len();
    let units = ctl.readout_units();
    let layout = RlsLayout::new(units + 1, n_actions);
    let mut rls = Rls::new(layout, o.delta, o.forgetting, vec![0.0f32; layout.len])?;
    let mut targets = vec![0.0f32; n_actions];
    teacher_episodes(&ctl, teacher, o.episodes, o.explore, |net, best| {
        one_hot_targets(best, &mut targets);
        rls.update_ones(spike_features(net.x(), units), &targets)?;
        Ok(())
    })?;
    for (row, w) in ctl.readout.iter_mut().zip(rls.weights().chunks_exact(units + 1)) {
        row.copy_from_slice(w);
    }
    Ok(ctl)
}
