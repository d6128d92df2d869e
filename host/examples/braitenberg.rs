//! Success rate of the Braitenberg baseline on DiffDrive-v0 over 100 seeded episodes.
use neuroloop_core::env::{Action, DiffDrive, braitenberg};
fn main() {
    let (mut reached, mut total) = (0, 0.0);
    for seed in 0..100 {
        let mut env = DiffDrive::new();
        let mut obs = env.reset(seed);
        loop {
            let t = env.step(Action::Continuous(&braitenberg(&obs))).expect("valid action");
            total += t.reward;
            if t.terminated {
                reached += 1;
            }
            if t.terminated || t.truncated {
                break;
            }
            obs = env.observation();
        }
    }
    println!("Braitenberg: goal reached in {reached}/100 episodes, mean return {:.2}", total / 100.0);
}
