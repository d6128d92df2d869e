//! The online RLS readout of the SORN controller over reservoir seeds 1-8 (teacher: the CTRNN
//! fixture `tests/fixtures/cartpole_controller.json`, default `RlsOptions`), each evaluated on
//! 100 episodes from reset seed 7.
//!
//! `cargo run --release -p neuroloop-host --example sorn_rls_seeds`

use neuroloop_host::control::sorn_controller::{RlsOptions, train_sorn_rls};
use neuroloop_host::control::{Controller, evaluate};
use neuroloop_host::ctrnn::Model;
use neuroloop_host::env::EnvId;

fn main() -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/cartpole_controller.json");
    let teacher = Model::load(std::path::Path::new(path), Default::default())?.model;
    let o = RlsOptions::default();
    println!("seed  mean return (100 episodes)  train s");
    for seed in 1..=8 {
        let t0 = std::time::Instant::now();
        let ctl = Controller::Sorn(train_sorn_rls(EnvId::CartPole, &teacher, seed, &o)?);
        let secs = t0.elapsed().as_secs_f64();
        let mean = evaluate(&ctl, EnvId::CartPole, 100, 7)?.mean;
        println!("{seed:>4}  {mean:>26.1}  {secs:.3}");
    }
    Ok(())
}
