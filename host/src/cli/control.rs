//! `neuroloop train` and `neuroloop eval`: closed-loop controllers.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};

use super::EnvArg;
use crate::control::render::episode_gif;
use crate::control::sorn_controller::{RlsOptions, observation_code, train_sorn_readout, train_sorn_rls};
use crate::control::{Controller, EsOptions, ReturnStats, evaluate, run_controller, runs_digest, train_es};
use crate::ctrnn::{LoadOptions, Model};
use crate::figures;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerArg {
    /// A CTRNN whose weights an evolution strategy finds.
    Ctrnn,
    /// A SORN reservoir whose readout learns to imitate a CTRNN teacher (see --readout).
    Sorn,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadoutArg {
    /// Ridge regression over all visited states, all excitatory units (host only).
    Ridge,
    /// Online recursive least squares in the core, one update per step (what a board runs).
    Rls,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Environment.
    #[arg(long, value_enum)]
    env: EnvArg,
    /// Controller.
    #[arg(long, value_enum)]
    controller: ControllerArg,
    /// Seed of the initial weights, the perturbations and the training episodes.
    #[arg(long)]
    seed: u64,
    /// Output directory: model.json, learning_curve.csv, learning_curve.png/.svg.
    #[arg(long)]
    out: PathBuf,
    /// Generations of the evolution strategy (default: the environment's preset).
    #[arg(long)]
    generations: Option<usize>,
    /// Hidden neurons of the CTRNN (default: the environment's preset).
    #[arg(long)]
    hidden: Option<usize>,
    /// Antithetic pairs per generation (default: the environment's preset).
    #[arg(long)]
    pairs: Option<usize>,
    /// Perturbation standard deviation (default: the environment's preset).
    #[arg(long)]
    sigma: Option<f32>,
    /// Step size (default: the environment's preset).
    #[arg(long)]
    learning_rate: Option<f32>,
    /// SORN controller: the teacher (a CTRNN controller model file); trained first when absent.
    #[arg(long)]
    teacher: Option<PathBuf>,
    /// SORN controller: how the readout learns.
    #[arg(long, value_enum, default_value = "ridge")]
    readout: ReadoutArg,
    /// SORN controller with --readout rls: teacher episodes of online learning (default 6).
    #[arg(long)]
    teacher_episodes: Option<u64>,
    /// SORN controller with --readout rls: excitatory units read (0..UNITS; default 48).
    #[arg(long)]
    units: Option<u32>,
    /// Overwrite an existing output directory.
    #[arg(long)]
    force: bool,
    /// After training, evaluate on this many held-out episodes (0: skip).
    #[arg(long, default_value_t = 100)]
    eval_episodes: u64,
    /// First reset seed of the held-out evaluation.
    #[arg(long, default_value_t = 7)]
    eval_seed: u64,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Environment.
    #[arg(long, value_enum)]
    env: EnvArg,
    /// A controller: a CTRNN model file (DIR/model.json) or a SORN controller (DIR/controller.json).
    #[arg(long)]
    model: PathBuf,
    /// Episodes (reset seeds SEED, SEED + 1, ...).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    episodes: u64,
    /// First reset seed.
    #[arg(long)]
    seed: u64,
    /// Record every episode into this directory: episode-SEED.csv and episode-SEED/*.npy
    /// (observations, states, actions, rewards).
    #[arg(long)]
    record: Option<PathBuf>,
    /// Render the first episode as an animated GIF (e.g. cartpole.gif).
    #[arg(long)]
    render: Option<PathBuf>,
    /// With --render: one frame every K steps.
    #[arg(long, default_value_t = 2)]
    render_every: usize,
    /// Write into an existing --record directory, or over an existing --render file.
    #[arg(long)]
    force: bool,
}

pub fn train(a: TrainArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    super::check_output_dir(&a.out, a.force)?;
    // The files training writes; none may be the teacher it reads.
    let inputs: Vec<&std::path::Path> = a.teacher.iter().map(|p| p.as_path()).collect();
    for name in ["model.json", "teacher.json", "controller.json", "learning_curve.csv", "learning_curve.png"] {
        super::check_output(&a.out.join(name), true, &inputs)?;
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    if a.controller == ControllerArg::Sorn {
        return train_sorn(&a, out, err);
    }
    let env = a.env.0;
    let preset = EsOptions::for_env(env);
    let opts = EsOptions {
        generations: a.generations.unwrap_or(preset.generations),
        hidden: a.hidden.unwrap_or(preset.hidden),
        pairs: a.pairs.unwrap_or(preset.pairs),
        sigma: a.sigma.unwrap_or(preset.sigma),
        learning_rate: a.learning_rate.unwrap_or(preset.learning_rate),
        ..preset
    };
    let t0 = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(opts.generations as u64);
    let trained = train_es(env, &opts, a.seed, &mut |g| {
        bar.set_message(format!("return {:.1}", g.mean_return));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let secs = t0.elapsed().as_secs_f64();
    let curve = &trained.curve;
    trained.model.save(&a.out.join("model.json"))?;
    let rows: Vec<[f64; 3]> = curve.iter().map(|g| [g.generation as f64, g.population_mean, g.mean_return]).collect();
    write_csv(&a.out.join("learning_curve.csv"), &["generation", "population_mean", "mean_return"], &rows)?;
    let pts: Vec<(f64, f64)> = curve.iter().map(|g| (g.generation as f64, g.mean_return)).collect();
    let pop: Vec<(f64, f64)> = curve.iter().map(|g| (g.generation as f64, g.population_mean)).collect();
    for ext in ["png", "svg"] {
        figures::series(
            &a.out.join(format!("learning_curve.{ext}")),
            &format!("{env} - CTRNN trained by an evolution strategy"),
            "generation",
            "mean return",
            &[("current weights (10 episodes)", pts.clone()), ("perturbed population", pop.clone())],
        )?;
    }
    let last = curve.last().map_or(f64::NAN, |g| g.mean_return);
    let text: Vec<(f64, f64)> = curve.iter().map(|g| (g.generation as f64 + 1.0, g.mean_return)).collect();
    write_text_curve(err, "generation", &text)?;
    writeln!(err, "trained in {secs:.1} s; model, learning curve (csv, png, svg) in {}", a.out.display())?;
    let mut summary = serde_json::json!({"env": env.name(), "controller": "ctrnn", "generations": curve.len(), "final_mean_return": last, "train_seconds": secs});
    if a.eval_episodes > 0 {
        let stats = evaluate(&Controller::Ctrnn(trained.model), env, a.eval_episodes, a.eval_seed)?;
        add_eval(&mut summary, &a, stats, err)?;
    }
    writeln!(out, "{summary}")?;
    Ok(0)
}

/// Writes a CSV file: a header and rows of numbers.
fn write_csv<const N: usize>(path: &std::path::Path, header: &[&str; N], rows: &[[f64; N]]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    w.write_record(header)?;
    for row in rows {
        w.write_record(row.iter().map(f64::to_string))?;
    }
    w.flush().map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))
}

/// The SORN controller: a CTRNN teacher (given or trained here), then ridge readouts fitted on
/// 1, 2, 5, 10, 25, 50 and 150 teacher episodes (the learning curve), the last one kept.
fn train_sorn(a: &TrainArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let env = a.env.0;
    // Refuse what cannot work before any training.
    observation_code(env)?;
    if a.teacher_episodes == Some(0) {
        bail!("--teacher-episodes 0: the readout needs at least one teacher episode");
    }
    if let Some(units) = a.units.filter(|&u| u == 0 || u > neuroloop_core::presets::reservoir_config(0).ne) {
        bail!("--units {units}: the readout reads 1 to ne = 200 excitatory units");
    }
    let t0 = std::time::Instant::now();
    let teacher = match &a.teacher {
        Some(p) => Model::load(p, LoadOptions::default())?.model,
        None => {
            writeln!(err, "training a CTRNN teacher first (evolution strategy)")?;
            let m = train_es(env, &EsOptions::for_env(env), a.seed, &mut |_| {})?.model;
            m.save(&a.out.join("teacher.json"))?;
            m
        }
    };
    let mut curve = Vec::new();
    let mut last = None;
    let (label, xlabel) = match a.readout {
        ReadoutArg::Ridge => {
            for episodes in [1u64, 2, 5, 10, 25, 50, 150] {
                let ctl = Controller::Sorn(train_sorn_readout(env, &teacher, a.seed, episodes, 0.3, 0.1)?);
                curve.push((episodes as f64, evaluate(&ctl, env, 10, 1_000_000)?.mean));
                last = Some(ctl);
            }
            ("ridge readout", "teacher episodes in the regression")
        }
        ReadoutArg::Rls => {
            let preset = RlsOptions::default();
            let o = RlsOptions {
                episodes: a.teacher_episodes.unwrap_or(preset.episodes),
                units: a.units.unwrap_or(preset.units),
                ..preset
            };
            // Online learning: the readout after k episodes is the k-episode run's readout.
            for episodes in 1..=o.episodes {
                let ctl = Controller::Sorn(train_sorn_rls(env, &teacher, a.seed, &RlsOptions { episodes, ..o })?);
                curve.push((episodes as f64, evaluate(&ctl, env, 10, 1_000_000)?.mean));
                last = Some(ctl);
            }
            ("online RLS readout", "teacher episodes learned online")
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    let Some(last) = last else { bail!("no teacher episodes: nothing was learned") };
    let Controller::Sorn(ctl) = &last else { bail!("the SORN controller was not trained") };
    ctl.save(&a.out.join("controller.json"))?;
    let rows: Vec<[f64; 2]> = curve.iter().map(|&(e, r)| [e, r]).collect();
    write_csv(&a.out.join("learning_curve.csv"), &["teacher_episodes", "mean_return"], &rows)?;
    for ext in ["png", "svg"] {
        figures::series(
            &a.out.join(format!("learning_curve.{ext}")),
            &format!("{env} - SORN reservoir, {label} from a CTRNN teacher"),
            xlabel,
            "mean return (10 episodes)",
            &[("SORN readout", curve.clone())],
        )?;
    }
    write_text_curve(err, "teacher episodes", &curve)?;
    writeln!(err, "trained in {secs:.1} s; controller.json and the learning curve in {}", a.out.display())?;
    let final_return = curve.last().map_or(f64::NAN, |c| c.1);
    let readout = format!("{:?}", a.readout).to_lowercase();
    let mut summary = serde_json::json!({"env": env.name(), "controller": "sorn", "readout": readout, "final_mean_return": final_return, "train_seconds": secs});
    if a.eval_episodes > 0 {
        let stats = evaluate(&last, env, a.eval_episodes, a.eval_seed)?;
        add_eval(&mut summary, a, stats, err)?;
    }
    writeln!(out, "{summary}")?;
    Ok(0)
}

/// The held-out evaluation into the summary, and a sentence on stderr.
fn add_eval(summary: &mut serde_json::Value, a: &TrainArgs, s: ReturnStats, err: &mut dyn Write) -> anyhow::Result<()> {
    summary["eval_episodes"] = a.eval_episodes.into();
    summary["eval_mean_return"] = s.mean.into();
    summary["eval_std_return"] = s.std.into();
    writeln!(
        err,
        "final return over {} held-out episodes (reset seeds {}..): {:.1} +- {:.1}",
        a.eval_episodes, a.eval_seed, s.mean, s.std
    )?;
    Ok(())
}

/// The learning curve as text: up to 20 rows `x  return  bar`, bars scaled between the
/// curve's smallest and largest return.
fn write_text_curve(err: &mut dyn Write, xlabel: &str, curve: &[(f64, f64)]) -> anyhow::Result<()> {
    if curve.is_empty() {
        return Ok(());
    }
    let lo = curve.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    let hi = curve.iter().map(|c| c.1).fold(f64::NEG_INFINITY, f64::max);
    let stride = curve.len().div_ceil(20);
    writeln!(err, "learning curve ({xlabel}: mean return of 10 evaluation episodes)")?;
    for (i, &(x, r)) in curve.iter().enumerate() {
        if i % stride == 0 || i + 1 == curve.len() {
            let width = if hi > lo { ((r - lo) / (hi - lo) * 40.0).round() as usize } else { 40 };
            writeln!(err, "{x:>8} {r:>9.1} |{}", "#".repeat(width))?;
        }
    }
    Ok(())
}

pub fn eval(a: EvalArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let env = a.env.0;
    if let Some(dir) = &a.record {
        super::check_output_dir(dir, a.force)?;
    }
    if let Some(gif) = &a.render {
        super::check_output(gif, a.force, &[&a.model])?;
    }
    let controller = Controller::load(&a.model, env)?;
    // One pass: every episode recorded when the records or the rendering are wanted.
    let keep = a.record.is_some() || a.render.is_some();
    let runs = run_controller(&controller, env, a.episodes, a.seed, keep)?;
    for (k, run) in runs.iter().enumerate() {
        let Some(ep) = &run.record else { continue };
        if let Some(dir) = &a.record {
            ep.write_npy(&dir.join(format!("episode-{}", ep.seed)))?;
            ep.write_csv(&dir.join(format!("episode-{}.csv", ep.seed)))?;
        }
        if let (Some(path), 0) = (&a.render, k) {
            episode_gif(ep, path, a.render_every)?;
        }
    }
    let s = ReturnStats::of(&runs.iter().map(|r| r.summary).collect::<Vec<_>>());
    let digest = runs_digest(runs.iter().map(|r| r.digest));
    writeln!(
        out,
        "{}",
        serde_json::json!({"mean_return": s.mean, "std_return": s.std, "episodes": a.episodes, "terminated_fraction": s.terminated_fraction, "digest": format!("{digest:#010x}")})
    )?;
    Ok(0)
}
