//! Soak test: the default SORN (N_E 200, all plasticity on, noise on) for many plastic steps, driven by
//! the README input, checked every 100,000 steps: no NaN or infinity anywhere in the state, the
//! excitatory rate within +-20 % of h_ip, the process's memory flat. Writes `soak.csv` and three
//! figures into OUT, prints a verdict and exits 1 if a check failed.
//!
//! ```sh
//! cargo run --release --example soak -- [STEPS (default 10000000)] [OUT (default target/soak)]
//! ```
//! (`bash scripts/soak.sh` runs it and copies the figures into docs/figures; RELIABILITY.md.)

use std::io::Write;
use std::path::PathBuf;

use neuroloop_core::sorn::{Config, Mode};
use neuroloop_host::figures::series;
use neuroloop_host::sorn::{build, input_rng, run_segment};

const CHUNK: u64 = 100_000;
const SEED: u64 = 1;

/// Resident set size of this process in KiB (Linux `/proc/self/statm`; 0 elsewhere). It counts
/// the binary's code pages as they are first touched, besides the heap.
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    pages * 4
}

struct Row {
    step: u64,
    rate_e: f64,
    rate_i: f64,
    mean_te: f64,
    ee: u32,
    ei: u32,
    rss_kib: u64,
    finite: bool,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let steps: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(10_000_000);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "target/soak".into()));
    std::fs::create_dir_all(&out)?;
    let cfg = Config::DEFAULT;
    let h_ip = f64::from(cfg.h_ip());
    let mut net = build(&cfg, SEED)?;
    let mut inputs = input_rng(SEED);
    let (ne, ni) = (f64::from(cfg.ne), f64::from(cfg.ni));
    // Reserved up front so the log's own growth does not show in the memory it measures.
    let mut rows = Vec::with_capacity(usize::try_from(steps.div_ceil(CHUNK))?);
    let t0 = std::time::Instant::now();
    let mut done = 0;
    while done < steps {
        let n = CHUNK.min(steps - done);
        let (mut active_e, mut active_i) = (0u64, 0u64);
        run_segment(&mut net, Mode::default(), SEED, &mut inputs, n, &mut |_, rep| {
            active_e += u64::from(rep.active_e);
            active_i += u64::from(rep.active_i);
            Ok(())
        })?;
        done += n;
        let b = net.buffers();
        let te = net.te();
        rows.push(Row {
            step: done,
            rate_e: active_e as f64 / (n as f64 * ne),
            rate_i: active_i as f64 / (n as f64 * ni),
            mean_te: te.iter().map(|&t| f64::from(t)).sum::<f64>() / te.len() as f64,
            ee: net.ee_count(),
            ei: net.ei_count(),
            rss_kib: rss_kib(),
            finite: b.f32s.iter().all(|v| v.is_finite()),
        });
        // Progress also after the first chunk, so the printing code's pages are resident
        // before the memory is compared.
        if done % (10 * CHUNK) == 0 || done == CHUNK || done == steps {
            let r = rows.last().expect("a row was just pushed");
            eprintln!(
                "{done:>10} steps  {:>6.0} s  rate E {:.4}  I {:.4}  EE {}  RSS {} KiB",
                t0.elapsed().as_secs_f64(),
                r.rate_e,
                r.rate_i,
                r.ee,
                r.rss_kib
            );
        }
    }
    let mut csv = std::fs::File::create(out.join("soak.csv"))?;
    writeln!(csv, "step,rate_e,rate_i,mean_te,ee_synapses,ei_synapses,rss_kib,finite")?;
    for r in &rows {
        writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            r.step, r.rate_e, r.rate_i, r.mean_te, r.ee, r.ei, r.rss_kib, r.finite as u8
        )?;
    }
    let x = |f: &dyn Fn(&Row) -> f64| rows.iter().map(|r| (r.step as f64, f(r))).collect::<Vec<_>>();
    let band = |k: f64| rows.iter().map(|r| (r.step as f64, h_ip * k)).collect::<Vec<_>>();
    series(
        &out.join("soak_rate.png"),
        "Default SORN, plastic: excitatory rate per 100,000 steps",
        "step",
        "fraction active",
        &[("excitatory", x(&|r| r.rate_e)), ("h_ip + 20 %", band(1.2)), ("h_ip - 20 %", band(0.8))],
    )?;
    series(
        &out.join("soak_synapses.png"),
        "Default SORN, plastic: synapses (structural plasticity and pruning)",
        "step",
        "synapses",
        &[("E->E", x(&|r| f64::from(r.ee))), ("I->E", x(&|r| f64::from(r.ei)))],
    )?;
    series(
        &out.join("soak_memory.png"),
        "Default SORN, plastic: resident memory of the process",
        "step",
        "KiB",
        &[("RSS", x(&|r| r.rss_kib as f64))],
    )?;

    // The verdict. The rate is checked on every chunk after the first (IP's transient).
    let all_finite = rows.iter().all(|r| r.finite);
    let settled = &rows[1.min(rows.len() - 1)..];
    let (lo, hi) = settled.iter().fold((f64::INFINITY, 0.0f64), |(a, b), r| (a.min(r.rate_e), b.max(r.rate_e)));
    let rate_ok = lo >= 0.8 * h_ip && hi <= 1.2 * h_ip;
    let (m0, m1) = settled.iter().fold((u64::MAX, 0), |(a, b), r| (a.min(r.rss_kib), b.max(r.rss_kib)));
    let memory_ok = m1.saturating_sub(m0) <= 1024;
    println!("steps {done}, {:.0} s, seed {SEED}", t0.elapsed().as_secs_f64());
    println!("state finite after every chunk: {all_finite}");
    println!("excitatory rate per chunk {lo:.4}..{hi:.4} (h_ip {h_ip:.3}, +-20 %: {rate_ok})");
    println!("RSS {m0}..{m1} KiB after the first chunk (flat within 1 MiB: {memory_ok})");
    println!("figures and soak.csv in {}", out.display());
    if !(all_finite && rate_ok && memory_ok) {
        std::process::exit(1);
    }
    Ok(())
}
