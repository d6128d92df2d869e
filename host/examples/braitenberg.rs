//! Success rate of the Braitenberg baseline on DiffDrive-v0 over 100 seeded episodes:
//! `cargo run --release -p neuroloop-host --example braitenberg`.
use neuroloop_host::control::ReturnStats;
use neuroloop_host::env::{EnvId, VecEnv};

fn main() -> anyhow::Result<()> {
    let mut envs = VecEnv::new(EnvId::DiffDrive, 100)?;
    let runs = envs.run_episodes(0, |_| Ok((neuroloop_core::policy::Braitenberg::default(), ())))?;
    let s = ReturnStats::of(&runs.iter().map(|r| r.0).collect::<Vec<_>>());
    let reached = runs.iter().filter(|r| r.0.terminated).count();
    println!("Braitenberg: goal reached in {reached}/100 episodes, mean return {:.2}", s.mean);
    Ok(())
}
