//! Plants and closed loops, every episode through the core's `run_episode`:
//! `cargo bench --bench env`. gymnasium 1.4's CartPole-v1 step takes ~4.5 us on the reference
//! machine (issue 6).
//!
//! - one environment step of each plant (a cycling discrete action or a fixed box action),
//! - one closed-loop step of the CTRNN and the SORN CartPole controllers,
//! - one online RLS update, and 64 vectorised copies stepped together.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use neuroloop_core::env::{Action, Env, EnvId, Space};
use neuroloop_core::episode::run_episode;
use neuroloop_core::policy::{Policy, PolicyError};
use neuroloop_host::control::sorn_controller::{RlsOptions, train_sorn_rls};
use neuroloop_host::ctrnn::Model;

/// Cycles through the discrete actions, or holds a box action at 0.1.
struct Cycle {
    discrete: Option<usize>,
    t: usize,
    values: [f32; 8],
    dim: usize,
}

impl Cycle {
    fn new(actions: Space) -> Cycle {
        match actions {
            Space::Discrete(n) => Cycle { discrete: Some(n), t: 0, values: [0.1; 8], dim: 0 },
            Space::Box { low, .. } => Cycle { discrete: None, t: 0, values: [0.1; 8], dim: low.len() },
        }
    }
}

impl Policy for Cycle {
    type Error = PolicyError;
    fn reset(&mut self, _seed: u64) -> Result<(), PolicyError> {
        Ok(())
    }
    fn act(&mut self, _obs: &[f32]) -> Result<(), PolicyError> {
        self.t += 1;
        Ok(())
    }
    fn action(&self) -> Action<'_> {
        match self.discrete {
            Some(n) => Action::Discrete(self.t % n.min(2)),
            None => Action::Continuous(&self.values[..self.dim]),
        }
    }
}

/// Time per step over episodes of `policy` in `env` (reset seeds 1, 2, ...) until at least
/// `steps` steps, scaled to exactly `steps` (what criterion's `iter_custom` asks for).
fn per_steps<E: Env, P: Policy>(env: &mut E, policy: &mut P, steps: u64, seed: &mut u64) -> Duration
where
    P::Error: std::fmt::Debug,
{
    let (t0, mut done) = (Instant::now(), 0u64);
    while done < steps {
        *seed += 1;
        done += u64::from(run_episode(env, policy, *seed, &mut ()).expect("runs").steps);
    }
    t0.elapsed().mul_f64(steps as f64 / done as f64)
}

/// Benchmarks episodes of `policy` in `env` as `name`; the best time per step over `reps`
/// runs of `steps` steps.
fn per_step_bench<E: Env, P: Policy>(
    c: &mut Criterion,
    name: &str,
    env: &mut E,
    policy: &mut P,
    steps: u64,
    reps: usize,
) -> f64
where
    P::Error: std::fmt::Debug,
{
    let mut seed = 0;
    c.bench_function(name, |b| b.iter_custom(|n| per_steps(env, policy, n, &mut seed)));
    (0..reps)
        .map(|_| per_steps(env, policy, steps, &mut seed).as_secs_f64() / steps as f64)
        .fold(f64::INFINITY, f64::min)
}

fn bench(c: &mut Criterion) {
    let mut table = Vec::new();
    for id in EnvId::ALL {
        let mut env = id.make();
        let mut policy = Cycle::new(env.action_space());
        let t = per_step_bench(c, &format!("env_step/{id}"), &mut env, &mut policy, 200_000, 5);
        table.push((id, t));
    }
    println!();
    for (id, t) in table {
        let ratio =
            if id == EnvId::CartPole { format!("  ({:.0}x gymnasium's ~4.5 us)", 4.5e-6 / t) } else { String::new() };
        println!("{:<26} {:>8.1} ns/step{ratio}", id.name(), t * 1e9);
    }
}

fn teacher() -> Model {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json");
    Model::load(std::path::Path::new(path), Default::default()).expect("the fixture loads").model
}

