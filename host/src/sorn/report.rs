//! `neuroloop sorn report RUN_DIR`: every figure of the package's `Plotter` for a recorded run,
//! and an `index.html` that shows them with the run's config and summary.
//!
//! The report replays the run from its initial snapshot (`initial.nlsnap`), segment by segment
//! with each segment's mode, so it needs no recordings and draws figures of any run directory
//! exactly (a run is a pure function of its seed and inputs). A second replay, with one
//! excitatory unit flipped at the start, gives the Hamming distance (perturbation spread).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use super::HostSorn;
use super::Raster;
use super::rundir::{self, RunMeta};
use super::snapshot;
use super::statistics;
use super::weights;
use crate::figures::{self, Fit};

/// Every file a report writes into `RUN_DIR/report/`.
pub fn files() -> Vec<String> {
    let mut f: Vec<String> = FIGURES.iter().flat_map(|s| [format!("{s}.png"), format!("{s}.svg")]).collect();
    f.extend(["index.html".to_string(), "statistics.json".to_string()]);
    f
}

/// File name of the snapshot taken before the first step.
pub const INITIAL: &str = "initial.nlsnap";

/// The figures a report draws (file stems).
pub const FIGURES: [&str; 10] = [
    "raster",
    "firing_rate_hist",
    "weights",
    "weights_log",
    "isi",
    "incoming",
    "outgoing",
    "connection_counts",
    "hamming",
    "correlation",
];

/// What the replay keeps of the run.
struct Replay {
    net: HostSorn,
    first_step: u64,
    /// Excitatory spikes of the last `keep` steps.
    spikes: Raster,
    /// (E->E, I->E) counts after every step.
    counts: Vec<(u32, u32)>,
}

/// Replays the run from `initial`, keeping the excitatory spikes of the last `keep` steps.
fn replay(dir: &Path, meta: &RunMeta, keep: u64, flip: Option<usize>) -> anyhow::Result<Replay> {
    let snap =
        snapshot::load(&dir.join(INITIAL)).with_context(|| format!("cannot load {}", dir.join(INITIAL).display()))?;
    let mut net = snap.net;
    let mut inputs = snap.input_rng.ok_or_else(|| anyhow::anyhow!("the initial snapshot has no input generator"))?;
    if let Some(i) = flip {
        net.flip_excitatory(i);
    }
    let total = meta.total_steps;
    let first_step = total.saturating_sub(keep) + 1;
    let mut spikes = Raster::with_capacity(net.config().ne as usize, keep.min(total) as usize);
    let mut counts = Vec::new();
    let mut u = vec![0.0f32; net.config().nu as usize];
    for seg in &meta.segments {
        net.set_mode(seg.mode());
        for _ in 0..seg.steps {
            u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
            net.step(&u)?;
            counts.push((net.ee_count(), net.ei_count()));
            if net.counters().steps >= first_step {
                spikes.push_words(net.x().words());
            }
        }
    }
    Ok(Replay { net, first_step, spikes, counts })
}

/// Replays a run directory from its initial snapshot and returns the final network: equal, bit
/// for bit, to the one in `state.nlsnap` (runs are pure functions of seed and inputs).
pub fn replay_final(dir: &Path) -> anyhow::Result<HostSorn> {
    let (meta, _) = rundir::read(dir)?;
    Ok(replay(dir, &meta, 1, None)?.net)
}

