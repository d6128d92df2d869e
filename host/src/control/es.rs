//! CTRNN controllers trained in closed loop by a natural evolution strategy (antithetic
//! Gaussian perturbations, rank-based fitness shaping; Salimans et al. 2017), the perturbed
//! population's episodes in parallel.
//!
//! The controller reads the raw observation as its input; its readout is the action (the
//! core's [`neuroloop_core::policy::CtrnnPolicy`]: argmax over one output per discrete action,
//! or `high tanh(y_k)` per dimension of a box). Training changes every weight and bias, never
//! alpha.

use anyhow::bail;
use neuroloop_core::ctrnn::{Activation, Dims};
use neuroloop_core::env::{Env, EnvId, Space};
use neuroloop_core::episode::run_episode;
use neuroloop_core::rng::NetRng;
use rayon::prelude::*;

use super::{Controller, evaluate};
use crate::ctrnn::{InitOptions, Model, random_model};

/// The controller of an environment: its sizes follow the spaces.
pub fn controller_dims(env: EnvId, hidden: usize) -> anyhow::Result<Dims> {
    let e = env.make();
    let inputs = match e.observation_space() {
        Space::Box { low, .. } => low.len(),
        Space::Discrete(_) => bail!("discrete observation spaces are not supported"),
    };
    let outputs = match e.action_space() {
        Space::Discrete(n) => n,
        Space::Box { low, .. } => low.len(),
    };
    Ok(Dims { inputs, hidden, outputs })
}

/// Evolution-strategy settings.
#[derive(Clone, Debug, PartialEq)]
pub struct EsOptions {
    /// Hidden neurons of the controller.
    pub hidden: usize,
    /// Generations.
    pub generations: usize,
    /// Antithetic pairs per generation.
    pub pairs: usize,
    /// Perturbation standard deviation.
    pub sigma: f32,
    /// Step size.
    pub learning_rate: f32,
    /// Episodes per fitness evaluation.
    pub episodes: u64,
    /// Controller time constant ratio `dt / tau`.
    pub alpha: f32,
}

impl Default for EsOptions {
    fn default() -> Self {
        EsOptions { hidden: 8, generations: 60, pairs: 24, sigma: 0.1, learning_rate: 0.05, episodes: 3, alpha: 0.5 }
    }
}

impl EsOptions {
    /// Settings that solve `env` (measured; see BENCHMARKS.md), the defaults otherwise.
    ///
    /// ```
    /// use neuroloop_host::control::EsOptions;
    /// use neuroloop_host::env::EnvId;
    /// assert_eq!(EsOptions::for_env(EnvId::Pendulum).hidden, 16);
    /// ```
    pub fn for_env(env: EnvId) -> EsOptions {
        match env {
            EnvId::Pendulum => EsOptions {
                hidden: 16,
                generations: 800,
                pairs: 32,
                sigma: 0.2,
                learning_rate: 0.1,
                episodes: 5,
                alpha: 1.0,
            },
            EnvId::DiffDrive => EsOptions { generations: 80, ..EsOptions::default() },
            _ => EsOptions::default(),
        }
    }
}

impl EsOptions {
    /// Checks the settings for `env`: sizes and counts at least 1, `sigma`, `learning_rate` and
    /// `alpha` finite and positive (`alpha` at most 1), and the population's parameters within
    /// the memory budget. The error names the setting.
    pub fn validate(&self, env: EnvId) -> anyhow::Result<()> {
        // Each setting is named as the field and as `neuroloop train`'s flag.
        for (name, v) in [("hidden (--hidden)", self.hidden), ("pairs (--pairs)", self.pairs)] {
            if v == 0 {
                bail!("{name} = 0: must be at least 1");
            }
        }
        if self.generations == 0 {
            bail!("generations (--generations) = 0: nothing would be trained; at least 1");
        }
        if self.episodes == 0 {
            bail!("episodes = 0: each fitness needs at least 1 episode");
        }
        for (name, v) in [
            ("sigma (--sigma)", self.sigma),
            ("learning_rate (--learning-rate)", self.learning_rate),
            ("alpha", self.alpha),
        ] {
            if !(v.is_finite() && v > 0.0) {
                bail!("{name} = {v}: must be a finite number > 0");
            }
        }
        if self.alpha > 1.0 {
            bail!("alpha = {}: must be in (0, 1]", self.alpha);
        }
        let dims = controller_dims(env, self.hidden)?;
        let params = neuroloop_core::ctrnn::Layout::new(&neuroloop_core::ctrnn::Config::new(dims, Activation::Tanh))
            .params_len as u64;
        // The perturbations, two perturbed copies per pair and the model.
        let copies = (self.pairs as u64).saturating_mul(3).saturating_add(1);
        let what = format!("the evolution strategy's population ({} pairs of H = {})", self.pairs, self.hidden);
        crate::budget::check(what, params.saturating_mul(copies).saturating_mul(4), crate::budget::bytes())?;
        Ok(())
    }
}

