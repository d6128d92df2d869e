//! Profiling driver for the batch-1 CTRNN step (H from the first argument, default 128):
//! `valgrind --tool=callgrind target/release/examples/ctrnn_profile 128`.
use neuroloop_core::ctrnn::{Activation, Dims};
use neuroloop_host::ctrnn::{InitOptions, random_model};
fn main() {
    let h: usize = std::env::args().nth(1).map_or(128, |s| s.parse().expect("a number"));
    let act = if std::env::args().nth(2).as_deref() == Some("relu") { Activation::Relu } else { Activation::Tanh };
    let net = random_model(Dims { inputs: 8, hidden: h, outputs: 4 }, act, &InitOptions::default(), 1)
        .network()
        .expect("a valid model");
    let mut state = vec![0.0f32; 2 * h];
    let mut y = [0.0f32; 4];
    let u = [0.5f32; 8];
    let t0 = std::time::Instant::now();
    let n = 20_000;
    for _ in 0..n {
        net.step(&mut state, &u, &mut y, None).expect("sizes match");
    }
    println!("{:.3} us/step ({y:?})", t0.elapsed().as_secs_f64() * 1e6 / n as f64);
}
