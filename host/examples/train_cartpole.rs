//! Trains a CTRNN controller on an environment with the evolution strategy and prints the
//! learning curve: `cargo run --release -p neuroloop-host --example train_cartpole [ENV] [GENS]`.
fn main() -> anyhow::Result<()> {
    let env = std::env::args().nth(1).unwrap_or_else(|| "CartPole-v1".into());
    let gens: usize = std::env::args().nth(2).map_or(40, |s| s.parse().expect("a number"));
    let opts = neuroloop_host::control::EsOptions { generations: gens, ..Default::default() };
    let t0 = std::time::Instant::now();
    let (model, _) = neuroloop_host::control::train_es(&env, &opts, 1, &mut |g| {
        println!("gen {:3} population {:8.1} current {:8.1}", g.generation, g.population_mean, g.mean_return)
    })?;
    let (mean, sd) = neuroloop_host::control::evaluate(&model, &env, 100, 7)?;
    println!("100 episodes: mean {mean:.1} sd {sd:.1}; trained in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}
