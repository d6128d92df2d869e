//! Profiling driver for the CTRNN step: `profile_ctrnn H B N` runs N steps (default 20,000) of a
//! tanh network with H hidden neurons (default 128), 8 inputs and 4 outputs, for B samples
//! (default 1: `Ctrnn::step`; more: `Ctrnn::step_batch`), and prints the time per step and
//! sample. `valgrind --tool=callgrind target/release/examples/profile_ctrnn 128 1 20000` minus
//! the same with N = 0 gives the instructions (repeatable, unlike wall time on a shared VM).
use neuroloop_core::ctrnn::{Activation, Config, Ctrnn, Dims, Layout};
use neuroloop_core::rng::NetRng;

fn main() {
    let arg = |k: usize, default: usize| std::env::args().nth(k).map_or(default, |s| s.parse().expect("a number"));
    let (h, b, n) = (arg(1, 128), arg(2, 1), arg(3, 20_000));
    let cfg = Config::new(Dims { inputs: 8, hidden: h, outputs: 4 }, Activation::Tanh);
    let l = Layout::new(&cfg);
    let mut rng = NetRng::seed_from_u64(1);
    let scale = 2.0 / (h as f32).sqrt();
    let mut p: Vec<f32> = (0..l.params_len).map(|_| (rng.uniform_f32() - 0.5) * scale).collect();
    p[l.params.alpha.start..].fill(0.1);
    let net = Ctrnn::new(&cfg, p).expect("a valid network");
    let mut states = vec![0.0f32; b * 2 * h];
    let mut ys = vec![0.0f32; b * 4];
    let us: Vec<f32> = (0..b * 8).map(|_| rng.uniform_f32()).collect();
    let t0 = std::time::Instant::now();
    for _ in 0..n {
        if b == 1 {
            net.step(&mut states, &us, &mut ys, None).expect("sizes match");
        } else {
            net.step_batch(&mut states, &us, &mut ys, None).expect("sizes match");
        }
    }
    let per = t0.elapsed().as_secs_f64() * 1e6 / (n.max(1) * b) as f64;
    println!("H {h}, batch {b}: {per:.3} us per sample and step (y[0] = {})", ys[0]);
}