/// Renders every figure (PNG and SVG) and `index.html` into `RUN_DIR/report/`; returns the
/// report directory. `keep` bounds the steps drawn in the raster and used for ISIs and
/// correlations (the last `keep` steps).
pub fn report(dir: &Path, keep: u64) -> anyhow::Result<PathBuf> {
    let (meta, _) = rundir::read(dir)?;
    if !dir.join(INITIAL).exists() {
        bail!("{} has no {INITIAL}: it was recorded by an older neuroloop; record the run again", dir.display());
    }
    let out = dir.join("report");
    std::fs::create_dir_all(&out)?;
    let run = replay(dir, &meta, keep.max(1), None)?;
    let cfg = *run.net.config();
    let ne = cfg.ne as usize;

    let mut figs: Vec<(&str, String)> = Vec::new();
    let mut both =
        |stem: &'static str, caption: String, draw: &dyn Fn(&Path) -> anyhow::Result<()>| -> anyhow::Result<()> {
            for ext in ["png", "svg"] {
                draw(&out.join(format!("{stem}.{ext}")))?;
            }
            figs.push((stem, caption));
            Ok(())
        };

    let kept = run.spikes.steps();
    let shown = kept.min(1000);
    let raster_from = kept - shown;
    let first_shown = run.first_step + raster_from as u64;
    let units_at = |t: usize| (0..ne).filter(|&i| run.spikes.get(t, i)).collect::<Vec<_>>();
    both("raster", format!("Excitatory spikes, steps {first_shown}..{}", meta.total_steps), &|p| {
        figures::raster(p, "Excitatory raster", first_shown, shown, ne, &|t| units_at(raster_from + t))
    })?;

    let activity: Vec<f64> =
        statistics::firing_rate_network(&run.spikes).into_iter().filter(|&a| a > 0).map(|a| a as f64).collect();
    both(
        "firing_rate_hist",
        "Active excitatory units per step (steps with none removed, as the package)".into(),
        &|p| {
            figures::histogram(p, "Population activity", "active units per step", &activity, 30, Fit::normal(&activity))
        },
    )?;

    let weights: Vec<f64> = run.net.wee().iter().map(|s| f64::from(s.w)).filter(|&w| w >= 0.01).collect();
    both("weights", "E->E weights >= 0.01 at the end, with a log-normal fit".into(), &|p| {
        figures::histogram(p, "E->E weight distribution", "weight", &weights, 40, Fit::lognormal(&weights))
    })?;
    let all_weights = weights::ee_weights(&run.net);
    let floor = weights::default_floor(cfg.w_sp);
    let analysis = weights::analyse_net(&run.net, floor);
    match &analysis {
        Ok(a) => {
            let caption = format!(
                "Every E->E weight on a log axis; above the floor {floor} (5 x w_sp): the log-normal fit and two Gaussians on log10 w (also in statistics.json)"
            );
            both("weights_log", caption, &|p| {
                let panel = weights::panel("E->E weights, log axis".into(), &all_weights, a);
                figures::histogram_panels(p, &[panel], 1)
            })?;
        }
        Err(e) => {
            let logs: Vec<f64> = weights.iter().map(|w| w.log10()).collect();
            both("weights_log", format!("log10(weight) >= 0.01, normal fit (no log-normal analysis: {e})"), &|p| {
                figures::histogram(p, "E->E weights, log axis", "log10(weight)", &logs, 40, Fit::normal(&logs))
            })?;
        }
    }

    let mut isis = Vec::new();
    for i in 0..ne {
        let train = statistics::unit_train(&run.spikes, i)?;
        isis.extend(statistics::spike_time_intervals(&train).into_iter().map(|d| d as f64));
    }
    both("isi", "Inter-spike intervals of all excitatory units, with an exponential fit".into(), &|p| {
        figures::histogram(p, "ISI distribution", "interval (steps)", &isis, 40, Fit::exponential(&isis))
    })?;

    let wee = run.net.wee();
    let incoming: Vec<f64> = (0..ne).map(|i| wee.in_degree(i) as f64).collect();
    let outgoing: Vec<f64> = (0..ne).map(|j| wee.out_degree(j) as f64).collect();
    both("incoming", "E->E incoming connections per unit at the end, normal fit".into(), &|p| {
        figures::histogram(p, "Incoming E->E connections", "connections", &incoming, 20, Fit::normal(&incoming))
    })?;
    both("outgoing", "E->E outgoing connections per unit at the end, normal fit".into(), &|p| {
        figures::histogram(p, "Outgoing E->E connections", "connections", &outgoing, 20, Fit::normal(&outgoing))
    })?;

    let ee: Vec<(f64, f64)> = run.counts.iter().enumerate().map(|(t, c)| ((t + 1) as f64, f64::from(c.0))).collect();
    let ei: Vec<(f64, f64)> = run.counts.iter().enumerate().map(|(t, c)| ((t + 1) as f64, f64::from(c.1))).collect();
    both("connection_counts", "Synapses over time (after each step)".into(), &|p| {
        figures::series(p, "Connection counts", "step", "synapses", &[("E->E", ee.clone()), ("I->E", ei.clone())])
    })?;

    let perturbed = replay(dir, &meta, keep.max(1), Some(0))?;
    let hamming: Vec<(f64, f64)> = statistics::hamming_distance(&run.spikes, &perturbed.spikes)?
        .into_iter()
        .enumerate()
        .map(|(t, d)| ((run.first_step + t as u64) as f64, d as f64))
        .collect();
    both("hamming", "Hamming distance to a copy whose unit 0 was flipped before the first step".into(), &|p| {
        figures::series(
            p,
            "Hamming distance (perturbation)",
            "step",
            "units differing",
            &[("excitatory", hamming.clone())],
        )
    })?;

    let (corr, avg) = statistics::avg_corr_coeff(&run.spikes)?;
    let caption =
        format!("Correlation of excitatory spike trains over the last {kept} steps (lower triangle); average {avg:.4}");
    both("correlation", caption, &|p| figures::correlation(p, "Spike-train correlation", &corr, ne))?;

    let mut stats = statistics_json(&run.spikes)?;
    stats["weights"] = match &analysis {
        Ok(a) => serde_json::to_value(a)?,
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    };
    std::fs::write(out.join("statistics.json"), serde_json::to_string_pretty(&stats)?)?;
    write_index(&out, dir, &meta, &figs, &stats)?;
    Ok(out)
}

