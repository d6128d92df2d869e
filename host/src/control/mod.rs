//! Closed-loop control on the host: controllers loaded from files as policies, their
//! evaluation over many episodes, and how they are trained.
//!
//! | module | what it holds |
//! |---|---|
//! | this one | [`Controller`] (a CTRNN model file or a SORN controller file) and [`evaluate`] |
//! | [`es`] | CTRNN controllers trained by an evolution strategy |
//! | [`sorn_controller`] | the SORN reservoir controller: its file and its readouts (ridge, RLS) |
//! | [`recording`], [`render`] | episodes recorded (`.npy`, CSV) and drawn (GIF) |
//!
//! Every episode runs through the core's [`run_episode`](neuroloop_core::episode::run_episode)
//! (evaluation through [`VecEnv::run_episodes`]).

pub mod es;
pub mod recording;
pub mod render;
pub mod sorn_controller;

use std::path::Path;

use anyhow::bail;
use neuroloop_core::env::{Action, Env, EnvId, Space};
use neuroloop_core::episode::{EpisodeSummary, Observer, Step, TrajectoryDigest};
use neuroloop_core::policy::{Policy, PolicyError, Weights};

use crate::ctrnn::{HostCtrnnPolicy, LoadOptions, Model};
use crate::env::VecEnv;
use recording::EpisodeRecord;
use sorn_controller::{HostReservoir, SornController};

pub use es::{EsOptions, EsResult, Generation, controller_dims, train_es};

/// Mean and spread of the returns of a set of episodes.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ReturnStats {
    /// Episodes.
    pub episodes: usize,
    /// Mean return.
    pub mean: f64,
    /// Standard deviation of the returns (population).
    pub std: f64,
    /// Fraction of episodes ended by the task itself (goal reached for DiffDrive-v0 and the
    /// MountainCars; failure for CartPole-v1).
    pub terminated_fraction: f64,
}

/// One digest of several episodes: the [`Fnv1a`](neuroloop_core::digest::Fnv1a) of their
/// [`TrajectoryDigest`]s in order (what `eval` and
/// `pil` print, so the two can be compared).
///
/// ```
/// use neuroloop_host::control::runs_digest;
/// assert_ne!(runs_digest([1, 2]), runs_digest([2, 1]));
/// ```
pub fn runs_digest(digests: impl IntoIterator<Item = u32>) -> u32 {
    let mut d = neuroloop_core::digest::Fnv1a::new();
    digests.into_iter().for_each(|x| d.write_u32(x));
    d.finish()
}

impl ReturnStats {
    /// The statistics of `runs`.
    ///
    /// ```
    /// use neuroloop_core::episode::{EpisodeSummary, Observer, Step};
    /// use neuroloop_host::control::ReturnStats;
    /// let run = |r, t| EpisodeSummary { total_reward: r, terminated: t, ..Default::default() };
    /// let s = ReturnStats::of(&[run(1.0, true), run(3.0, false)]);
    /// assert_eq!((s.mean, s.std, s.terminated_fraction), (2.0, 1.0, 0.5));
    /// ```
    pub fn of(runs: &[EpisodeSummary]) -> ReturnStats {
        let n = runs.len().max(1) as f64;
        let mean = runs.iter().map(|r| r.total_reward).sum::<f64>() / n;
        let std = (runs.iter().map(|r| (r.total_reward - mean) * (r.total_reward - mean)).sum::<f64>() / n).sqrt();
        let terminated_fraction = runs.iter().filter(|r| r.terminated).count() as f64 / n;
        ReturnStats { episodes: runs.len(), mean, std, terminated_fraction }
    }
}

/// A trained controller, as a file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Controller {
    /// A CTRNN controller (`neuroloop-ctrnn` model file).
    Ctrnn(Model),
    /// A SORN reservoir controller (`neuroloop-sorn-controller` file).
    Sorn(SornController),
}

/// A controller acting in one episode (one per episode: the variants' sizes do not matter).
#[allow(clippy::large_enum_variant)]
pub enum ControllerPolicy {
    /// A CTRNN controller.
    Ctrnn(HostCtrnnPolicy),
    /// A SORN reservoir with its fixed readout.
    Sorn(HostReservoir<Weights<Vec<f32>>>),
}

impl Policy for ControllerPolicy {
    type Error = PolicyError;

    fn reset(&mut self, seed: u64) -> Result<(), PolicyError> {
        match self {
            ControllerPolicy::Ctrnn(p) => p.reset(seed),
            ControllerPolicy::Sorn(p) => p.reset(seed),
        }
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), PolicyError> {
        match self {
            ControllerPolicy::Ctrnn(p) => p.act(observation),
            ControllerPolicy::Sorn(p) => p.act(observation),
        }
    }

