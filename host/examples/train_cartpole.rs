//! Trains a CTRNN controller on an environment with the evolution strategy and prints the
//! learning curve: `cargo run --release -p neuroloop-host --example train_cartpole [ENV] [GENS]`.
use neuroloop_host::control::{Controller, EsOptions, evaluate, train_es};
use neuroloop_host::env::EnvId;

fn main() -> anyhow::Result<()> {
    let env: EnvId = std::env::args().nth(1).map_or(Ok(EnvId::CartPole), |s| s.parse())?;
    let gens: usize = std::env::args().nth(2).map_or(Ok(40), |s| s.parse())?;
    let opts = EsOptions { generations: gens, ..Default::default() };
    let t0 = std::time::Instant::now();
    let trained = train_es(env, &opts, 1, &mut |g| {
        println!("gen {:3} population {:8.1} current {:8.1}", g.generation, g.population_mean, g.mean_return)
    })?;
    let s = evaluate(&Controller::Ctrnn(trained.model), env, 100, 7)?;
    println!("100 episodes: mean {:.1} sd {:.1}; trained in {:.1} s", s.mean, s.std, t0.elapsed().as_secs_f64());
    Ok(())
}
