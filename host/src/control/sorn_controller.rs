//! The SORN reservoir controller on the host: its file (`neuroloop-sorn-controller`), and its
//! readout fitted from a teacher, by ridge regression or online by RLS.
//!
//! The controller is the core's [`Reservoir`] policy: observations thermometer-coded into the
//! SORN's input channels ([`CARTPOLE_CODE`]), the frozen network one step per control step, a
//! linear readout of its excitatory units (plus a bias) choosing the action by argmax. The
//! readout learns to imitate a teacher policy (a CTRNN controller trained by the evolution
//! strategy) acting with a fraction of random actions ([`Imitation`]); learning from a
//! teacher, as the results that use it say. Two ways to fit it:
//!
//! - [`train_sorn_readout`]: ridge regression over every state visited (host only, `nalgebra`);
//! - [`train_sorn_rls`]: online recursive least squares in the core ([`Rls`], fixed memory),
//!   one update per control step, exactly what the firmware runs on a board.

use std::path::Path;

use anyhow::{Context, bail};
use neuroloop_core::env::{Env, EnvId, Space};
use neuroloop_core::episode::run_episode;
use neuroloop_core::policy::{Imitation, PolicyError, Readout, Reservoir, Thermometer, Weights};
use neuroloop_core::presets::{CARTPOLE_CODE, EXPLORATION_SALT, OnlineReadout, reservoir_config};
use neuroloop_core::rls::{self, Rls};
use neuroloop_core::sorn::Config;
use serde::{Deserialize, Serialize};

use crate::ctrnn::Model;
use crate::sorn::build;

/// A trained SORN controller (the file format `neuroloop-sorn-controller`, version 1).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SornController {
    /// Always `"neuroloop-sorn-controller"`.
    pub format: String,
    /// Always 1.
    pub version: u32,
    /// Environment it was trained on.
    pub env: EnvId,
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

/// A reservoir policy of the host (owned buffers) with readout `R`.
pub type HostReservoir<R> = Reservoir<Vec<f32>, Vec<u16>, Vec<u32>, R, Vec<f32>>;

/// The observation code of the environments the SORN controller supports (an error for others).
pub fn observation_code(env: EnvId) -> anyhow::Result<Thermometer> {
    match env {
        EnvId::CartPole => Ok(CARTPOLE_CODE),
        _ => bail!("the SORN controller supports {} only (its encoding needs observation scales)", EnvId::CartPole),
    }
}

fn discrete_actions(env: EnvId) -> anyhow::Result<usize> {
    match env.make().action_space() {
        Space::Discrete(n) => Ok(n),
        Space::Box { .. } => bail!("the SORN controller acts in discrete action spaces only"),
    }
}

impl SornController {
    /// An untrained controller (zero readout over units `0..units`) for `env`: the reservoir
    /// of [`reservoir_config`] for the environment's observation code, seeded by `seed`.
    pub fn blank(env: EnvId, seed: u64, units: u32, fitted_by: &str) -> anyhow::Result<SornController> {
        let code = observation_code(env)?;
        let config = reservoir_config(code.channels() as u32);
        if units == 0 || units > config.ne {
            bail!("the readout reads 1 to ne = {} units, not {units}", config.ne);
        }
        Ok(SornController {
            format: "neuroloop-sorn-controller".into(),
            version: 1,
            env,
            config,
            seed,
            scales: code.scales().to_vec(),
            units: (units != config.ne).then_some(units),
            fitted_by: Some(fitted_by.into()),
            readout: vec![vec![0.0; units as usize + 1]; discrete_actions(env)?],
        })
    }

    /// Excitatory units the readout reads.
    pub fn readout_units(&self) -> usize {
        self.units.unwrap_or(self.config.ne) as usize
    }

    /// The observation code: the controller's scales with the CartPole code's copies and gain.
    pub fn code(&self) -> anyhow::Result<Thermometer> {
        Ok(Thermometer::new(&self.scales, CARTPOLE_CODE.copies, CARTPOLE_CODE.gain)?)
    }

    /// The reservoir with `readout`, as a policy (its network rebuilt from the controller's
    /// seed at every episode).
    fn reservoir<R: Readout>(&self, readout: R) -> anyhow::Result<HostReservoir<R>> {
        let net = build(&self.config, self.seed)?;
        let scratch = vec![0.0; HostReservoir::<R>::scratch_len(self.config.nu as usize, readout.outputs())];
        Ok(Reservoir::new(net, self.seed, self.code()?, readout, self.readout_units(), scratch)?)
    }

    /// The controller as a policy: the reservoir and the fixed readout.
    pub fn policy(&self) -> anyhow::Result<HostReservoir<Weights<Vec<f32>>>> {
        let rows = self.readout.len();
        let weights = Weights::new(self.readout_units() + 1, rows, self.readout.concat())?;
        self.reservoir(weights)
    }