    fn action(&self) -> Action<'_> {
        match self {
            ControllerPolicy::Ctrnn(p) => p.action(),
            ControllerPolicy::Sorn(p) => p.action(),
        }
    }
}

impl Controller {
    /// Reads a controller file for `env`: a SORN controller if its `format` says so, a CTRNN
    /// model file otherwise. An error if it was trained on, or does not fit, another
    /// environment.
    pub fn load(path: &Path, env: EnvId) -> anyhow::Result<Controller> {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        #[derive(serde::Deserialize)]
        struct Format {
            format: Option<String>,
        }
        let format = serde_json::from_str::<Format>(&text).ok().and_then(|f| f.format);
        if format.as_deref() == Some("neuroloop-sorn-controller") {
            let ctl = SornController::load(path)?;
            if ctl.env != env {
                bail!("{} was trained on {}, not {env}", path.display(), ctl.env);
            }
            return Ok(Controller::Sorn(ctl));
        }
        let model = Model::load(path, LoadOptions::default())?.model;
        if controller_dims(env, model.dims.hidden)? != model.dims {
            bail!("{}: dims {:?} do not fit {env}", path.display(), model.dims);
        }
        Ok(Controller::Ctrnn(model))
    }

    /// The controller at the start of an episode in `actions`.
    pub fn policy(&self, actions: Space) -> anyhow::Result<ControllerPolicy> {
        Ok(match self {
            Controller::Ctrnn(m) => ControllerPolicy::Ctrnn(m.policy(actions)?),
            Controller::Sorn(c) => ControllerPolicy::Sorn(c.policy()?),
        })
    }
}

/// One episode of [`run_controller`].
#[derive(Clone, Debug)]
pub struct EpisodeRun {
    /// How it went.
    pub summary: EpisodeSummary,
    /// Every step, when recording was asked for.
    pub record: Option<EpisodeRecord>,
    /// Its [`TrajectoryDigest`].
    pub digest: u32,
}

/// Runs `episodes` episodes of `controller` in `env` (reset seeds `seed, seed + 1, ...`) in
/// parallel, each recorded when `record` is set; in seed order.
pub fn run_controller(
    controller: &Controller,
    env: EnvId,
    episodes: u64,
    seed: u64,
    record: bool,
) -> anyhow::Result<Vec<EpisodeRun>> {
    let n = usize::try_from(episodes)?;
    if n == 0 {
        return Ok(Vec::new());
    }
    // Every copy of the plant, and every recorded step, within the memory budget.
    let e = env.make();
    let per_step =
        (e.observation_space().values() * 4 + e.state().len() * 8 + e.action_space().values() * 4 + 8) as u64;
    let per_episode = std::mem::size_of::<neuroloop_core::env::AnyEnv>() as u64
        + if record { per_step.saturating_mul(u64::from(e.time_limit()) + 1) } else { 0 };
    let what = format!("{episodes} episodes{}", if record { " recorded" } else { "" });
    crate::budget::check(what, per_episode.saturating_mul(episodes), crate::budget::bytes())?;
    let actions = e.action_space();
    let mut envs = VecEnv::new(env, n)?;
    envs.run_episodes(seed, |i| {
        let rec = record.then(|| EpisodeRecord::new(env, seed.wrapping_add(i as u64)));
        Ok((controller.policy(actions)?, (Recorded(rec), TrajectoryDigest::default())))
    })
    .map(|runs| {
        runs.into_iter()
            .map(|(summary, (rec, digest))| EpisodeRun { summary, record: rec.0, digest: digest.finish() })
            .collect()
    })
}

/// An optional recorder.
struct Recorded(Option<EpisodeRecord>);

impl<E: Env + ?Sized, P: ?Sized> Observer<E, P> for Recorded {
    fn reset(&mut self, env: &E, policy: &P) {
        if let Some(r) = &mut self.0 {
            r.reset(env, policy);
        }
    }

    fn step(&mut self, env: &E, policy: &P, step: &Step<'_>) {
        if let Some(r) = &mut self.0 {
            r.step(env, policy, step);
        }
    }
}

/// The returns of `episodes` episodes of `controller` (reset seeds `seed..`), in parallel.
pub fn evaluate(controller: &Controller, env: EnvId, episodes: u64, seed: u64) -> anyhow::Result<ReturnStats> {
    let runs = run_controller(controller, env, episodes, seed, false)?;
    Ok(ReturnStats::of(&runs.iter().map(|r| r.summary).collect::<Vec<_>>()))
}
