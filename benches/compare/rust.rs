//! The Rust half of the side-by-side comparison (`bash benches/compare/run.sh` runs it with
//! `cargo bench --bench compare`): the workloads of `benches/compare/python.py`, same sizes,
//! same step counts, same rules, each timed as the minimum over repetitions of the whole
//! workload (a fresh network each time; building it is not timed, as in the Python half).
//! Prints one JSON object per workload: `{"key", "seconds_per_step", "steps"}`.

use std::hint::black_box;
use std::time::Instant;

use neuroloop_core::ctrnn::{Activation, Dims};
use neuroloop_core::env::{CartPole, Env};
use neuroloop_core::episode::run_episode;
use neuroloop_core::policy::{Discrete, Policy, PolicyError};
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Config, Mode};
use neuroloop_host::ctrnn::{InitOptions, Model, random_model, step_batch_parallel};
use neuroloop_host::sorn::{build, input_rng};

/// Runs `work` (which returns the seconds of its timed part) until `budget_s` seconds of timed
/// work or `max_reps` repetitions; the minimum per step.
fn best(steps: usize, budget_s: f64, max_reps: usize, mut work: impl FnMut() -> f64) -> f64 {
    let (mut total, mut min) = (0.0, f64::INFINITY);
    for _ in 0..max_reps {
        let t = work();
        total += t;
        min = min.min(t);
        if total > budget_s {
            break;
        }
    }
    min / steps as f64
}

fn emit(key: &str, per_step: f64, steps: usize) {
    println!("{{\"key\":\"{key}\",\"seconds_per_step\":{per_step:e},\"steps\":{steps}}}");
}

/// SORN, fresh network of `ne` excitatory units (lambdas as default, N_I = N_E / 5, N_U 10),
/// `steps` steps of the README input (uniform [0, 1) per channel), plastic or frozen, noise on.
fn sorn(ne: u32, steps: usize, plastic: bool) -> f64 {
    let cfg = Config::with_size(ne, 10);
    let mut seed = 0;
    best(steps, 1.0, 50, || {
        seed += 1;
        let mut net = build(&cfg, seed).expect("valid size");
        if !plastic {
            net.set_mode(Mode::training(true));
        }
        let mut inputs = input_rng(seed);
        let u: Vec<Vec<f32>> = (0..steps).map(|_| (0..10).map(|_| inputs.uniform_f32()).collect()).collect();
        let t0 = Instant::now();
        for ut in &u {
            net.step(black_box(ut)).expect("valid input");
        }
        t0.elapsed().as_secs_f64()
    })
}

/// CTRNN (tanh, I 8, O 4, nn4n's initialisation), `steps` steps of a fixed random input, batch
/// 1 or 64; per step of the whole batch.
fn ctrnn(h: usize, batch: usize, steps: usize) -> f64 {
    let dims = Dims { inputs: 8, hidden: h, outputs: 4 };
    let model = random_model(dims, Activation::Tanh, &InitOptions::default(), 1);
    let net = model.network().expect("a valid model");
    let mut rng = NetRng::seed_from_u64(2);
    let inputs: Vec<f32> = (0..batch * 8).map(|_| rng.uniform_f32()).collect();
    best(steps, 1.0, 20, || {
        let mut states = vec![0.0f32; batch * 2 * h];
        let mut outs = vec![0.0f32; batch * 4];
        let t0 = Instant::now();
        for _ in 0..steps {
            if batch == 1 {
                net.step(black_box(&mut states), black_box(&inputs), &mut outs, None).expect("sizes match");
            } else {
                // On every core, as PyTorch runs its batched matrix products.
                step_batch_parallel(&net, black_box(&mut states), black_box(&inputs), &mut outs).expect("sizes match");
            }
        }
        t0.elapsed().as_secs_f64()
    })
}

/// Episodes (reset seeds 1, 2, ...) of `policy` in CartPole-v1 until `steps` steps: the
/// seconds, scaled to exactly `steps`.
fn episodes(policy: &mut impl Policy<Error = PolicyError>, steps: usize) -> f64 {
    let mut env = CartPole::new();
    let (t0, mut done, mut seed) = (Instant::now(), 0usize, 0u64);
    while done < steps {
        seed += 1;
        done += run_episode(&mut env, &mut *policy, seed, &mut ()).expect("runs").steps as usize;
    }
    t0.elapsed().as_secs_f64() * steps as f64 / done as f64
}

/// CartPole-v1, alternating actions, reset at episode ends.
fn cartpole(steps: usize) -> f64 {
    let mut k = 0;
    let mut alternate = Discrete::new(|_: &[f32]| {
        k ^= 1;
        k
    });
    best(steps, 0.5, 20, || episodes(&mut alternate, steps))
}

/// Closed loop: CartPole-v1 and the CTRNN controller of `tests/fixtures/cartpole_controller.json`
/// (H 8) acting on each observation; the controller's state restarts with each episode.
fn closed_loop(steps: usize) -> f64 {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json");
    let model = Model::load(std::path::Path::new(path), Default::default()).expect("the fixture loads").model;
    let mut policy = model.policy(CartPole::new().action_space()).expect("fits CartPole");
    best(steps, 0.5, 20, || episodes(&mut policy, steps))
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read.
    for (ne, steps) in [(200u32, 300usize), (400, 100), (800, 30), (1600, 10)] {
        emit(&format!("sorn_plastic_ne{ne}"), sorn(ne, steps, true), steps);
    }
    emit("sorn_frozen_ne200", sorn(200, 1000, false), 1000);
    for h in [32usize, 128, 512] {
        for batch in [1usize, 64] {
            let steps = if h == 512 && batch == 64 { 100 } else { 1000 };
            emit(&format!("ctrnn_h{h}_b{batch}"), ctrnn(h, batch, steps), steps);
        }
    }
    emit("cartpole_step", cartpole(100_000), 100_000);
    emit("closed_loop_cartpole_ctrnn_h8", closed_loop(5_000), 5_000);
}