    /// Writes the controller file (JSON).
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string(self)?).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Reads a controller file.
    pub fn load(path: &Path) -> anyhow::Result<SornController> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::from_json(&text).with_context(|| format!("{}", path.display()))
    }

    /// Parses and checks a controller file's text (everything but the reservoir's memory,
    /// which building it checks against the budget).
    pub fn from_json(text: &str) -> anyhow::Result<SornController> {
        let c: SornController = crate::json::from_str(text)?;
        if c.format != "neuroloop-sorn-controller" || c.version != 1 {
            bail!("not a neuroloop-sorn-controller version 1 file");
        }
        c.config.validate()?;
        let n = discrete_actions(c.env)?;
        let code = observation_code(c.env)?;
        if c.scales.len() != code.scales().len() || c.config.nu as usize != code.channels() {
            bail!("{} needs {} scales and nu = {}", c.env, code.scales().len(), code.channels());
        }
        if c.scales.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            bail!("scales must be finite and positive");
        }
        let units = c.readout_units();
        if units == 0 || units > c.config.ne as usize {
            bail!("units must be 1 to ne = {}", c.config.ne);
        }
        if c.readout.len() != n || c.readout.iter().any(|r| r.len() != units + 1) {
            bail!("readout must be {n} rows of units + 1 = {} weights", units + 1);
        }
        if c.readout.iter().flatten().any(|w| !w.is_finite()) {
            bail!("readout weights must be finite");
        }
        Ok(c)
    }
}

/// Runs `episodes` teacher episodes (reset seeds `seed..`) in which `student` learns from
/// `teacher` acting with a fraction `explore` of random actions (drawn from a generator seeded
/// by the controller's seed and [`EXPLORATION_SALT`]); gives the student back.
fn teach<R: Readout>(
    ctl: &SornController,
    teacher: &Model,
    student: HostReservoir<R>,
    episodes: u64,
    explore: f32,
) -> anyhow::Result<R> {
    let mut env = ctl.env.make();
    let tutor = teacher.policy(env.action_space())?;
    let mut imitation = Imitation::new(tutor, student, env.action_space(), explore, ctl.seed ^ EXPLORATION_SALT);
    for ep in 0..episodes {
        run_episode(&mut env, &mut imitation, ctl.seed.wrapping_add(ep), &mut ())
            .map_err(|e| anyhow::anyhow!("teacher episode {ep}: {e}"))?;
    }
    Ok(imitation.into_student().into_parts().1)
}

/// A readout that fits nothing online: it accumulates `X^T X` and `X^T Y` for ridge
/// regression.
struct RidgeSums {
    outputs: usize,
    xtx: nalgebra::DMatrix<f64>,
    xty: nalgebra::DMatrix<f64>,
}

impl Readout for RidgeSums {
    fn features(&self) -> usize {
        self.xtx.nrows()
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    /// Acts as a zero readout (the teacher acts while it learns).
    fn predict_ones(&self, _ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), rls::Error> {
        out.fill(0.0);
        Ok(())
    }

    fn learn_ones(&mut self, ones: impl Iterator<Item = usize> + Clone, targets: &[f32]) -> Result<(), rls::Error> {
        for a in ones.clone() {
            for b in ones.clone() {
                self.xtx[(a, b)] += 1.0;
            }
            for (k, &t) in targets.iter().enumerate() {
                self.xty[(a, k)] += f64::from(t);
            }
        }
        Ok(())
    }
}

/// Trains the readout of a SORN controller for `env` by ridge regression (penalty `ridge`)
/// on the reservoir states visited while `teacher` (a CTRNN controller) acts, with a fraction
/// `explore` of random actions; targets are +1 for the teacher's action and -1 for the others.
pub fn train_sorn_readout(
    env: EnvId,
    teacher: &Model,
    seed: u64,
    episodes: u64,
    explore: f32,
    ridge: f64,
) -> anyhow::Result<SornController> {
    let mut ctl = SornController::blank(env, seed, reservoir_config(0).ne, "ridge")?;
    let (nf, outputs) = (ctl.readout_units() + 1, ctl.readout.len());
    let sums = RidgeSums { outputs, xtx: nalgebra::DMatrix::zeros(nf, nf), xty: nalgebra::DMatrix::zeros(nf, outputs) };
    let student = ctl.reservoir(sums)?;
    let RidgeSums { mut xtx, xty, .. } = teach(&ctl, teacher, student, episodes, explore)?;
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

/// Options of the online readout ([`train_sorn_rls`]); the default is the core's
/// [`neuroloop_core::presets::ONLINE_READOUT`], the settings of the firmware's `sorn-rls`
/// scenario.
pub type RlsOptions = OnlineReadout;

/// Trains the readout online by recursive least squares in the core ([`Rls`]): one update per
/// control step towards +1 for the teacher's action and -1 for the others, while the teacher
/// (with a fraction of random actions) drives. The same loop runs on a board.
pub fn train_sorn_rls(env: EnvId, teacher: &Model, seed: u64, o: &RlsOptions) -> anyhow::Result<SornController> {
    let mut ctl = SornController::blank(env, seed, o.units, "rls")?;
    let units = ctl.readout_units();
    let cfg = rls::Config { features: units + 1, outputs: ctl.readout.len(), delta: o.delta, forgetting: o.forgetting };
    let readout = Rls::new(&cfg, vec![0.0f32; rls::Layout::new(&cfg).len]).map_err(PolicyError::Readout)?;
    let student = ctl.reservoir(readout)?;
    let learned = teach(&ctl, teacher, student, o.episodes, o.explore)?;
    for (row, w) in ctl.readout.iter_mut().zip(learned.weights().chunks_exact(units + 1)) {
        row.copy_from_slice(w);
    }
    Ok(ctl)
}
