//! Structural plasticity and E->E capacity over long runs: the default SORN (README input),
//! with the board's capacity (`Config::DEFAULT`, 4 spare slots per unit) and the host's
//! (`sized_for_host`, room for every synapse), one Markdown row per seed and capacity:
//!
//! ```sh
//! cargo run --release -p neuroloop-host --example capacity -- 1,2,3 1000000
//! ```
use neuroloop_core::sorn::Config;
use neuroloop_host::sorn::{build, input_rng, sized_for_host};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let seeds: Vec<u64> =
        args.next().unwrap_or_else(|| "1,2,3".into()).split(',').map(str::parse).collect::<Result<_, _>>()?;
    let steps: u64 = args.next().unwrap_or_else(|| "1000000".into()).parse()?;
    println!(
        "| seed | capacity (slots per unit) | SP created | SP refused (share of attempts) | E->E | I->E | E->E out-degree min / median / 90th / 99th / max |"
    );
    println!("|---|---|---|---|---|---|---|");
    for seed in seeds {
        for (name, cfg) in [("board", Config::DEFAULT), ("host", sized_for_host(Config::DEFAULT))] {
            let mut net = build(&cfg, seed)?;
            let mut rng = input_rng(seed);
            let mut u = [0.0f32; 10];
            for _ in 0..steps {
                u.iter_mut().for_each(|v| *v = rng.uniform_f32());
                net.step(&u)?;
            }
            let c = net.counters();
            let mut out = vec![0u32; cfg.ne as usize];
            for s in net.wee().iter().filter(|s| s.w > 0.0) {
                out[s.pre as usize] += 1;
            }
            out.sort_unstable();
            let q = |p: f64| out[((out.len() - 1) as f64 * p).round() as usize];
            let attempts = c.sp_created + c.sp_capacity_refusals;
            println!(
                "| {seed} | {name} ({}) | {} | {} ({:.2} %) | {} | {} | {} / {} / {} / {} / {} |",
                cfg.lambda_ee.ceil() as u32 + cfg.ee_spare_per_unit,
                c.sp_created,
                c.sp_capacity_refusals,
                100.0 * c.sp_capacity_refusals as f64 / attempts.max(1) as f64,
                net.ee_count(),
                net.ei_count(),
                q(0.0),
                q(0.5),
                q(0.9),
                q(0.99),
                q(1.0)
            );
        }
    }
    Ok(())
}
