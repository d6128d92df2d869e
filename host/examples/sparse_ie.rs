//! Building and stepping a SORN whose E->I connections are sparse (`lambda_ie` set): build time,
//! buffer bytes, time per plastic step after a warm-up, and a digest of the spikes (the same
//! digest before and after a change of storage means the same bits).
//!
//! ```sh
//! cargo run --release -p neuroloop-host --example sparse_ie -- NE LAMBDA_IE WARMUP STEPS
//! /usr/bin/time -v target/release/examples/sparse_ie 60000 100 0 0   # build only: time, peak RSS
//! target/release/examples/sparse_ie 1600 100 2000 20000
//! ```
//!
//! N_I = N_E / 5, N_U 10, `lambda_ee` 20 and `lambda_ei` 40 (the defaults), E->E capacity the
//! board's (`Config::with_size`, 4 spare slots per unit), README input, seed 1.
use std::time::Instant;

use neuroloop_core::digest::Fnv1a;
use neuroloop_core::sorn::{Config, Layout};
use neuroloop_host::sorn::{build, input_rng};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut next = |default: &str| args.next().unwrap_or_else(|| default.into());
    let ne: u32 = next("1600").parse()?;
    let lambda_ie: f32 = next("100").parse()?;
    let warmup: u64 = next("2000").parse()?;
    let steps: u64 = next("20000").parse()?;
    let cfg = Config { lambda_ie: Some(lambda_ie), ..Config::with_size(ne, 10) };
    let bytes = Layout::new(&cfg).bytes();
    let t0 = Instant::now();
    let mut net = build(&cfg, 1)?;
    let build_s = t0.elapsed().as_secs_f64();
    println!("ne {ne} ni {} lambda_ie {lambda_ie}: buffers {bytes} bytes, build {build_s:.3} s", cfg.ni);
    let mut rng = input_rng(1);
    let mut u = [0.0f32; 10];
    let mut d = Fnv1a::new();
    for _ in 0..warmup {
        u.iter_mut().for_each(|v| *v = rng.uniform_f32());
        net.step(&u)?;
        d.write_words(net.x().words().iter().chain(net.y().words()).copied());
    }
    if warmup > 0 {
        println!("digest of x, y over {warmup} warm-up steps: {:#010x}", d.finish());
    }
    if steps > 0 {
        let inputs: Vec<[f32; 10]> = (0..steps).map(|_| core::array::from_fn(|_| rng.uniform_f32())).collect();
        let t0 = Instant::now();
        for x in &inputs {
            std::hint::black_box(net.step(x)?);
        }
        let per = t0.elapsed().as_secs_f64() / steps as f64;
        println!("plastic step: {:.2} us (mean of {steps})", per * 1e6);
    }
    Ok(())
}