/// One generation's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Generation {
    /// Generation index.
    pub generation: usize,
    /// Mean return of the perturbed population.
    pub population_mean: f64,
    /// Mean return of the current parameters (on fixed evaluation seeds).
    pub mean_return: f64,
}

/// A trained controller and its learning curve.
#[derive(Clone, Debug, PartialEq)]
pub struct EsResult {
    /// The controller.
    pub model: Model,
    /// One entry per generation.
    pub curve: Vec<Generation>,
}

/// Mean return of `model` over `episodes` episodes from reset seeds `seed..`, one after the
/// other (inside a parallel task).
fn fitness(model: &Model, env: EnvId, episodes: u64, seed: u64) -> anyhow::Result<f64> {
    let mut e = env.make();
    let mut total = 0.0;
    for k in 0..episodes {
        let mut policy = model.policy(e.action_space())?;
        total += run_episode(&mut e, &mut policy, seed + k, &mut ())
            .map_err(|err| anyhow::anyhow!("episode from seed {}: {err}", seed + k))?
            .total_reward;
    }
    Ok(total / episodes as f64)
}

/// Trains a CTRNN controller for `env` from `seed`; returns the model and the learning curve.
/// `progress` is called after every generation.
pub fn train_es(
    env: EnvId,
    opts: &EsOptions,
    seed: u64,
    progress: &mut dyn FnMut(&Generation),
) -> anyhow::Result<EsResult> {
    opts.validate(env)?;
    let dims = controller_dims(env, opts.hidden)?;
    let init = InitOptions { dt: opts.alpha, tau: 1.0, biases: Some(Default::default()), ..InitOptions::default() };
    let mut model = random_model(dims, Activation::Tanh, &init, seed);
    let n = model.params.len() - dims.hidden; // alpha is not trained
    let mut rng = NetRng::seed_from_u64(seed ^ 0x005e_ede5);
    let mut curve = Vec::new();
    for generation in 0..opts.generations {
        let noise: Vec<Vec<f32>> = (0..opts.pairs).map(|_| (0..n).map(|_| rng.normal()).collect()).collect();
        let ep_seed = rng.next_u32() as u64;
        let fitness: Vec<(f64, f64)> = noise
            .par_iter()
            .map(|eps| {
                let mut plus = model.clone();
                let mut minus = model.clone();
                for ((p, m), e) in plus.params[..n].iter_mut().zip(&mut minus.params[..n]).zip(eps) {
                    *p += opts.sigma * e;
                    *m -= opts.sigma * e;
                }
                Ok((fitness(&plus, env, opts.episodes, ep_seed)?, fitness(&minus, env, opts.episodes, ep_seed)?))
            })
            .collect::<anyhow::Result<_>>()?;
        // Rank-based shaping: returns mapped to [-0.5, 0.5] by rank.
        let mut all: Vec<(f64, usize)> =
            fitness.iter().flat_map(|f| [f.0, f.1]).enumerate().map(|(i, r)| (r, i)).collect();
        all.sort_by(|a, b| a.0.total_cmp(&b.0));
        let m = all.len();
        let mut shaped = vec![0.0f32; m];
        for (rank, &(_, i)) in all.iter().enumerate() {
            shaped[i] = rank as f32 / (m - 1).max(1) as f32 - 0.5;
        }
        for (p, eps) in noise.iter().enumerate() {
            let w = (shaped[2 * p] - shaped[2 * p + 1]) * opts.learning_rate / (opts.pairs as f32 * opts.sigma);
            for (p, e) in model.params[..n].iter_mut().zip(eps) {
                *p += w * e;
            }
        }
        let population_mean = fitness.iter().map(|f| f.0 + f.1).sum::<f64>() / (2 * opts.pairs) as f64;
        let mean_return = evaluate(&Controller::Ctrnn(model.clone()), env, 10, 1_000_000)?.mean;
        let g = Generation { generation, population_mean, mean_return };
        progress(&g);
        curve.push(g);
    }
    model.meta =
        Some(serde_json::json!({"source": "neuroloop train (evolution strategy)", "env": env.name(), "seed": seed}));
    Ok(EsResult { model, curve })
}
