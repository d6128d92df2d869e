//! The online RLS readout of the SORN controller over reservoir seeds 1-8 (teacher: the CTRNN
//! fixture `tests/fixtures/cartpole_controller.json`, default `RlsOptions`), each evaluated on
//! 100 episodes from reset seed 7.
//!
//! `cargo run --release -p neuroloop-host --example sorn_rls_seeds`

use neuroloop_host::ctrnn::Model;
use neuroloop_host::sorn_control::{RlsOptions, train_sorn_rls};

fn main() -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/cartpole_controller.json");
    let (teacher, _) = Model::load(std::path::Path::new(path), Default::default())?;
    let o = RlsOptions::default();
    println!("seed  mean return (100 episodes)  train s");
    for seed in 1..=8 {
        let t0 = std::time::Instant::now();
        let ctl = train_sorn_rls("CartPole-v1", &teacher, seed, &o)?;
        let secs = t0.elapsed().as_secs_f64();
        let (mean, _, _) = ctl.evaluate(100, 7)?;
        println!("{seed:>4}  {mean:>26.1}  {secs:.3}");
    }
    Ok(())
}
