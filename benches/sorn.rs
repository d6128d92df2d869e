//! One SORN step: the default network (N_E 200, N_I 40, N_U 10) and N_E 400, 800, 1000 and 1600 at the
//! same lambdas, plastic (all five rules) and frozen (training phase), after a 2,000-step warm-up
//! so the network is in its self-organised regime.
//!
//! `cargo bench --bench sorn`. Python `sorn` 0.7.4 on the reference machine: ~8 ms per plastic
//! step and ~0.12 ms per frozen step at N_E 200 (spec section 7); ratios are printed at the end.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Config, Mode};
use neuroloop_host::sorn::{HostSorn, build, input_rng};

/// Python package, seconds per step at N_E 200 (spec section 7, measured on this machine type).
const PY_PLASTIC_S: f64 = 8e-3;
const PY_FROZEN_S: f64 = 0.12e-3;

fn warmed(ne: u32) -> (HostSorn, NetRng) {
    let cfg = Config::with_size(ne, 10);
    let mut net = build(&cfg, 1).expect("valid config");
    let mut inputs = input_rng(1);
    let mut u = [0.0f32; 10];
    for _ in 0..2000 {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        net.step(&u).expect("valid input");
    }
    (net, inputs)
}

/// Time per step, measured over `iters` steps with fresh inputs (drawn outside the timing).
fn time_steps(net: &mut HostSorn, inputs: &mut NetRng, iters: u64) -> Duration {
    let u: Vec<[f32; 10]> = (0..iters).map(|_| core::array::from_fn(|_| inputs.uniform_f32())).collect();
    let t0 = Instant::now();
    for x in &u {
        black_box(net.step(black_box(x)).expect("valid input"));
    }
    t0.elapsed()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("sorn_step");
    let mut medians = Vec::new();
    for ne in [200u32, 400, 800, 1000, 1600] {
        for (name, mode) in [("plastic", Mode::default()), ("frozen", Mode::training(true))] {
            let (mut net, mut inputs) = warmed(ne);
            net.set_mode(mode);
            let id = format!("ne{ne}_{name}");
            group.bench_function(&id, |b| b.iter_custom(|iters| time_steps(&mut net, &mut inputs, iters)));
            // A plain repeated measurement for the ratio table (criterion keeps its own report).
            let (mut net, mut inputs) = warmed(ne);
            net.set_mode(mode);
            let per_step = (0..7)
                .map(|_| time_steps(&mut net, &mut inputs, 20_000).as_secs_f64() / 20_000.0)
                .fold(f64::INFINITY, f64::min);
            medians.push((id, ne, name, per_step));
        }
    }
    group.finish();
    println!("\n{:<16} {:>12} {:>14} {:>10}", "workload", "Rust/step", "Python/step", "ratio");
    for (id, ne, name, t) in medians {
        let py = match (ne, name) {
            (200, "plastic") => Some(PY_PLASTIC_S),
            (200, "frozen") => Some(PY_FROZEN_S),
            _ => None,
        };
        match py {
            Some(py) => println!("{id:<16} {:>10.3} us {:>11.3} ms {:>9.0}x", t * 1e6, py * 1e3, py / t),
            None => println!("{id:<16} {:>10.3} us {:>14} {:>10}", t * 1e6, "-", "-"),
        }
    }
}

/// Recording activity (the three rasters and both connection counts) against no recording,
/// N_E 200 plastic. Issue 5's budget: at most 2x an unrecorded step.
fn bench_recording(c: &mut Criterion) {
    use neuroloop_host::sorn::record::{RecordSpec, Recordings};
    let mut group = c.benchmark_group("sorn_record");
    let mut per_step = Vec::new();
    for (name, list) in [
        ("none", ""),
        (
            "activity",
            "ExcitatoryActivation,InhibitoryActivation,RecurrentActivation,EEConnectionCounts,EIConnectionCounts",
        ),
    ] {
        let (mut net, mut inputs) = warmed(200);
        let spec = RecordSpec::parse_list(list).expect("valid names");
        let mut run = |iters: u64| {
            let u: Vec<[f32; 10]> = (0..iters).map(|_| core::array::from_fn(|_| inputs.uniform_f32())).collect();
            let mut rec = Recordings::new(spec.clone(), &net, iters).expect("within budget");
            let t0 = Instant::now();
            for x in &u {
                let rep = net.step(black_box(x)).expect("valid input");
                rec.record(&net, &rep);
            }
            let t = t0.elapsed();
            black_box(rec);
            t
        };
        group.bench_function(name, |b| b.iter_custom(&mut run));
        let best = (0..7).map(|_| run(20_000).as_secs_f64() / 20_000.0).fold(f64::INFINITY, f64::min);
        per_step.push((name, best));
    }
    group.finish();
    let (none, activity) = (per_step[0].1, per_step[1].1);
    println!(
        "\nrecording activity: {:.3} us/step vs {:.3} us/step unrecorded: {:.2}x",
        activity * 1e6,
        none * 1e6,
        activity / none
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = bench, bench_recording
}
criterion_main!(benches);
