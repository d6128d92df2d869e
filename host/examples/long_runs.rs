//! Long runs of neuroloop's default SORN (N_E 200, all five rules, noise on, uniform [0, 1)
//! input on its 10 channels), with the statistics `benches/long_runs/package.py` prints for the
//! `sorn` package, one JSON line per 2,000-step chunk:
//!
//! ```sh
//! cargo run --release -p neuroloop-host --example long_runs -- 1,2,3,4,5 20000 > neuroloop.jsonl
//! ```
//!
//! Each line also carries the E->E weight analysis (`neuroloop_host::sorn::weights`: log-normal
//! above the floor 5 x w_sp, two Gaussians on log10 w) as `weights`, `null` where it cannot
//! be fitted. A third argument, a directory, gets each seed's final E->E weights as
//! `neuroloop_seed{SEED}_{STEPS}.txt` (one a line), for `neuroloop sorn weights FILE` and the
//! comparison with the package's (`package.py --weights-dir`).
use neuroloop_core::sorn::Config;
use neuroloop_host::sorn::weights::{analyse_net, default_floor, ee_weights};
use neuroloop_host::sorn::{build, input_rng, sized_for_host};

const CHUNK: u64 = 2000;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let seeds: Vec<u64> =
        args.next().unwrap_or_else(|| "1,2,3,4,5".into()).split(',').map(str::parse).collect::<Result<_, _>>()?;
    let steps: u64 = args.next().unwrap_or_else(|| "20000".into()).parse()?;
    let weights_dir = args.next().map(std::path::PathBuf::from);
    // The host's capacity: structural plasticity never runs out of slots, as in the package.
    let cfg = sized_for_host(Config::DEFAULT);
    for seed in seeds {
        let mut net = build(&cfg, seed)?;
        let mut rng = input_rng(seed);
        let mut u = [0.0f32; 10];
        let mut done = 0;
        while done < steps {
            let (mut sum_e, mut sum_i, mut sum_sq, mut max_e) = (0f64, 0f64, 0f64, 0f64);
            for _ in 0..CHUNK {
                u.iter_mut().for_each(|v| *v = rng.uniform_f32());
                let r = net.step(&u)?;
                let e = f64::from(r.active_e) / f64::from(cfg.ne);
                sum_e += e;
                sum_sq += e * e;
                max_e = max_e.max(e);
                sum_i += f64::from(r.active_i) / f64::from(cfg.ni);
            }
            done += CHUNK;
            let n = CHUNK as f64;
            let mean_e = sum_e / n;
            let weights = ee_weights(&net);
            let fit = analyse_net(&net, default_floor(cfg.w_sp)).ok();
            let line = serde_json::json!({
                "source": "neuroloop",
                "seed": seed,
                "step": done,
                "ee": weights.len(),
                "ie": net.ei_count(),
                "mean_wee": weights.iter().sum::<f64>() / weights.len().max(1) as f64,
                "mean_te": net.te().iter().map(|&t| f64::from(t)).sum::<f64>() / f64::from(cfg.ne),
                "rate_e": mean_e,
                "rate_i": sum_i / n,
                "max_active_e": max_e,
                "sd_rate_e": (sum_sq / n - mean_e * mean_e).max(0.0).sqrt(),
                "weights": fit,
            });
            println!("{line}");
        }
        if let Some(dir) = &weights_dir {
            std::fs::create_dir_all(dir)?;
            let text: String = ee_weights(&net).iter().map(|w| format!("{w:.9e}\n")).collect();
            std::fs::write(dir.join(format!("neuroloop_seed{seed}_{steps}.txt")), text)?;
        }
    }
    Ok(())
}
