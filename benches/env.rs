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
        let discrete = matches!(env.spaces().1, Space::Discrete(_));
        let mut seed = 1;
        let mut run = |iters: u64| {
            let zero = [0.0f32];
            let t0 = Instant::now();
            for k in 0..iters {
                let a = if discrete { Action::Discrete((k & 1) as usize) } else { Action::Continuous(&zero) };
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

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);
