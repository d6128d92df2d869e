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

/// One closed-loop step of the SORN reservoir controller (frozen default-size reservoir, 40
/// input channels, readout of 48 units fitted online by RLS from the CTRNN teacher): encode,
/// reservoir step, readout, plant step. Episodes restart with a fresh reservoir (built from its
/// seed), as evaluation does; that cost is included.
fn bench_closed_loop_sorn(c: &mut Criterion) {
    use neuroloop_host::ctrnn::Model;
    use neuroloop_host::episode::ActionBuf;
    use neuroloop_host::sorn_control::{RlsOptions, train_sorn_rls};
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json");
    let (teacher, _) = Model::load(std::path::Path::new(path), Default::default()).expect("the fixture loads");
    let ctl = train_sorn_rls("CartPole-v1", &teacher, 1, &RlsOptions::default()).expect("trains");
    let mut env = AnyEnv::new("CartPole-v1").expect("known id");
    let mut seed = 1;
    let mut obs = env.reset(seed);
    let mut policy = ctl.policy().expect("builds");
    let mut run = |iters: u64| {
        let t0 = Instant::now();
        for _ in 0..iters {
            let Ok(ActionBuf::Discrete(a)) = policy(black_box(&obs)) else { panic!("acts") };
            let t = env.step(Action::Discrete(a)).expect("valid action");
            if t.terminated || t.truncated {
                seed += 1;
                obs = env.reset(seed);
                policy = ctl.policy().expect("builds");
            } else {
                obs = env.observation();
            }
        }
        t0.elapsed()
    };
    c.bench_function("closed_loop/cartpole_sorn_rls_readout", |b| b.iter_custom(&mut run));
    let best = (0..3).map(|_| run(20_000).as_secs_f64() / 20_000.0).fold(f64::INFINITY, f64::min);
    println!("closed loop, CartPole-v1 + SORN controller (N_E 200, readout of 48 units): {:.2} us/step", best * 1e6);
}

/// One online RLS update of the core's readout with spike-like binary features (20 % on plus
/// a bias), 2 outputs: 49 features (the board's readout) and 201 (every excitatory unit).
fn bench_rls(c: &mut Criterion) {
    use neuroloop_core::control::{Rls, RlsLayout};
    use neuroloop_core::rng::NetRng;
    for f in [49usize, 201] {
        let l = RlsLayout::new(f, 2);
        let mut rls = Rls::new(l, 0.1, 1.0, vec![0.0f32; l.len]).expect("valid layout");
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
    use neuroloop_host::vec_env::{Actions, VecEnv};
    for id in ["CartPole-v1", "Acrobot-v1"] {
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
