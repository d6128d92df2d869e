//! One environment step of each plant, with an alternating/zero action and resets at episode
//! ends. `cargo bench --bench env`. gymnasium 1.4's CartPole-v1 step takes ~4.5 us on the
//! reference machine (issue 6).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use neuroloop_core::env::{Action, Space};
use neuroloop_host::env::{AnyEnv, IDS};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("env_step");
    let mut table = Vec::new();
    for id in IDS {
        let mut env = AnyEnv::new(id).expect("known id");
        env.reset(1);
        let (discrete, dim) = match env.spaces().1 {
            Space::Discrete(_) => (true, 0),
            Space::Box { dim, .. } => (false, dim),
        };
        let mut seed = 1;
        let mut run = |iters: u64| {
            let zero = [0.1f32; 2];
            let t0 = Instant::now();
            for k in 0..iters {
                let a = if discrete { Action::Discrete((k & 1) as usize) } else { Action::Continuous(&zero[..dim]) };
                let t = env.step(black_box(a)).expect("valid action");
                if t.terminated || t.truncated {
                    seed += 1;
                    env.reset(seed);
                }
            }
            t0.elapsed()
        };
        group.bench_function(id, |b| b.iter_custom(&mut run));
        let best = (0..5).map(|_| run(200_000).as_secs_f64() / 200_000.0).fold(f64::INFINITY, f64::min);
        table.push((id, best));
    }
    group.finish();
    println!();
    for (id, t) in table {
        let ratio =
            if id == "CartPole-v1" { format!("  ({:.0}x gymnasium's ~4.5 us)", 4.5e-6 / t) } else { String::new() };
        println!("{id:<26} {:>8.1} ns/step{ratio}", t * 1e9);
    }
}

/// One closed-loop step: the CTRNN controller trained on CartPole-v1
/// (`tests/fixtures/cartpole_controller.json`, H 8) reads the observation, acts, the plant steps.
fn bench_closed_loop(c: &mut Criterion) {
    use neuroloop_host::ctrnn::Model;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json");
    let (model, _) = Model::load(std::path::Path::new(path), Default::default()).expect("the fixture loads");
    let net = model.network();
    let mut env = neuroloop_core::env::CartPole::new();
    let mut obs = env.reset(1);
    let mut state = vec![0.0f32; 2 * model.dims.hidden];
    let mut y = [0.0f32; 2];
    let mut seed = 1;
    let mut run = |iters: u64| {
        let t0 = Instant::now();
        for _ in 0..iters {
            net.step(&mut state, black_box(&obs), &mut y, None).expect("sizes match");
            let t = env.step(Action::Discrete(usize::from(y[1] > y[0]))).expect("valid action");
            if t.terminated || t.truncated {
                seed += 1;
                obs = env.reset(seed);
                state.fill(0.0);
            } else {
                obs = env.observation();
            }
        }
        t0.elapsed()
    };
    c.bench_function("closed_loop/cartpole_ctrnn_h8", |b| b.iter_custom(&mut run));
    let best = (0..5).map(|_| run(200_000).as_secs_f64() / 200_000.0).fold(f64::INFINITY, f64::min);
    println!("closed loop, CartPole-v1 + CTRNN controller (H 8): {:.1} ns/step", best * 1e9);
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = bench, bench_closed_loop
}
criterion_main!(benches);
