//! Closed-loop control on the host: a CTRNN controller acting in an environment, episodes, and
//! training of its weights by a natural evolution strategy (antithetic Gaussian perturbations,
//! rank-based fitness shaping; Salimans et al. 2017), with episodes evaluated in parallel.
//!
//! The controller reads the raw observation as its input; its readout is the action: the
//! argmax over one output per discrete action, or `bound * tanh(y_k)` per dimension of a box
//! action. Training changes every weight and bias, never alpha.

use neuroloop_core::ctrnn::{Activation, Ctrnn, Dims};
use neuroloop_core::env::Space;
use neuroloop_core::rng::NetRng;
use rayon::prelude::*;

use crate::ctrnn::{InitOptions, Model, random_model};
use crate::env::AnyEnv;
use crate::episode::ActionBuf;

pub use neuroloop_core::control::argmax;

/// Mean and standard deviation of the returns, and the fraction of episodes that terminated.
pub fn summarise(runs: &[(f64, bool)]) -> (f64, f64, f64) {
    let n = runs.len().max(1) as f64;
    let mean = runs.iter().map(|r| r.0).sum::<f64>() / n;
    let sd = (runs.iter().map(|r| (r.0 - mean) * (r.0 - mean)).sum::<f64>() / n).sqrt();
    (mean, sd, runs.iter().filter(|r| r.1).count() as f64 / n)
}

/// The controller of an environment: sizes follow its spaces.
pub fn controller_dims(env: &AnyEnv, hidden: usize) -> anyhow::Result<Dims> {
    let (obs, act) = env.spaces();
    let inputs = match obs {
        Space::Box { dim, .. } => dim,
        Space::Discrete(_) => anyhow::bail!("discrete observation spaces are not supported"),
    };
    let outputs = match act {
        Space::Discrete(n) => n,
        Space::Box { dim, .. } => dim,
    };
    Ok(Dims { inputs, hidden, outputs })
}

/// Runs one episode of `model` in `env` from reset seed `seed`; returns the total reward.
pub fn episode(model: &Model, env: &mut AnyEnv, seed: u64) -> f64 {
    run_episode(model, env, seed).0
}

/// One episode: total reward, and whether it ended by the task's own termination (a goal
/// reached, or a failure such as a fallen pole) rather than the time limit. A controller that
/// cannot act (a model that does not fit the environment) scores negative infinity.
pub fn run_episode(model: &Model, env: &mut AnyEnv, seed: u64) -> (f64, bool) {
    let Ok(mut policy) = CtrnnPolicy::new(model, env) else { return (f64::NEG_INFINITY, false) };
    let mut obs = env.reset(seed);
    let mut total = 0.0;
    loop {
        let Ok(action) = policy.act(&obs) else { return (f64::NEG_INFINITY, false) };
        match env.step(action.as_action()) {
            Ok(t) => {
                total += t.reward;
                if t.terminated || t.truncated {
                    return (total, t.terminated);
                }
            }
            Err(_) => return (f64::NEG_INFINITY, false),
        }
        obs = env.observation();
    }
}

/// A CTRNN controller acting in one episode: its state, and the map from readout to action
/// (argmax for discrete actions, `high_k tanh(y_k)` for boxes).
pub struct CtrnnPolicy {
    net: Ctrnn<Vec<f32>>,
    state: Vec<f32>,
    y: Vec<f32>,
    actions: Space,
}

impl CtrnnPolicy {
    /// The controller at its initial state, for `env`'s action space.
    pub fn new(model: &Model, env: &AnyEnv) -> anyhow::Result<Self> {
        let net = model.network();
        let mut state = vec![0.0f32; 2 * model.dims.hidden];
        net.init_state(&model.v0, &mut state)?;
        Ok(CtrnnPolicy { net, state, y: vec![0.0; model.dims.outputs], actions: env.spaces().1 })
    }

    /// One network step on `obs`, then the action.
    pub fn act(&mut self, obs: &[f32]) -> anyhow::Result<ActionBuf> {
        self.net.step(&mut self.state, obs, &mut self.y, None)?;
        Ok(match self.actions {
            Space::Discrete(_) => ActionBuf::Discrete(argmax(&self.y)),
            Space::Box { dim, high, .. } => ActionBuf::Continuous(
                (0..dim).map(|k| high[k] * Activation::Tanh.apply(self.y.get(k).copied().unwrap_or(0.0))).collect(),
            ),
        })
    }
}

/// Mean and standard deviation of the returns of `episodes` episodes (reset seeds
/// `seed, seed + 1, ...`), in parallel.
pub fn evaluate(model: &Model, env_id: &str, episodes: u64, seed: u64) -> anyhow::Result<(f64, f64)> {
    let (mean, sd, _) = evaluate_full(model, env_id, episodes, seed)?;
    Ok((mean, sd))
}

/// As [`evaluate`], plus the fraction of episodes that terminated (goal reached for
/// DiffDrive-v0 and the MountainCars; failure for CartPole-v1).
pub fn evaluate_full(model: &Model, env_id: &str, episodes: u64, seed: u64) -> anyhow::Result<(f64, f64, f64)> {
    AnyEnv::new(env_id)?;
    let runs: Vec<(f64, bool)> = (0..episodes)
        .into_par_iter()
        .map(|k| {
            let mut env = AnyEnv::new(env_id).expect("checked above");
            run_episode(model, &mut env, seed.wrapping_add(k))
        })
        .collect();
    Ok(summarise(&runs))
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
    /// Settings that solve `env_id` (measured; see BENCHMARKS.md), the defaults otherwise.
    ///
    /// ```
    /// use neuroloop_host::control::EsOptions;
    /// assert_eq!(EsOptions::for_env("Pendulum-v1").hidden, 16);
    /// ```
    pub fn for_env(env_id: &str) -> EsOptions {
        match env_id {
            "Pendulum-v1" => EsOptions {
                hidden: 16,
                generations: 800,
                pairs: 32,
                sigma: 0.2,
                learning_rate: 0.1,
                episodes: 5,
                alpha: 1.0,
            },
            "DiffDrive-v0" => EsOptions { generations: 80, ..EsOptions::default() },
            _ => EsOptions::default(),
        }
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

/// Trains a CTRNN controller for `env_id` from `seed`; returns the model and the learning curve.
/// `progress` is called after every generation.
pub fn train_es(
    env_id: &str,
    opts: &EsOptions,
    seed: u64,
    progress: &mut dyn FnMut(&Generation),
) -> anyhow::Result<(Model, Vec<Generation>)> {
    let env = AnyEnv::new(env_id)?;
    let dims = controller_dims(&env, opts.hidden)?;
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
                let run = |m: &Model| {
                    let mut env = AnyEnv::new(env_id).expect("checked above");
                    (0..opts.episodes).map(|e| episode(m, &mut env, ep_seed + e)).sum::<f64>() / opts.episodes as f64
                };
                (run(&plus), run(&minus))
            })
            .collect();
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
        let (mean_return, _) = evaluate(&model, env_id, 10, 1_000_000)?;
        let g = Generation { generation, population_mean, mean_return };
        progress(&g);
        curve.push(g);
    }
    model.meta =
        Some(serde_json::json!({"source": "neuroloop train (evolution strategy)", "env": env_id, "seed": seed}));
    Ok((model, curve))
}