/// The package's statistics of the excitatory spikes of the last steps, as JSON.
fn statistics_json(spikes: &Raster) -> anyhow::Result<serde_json::Value> {
    let rates: Vec<f64> = statistics::firing_rate_network(spikes).into_iter().map(|c| c as f64).collect();
    let n = spikes.units();
    let per_unit: Vec<f64> =
        (0..n).map(|i| statistics::firing_rate_neuron(spikes, i, 1).map(|r| r.2)).collect::<Result<_, _>>()?;
    let busiest = (0..n).max_by(|&a, &b| per_unit[a].total_cmp(&per_unit[b])).unwrap_or(0);
    let windows = (spikes.steps() / 20).clamp(1, 100);
    let fano = statistics::fanofactor(spikes, busiest, windows)?;
    let isis = statistics::spike_time_intervals(&statistics::unit_train(spikes, busiest)?);
    Ok(serde_json::json!({
        "steps": spikes.steps(),
        "units": n,
        "mean_active_per_step": rates.iter().sum::<f64>() / rates.len().max(1) as f64,
        "scale_dependent_smoothness": statistics::scale_dependent_smoothness(&rates).ok(),
        "scale_independent_smoothness": statistics::scale_independent_smoothness(&rates).ok().flatten(),
        "autocorr_lag2": statistics::autocorr(&rates, 2).ok().flatten().map(|m| m[0][1]),
        "avg_corr_coeff": statistics::avg_corr_coeff(spikes)?.1,
        "spike_source_entropy": statistics::spike_source_entropy(spikes, n).ok(),
        "busiest_unit": busiest,
        "busiest_unit_rate": per_unit[busiest],
        "busiest_unit_fano": { "windows": windows, "mean": fano.0, "variance": fano.1, "fano_factor": fano.2 },
        "busiest_unit_mean_isi": (!isis.is_empty()).then(|| isis.iter().sum::<usize>() as f64 / isis.len() as f64),
    }))
}

fn write_index(
    out: &Path,
    dir: &Path,
    meta: &RunMeta,
    figs: &[(&str, String)],
    stats: &serde_json::Value,
) -> anyhow::Result<()> {
    let config = std::fs::read_to_string(dir.join(rundir::CONFIG)).unwrap_or_default();
    let summary = serde_json::to_string_pretty(&meta.last_summary)?;
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut h = String::new();
    writeln!(
        h,
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>SORN run {}</title>",
        esc(&dir.display().to_string())
    )?;
    writeln!(
        h,
        "<style>body{{font-family:sans-serif;max-width:1000px;margin:auto}}img{{max-width:100%}}pre{{background:#f4f4f4;padding:8px}}</style></head><body>"
    )?;
    writeln!(
        h,
        "<h1>SORN run</h1><p>seed {}, {} steps in {} segment(s), input: {}; neuroloop {}</p>",
        meta.seed,
        meta.total_steps,
        meta.segments.len(),
        esc(&meta.input),
        esc(&meta.neuroloop_version)
    )?;
    writeln!(h, "<h2>Summary of the last segment</h2><pre>{}</pre>", esc(&summary))?;
    writeln!(
        h,
        "<h2>Statistics: excitatory spikes of the last steps, E-&gt;E weights at the end (also in statistics.json)</h2><pre>{}</pre>",
        esc(&serde_json::to_string_pretty(stats)?)
    )?;
    writeln!(h, "<h2>Config</h2><pre>{}</pre>", esc(&config))?;
    for (stem, caption) in figs {
        writeln!(
            h,
            "<h2>{}</h2><p>{}</p><img src=\"{stem}.png\" alt=\"{stem}\"><p><a href=\"{stem}.svg\">SVG</a></p>",
            esc(stem),
            esc(caption)
        )?;
    }
    writeln!(h, "</body></html>")?;
    std::fs::write(out.join("index.html"), h)?;
    Ok(())
}
