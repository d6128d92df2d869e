//! One CTRNN step: H = 32, 128, 512 hidden neurons (I = 8, O = 4, tanh), batch 1 and batch 64.
//!
//! `cargo bench --bench ctrnn`; batch 64 also on every core (`step_batch_parallel`). The
//! side-by-side numbers against nn4n come from `benches/compare/run.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use neuroloop_core::ctrnn::{Activation, Dims};
use neuroloop_core::rng::NetRng;
use neuroloop_host::ctrnn::{InitOptions, random_model, step_batch_parallel};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("ctrnn_step");
    let mut table = Vec::new();
    for h in [32usize, 128, 512] {
        let dims = Dims { inputs: 8, hidden: h, outputs: 4 };
        let model = random_model(dims, Activation::Tanh, &InitOptions::default(), 1);
        let net = model.network().expect("a valid model");
        let mut rng = NetRng::seed_from_u64(2);
        // Batch 1.
        let mut state = vec![0.0f32; 2 * h];
        let u: Vec<f32> = (0..8).map(|_| rng.uniform_f32()).collect();
        let mut y = vec![0.0f32; 4];
        let mut one = |iters: u64| {
            let t0 = Instant::now();
            for _ in 0..iters {
                net.step(black_box(&mut state), black_box(&u), &mut y, None).expect("sizes match");
            }
            t0.elapsed()
        };
        group.bench_function(format!("h{h}_b1"), |b| b.iter_custom(&mut one));
        let n = (2_000_000 / (h * h)).max(200) as u64;
        let t1 = (0..5).map(|_| one(n).as_secs_f64() / n as f64).fold(f64::INFINITY, f64::min);
        // Batch 64.
        let b = 64;
        let mut states: Vec<f32> = (0..b * 2 * h).map(|_| rng.uniform_f32() - 0.5).collect();
        let inputs: Vec<f32> = (0..b * 8).map(|_| rng.uniform_f32()).collect();
        let mut outs = vec![0.0f32; b * 4];
        let mut many = |iters: u64, parallel: bool| {
            let t0 = Instant::now();
            for _ in 0..iters {
                if parallel {
                    step_batch_parallel(&net, black_box(&mut states), black_box(&inputs), &mut outs)
                } else {
                    net.step_batch(black_box(&mut states), black_box(&inputs), &mut outs, None)
                }
                .expect("sizes match");
            }
            t0.elapsed()
        };
        group.bench_function(format!("h{h}_b64"), |bch| bch.iter_custom(|n| many(n, false)));
        group.bench_function(format!("h{h}_b64_parallel"), |bch| bch.iter_custom(|n| many(n, true)));
        let n = (n / 32).max(20);
        let best = |parallel: bool, many: &mut dyn FnMut(u64, bool) -> Duration| {
            (0..5).map(|_| many(n, parallel).as_secs_f64() / (n * b as u64) as f64).fold(f64::INFINITY, f64::min)
        };
        let (t64, t64p) = (best(false, &mut many), best(true, &mut many));
        table.push((h, t1, t64, t64p));
    }
    group.finish();
    let threads = rayon::current_num_threads();
    println!(
        "\n{:>6} {:>16} {:>26} {:>32}",
        "H",
        "batch 1 / step",
        "batch 64 / sample-step",
        format!("batch 64 on {threads} threads / sample-step")
    );
    for (h, t1, t64, t64p) in table {
        println!("{h:>6} {:>13.3} us {:>23.3} us {:>29.3} us", t1 * 1e6, t64 * 1e6, t64p * 1e6);
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