/// One closed-loop step: the CTRNN controller trained on CartPole-v1
/// (`tests/fixtures/cartpole_controller.json`, H 8) reads the observation, acts, the plant steps.
fn bench_closed_loop(c: &mut Criterion) {
    let mut env = EnvId::CartPole.make();
    let mut policy = teacher().policy(env.action_space()).expect("fits CartPole");
    let t = per_step_bench(c, "closed_loop/cartpole_ctrnn_h8", &mut env, &mut policy, 200_000, 5);
    println!("closed loop, CartPole-v1 + CTRNN controller (H 8): {:.1} ns/step", t * 1e9);
}

/// One closed-loop step of the SORN reservoir controller (frozen default-size reservoir, 40
/// input channels, readout of 48 units fitted online by RLS from the CTRNN teacher): encode,
/// reservoir step, readout, plant step. Every episode restarts with a fresh reservoir (built
/// from its seed), as evaluation does; that cost is included.
fn bench_closed_loop_sorn(c: &mut Criterion) {
    let ctl = train_sorn_rls(EnvId::CartPole, &teacher(), 1, &RlsOptions::default()).expect("trains");
    let mut env = EnvId::CartPole.make();
    let mut policy = ctl.policy().expect("builds");
    let t = per_step_bench(c, "closed_loop/cartpole_sorn_rls_readout", &mut env, &mut policy, 20_000, 3);
    println!("closed loop, CartPole-v1 + SORN controller (N_E 200, readout of 48 units): {:.2} us/step", t * 1e6);
}

/// One online RLS update of the core's readout with spike-like binary features (20 % on plus
/// a bias), 2 outputs: 49 features (the board's readout) and 201 (every excitatory unit).
fn bench_rls(c: &mut Criterion) {
    use neuroloop_core::rls::{Config, Layout, Rls};
    use neuroloop_core::rng::NetRng;
    for f in [49usize, 201] {
        let cfg = Config { features: f, outputs: 2, delta: 0.1, forgetting: 1.0 };
        let mut rls = Rls::new(&cfg, vec![0.0f32; Layout::new(&cfg).len]).expect("valid layout");
        let mut rng = NetRng::seed_from_u64(1);
        let samples: Vec<Vec<usize>> =
            (0..256).map(|_| (0..f - 1).filter(|_| rng.uniform_f32() < 0.2).chain([f - 1]).collect()).collect();
        let mut k = 0;
        let mut run = |iters: u64| {
            let t0 = Instant::now();
            for _ in 0..iters {
                let s = &samples[k % samples.len()];
                k += 1;
                rls.update_ones(black_box(s.iter().copied()), &[1.0, -1.0]).expect("valid sample");
            }
            t0.elapsed()
        };
        c.bench_function(&format!("rls_update/{f}_features"), |b| b.iter_custom(&mut run));
        let best = (0..3).map(|_| run(20_000).as_secs_f64() / 20_000.0).fold(f64::INFINITY, f64::min);
        println!("RLS update, {f} binary features, 2 outputs: {:.2} us", best * 1e6);
    }
}

/// 64 copies of CartPole-v1 and of Acrobot-v1 stepped together, sequentially and on rayon's
/// threads (`VecEnv::step` against `VecEnv::step_parallel`).
fn bench_vec_env(c: &mut Criterion) {
    use neuroloop_host::env::{Actions, VecEnv};
    for id in [EnvId::CartPole, EnvId::Acrobot] {
        for parallel in [false, true] {
            let mut envs = VecEnv::new(id, 64).expect("known id");
            envs.reset(1);
            let acts: Vec<usize> = (0..64).map(|i| i % 2).collect();
            let mut run = |iters: u64| {
                let t0 = Instant::now();
                for _ in 0..iters {
                    let a = Actions::Discrete(black_box(&acts));
                    let out = if parallel { envs.step_parallel(a) } else { envs.step(a) };
                    black_box(out.expect("valid actions"));
                }
                t0.elapsed()
            };
            let name = format!("vec_env_64/{id}/{}", if parallel { "rayon" } else { "sequential" });
            c.bench_function(&name, |b| b.iter_custom(&mut run));
            let best = (0..3).map(|_| run(5_000).as_secs_f64() / 5_000.0).fold(f64::INFINITY, f64::min);
            println!("{name}: {:.2} us per vectorised step ({:.1} ns per copy)", best * 1e6, best * 1e9 / 64.0);
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = bench, bench_closed_loop, bench_closed_loop_sorn, bench_rls, bench_vec_env
}
criterion_main!(benches);
