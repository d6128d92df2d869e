//! `neuroloop train` and `neuroloop eval`: closed-loop controllers.

use std::io::Write;
use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};

use crate::control::{EsOptions, evaluate_full, train_es};
use crate::ctrnn::{LoadOptions, Model};
use crate::figures;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ControllerArg {
    /// A CTRNN whose weights an evolution strategy finds.
    Ctrnn,
    /// A SORN reservoir with a trained readout (not available yet).
    Sorn,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Environment id (CartPole-v1, Pendulum-v1, MountainCar-v0, MountainCarContinuous-v0, Acrobot-v1).
    #[arg(long)]
    env: String,
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
    /// Overwrite an existing output directory.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Environment id.
    #[arg(long)]
    env: String,
    /// A controller model file (`neuroloop-ctrnn`), e.g. DIR/model.json from `neuroloop train`.
    #[arg(long)]
    model: PathBuf,
    /// Episodes (reset seeds SEED, SEED + 1, ...).
    #[arg(long, default_value_t = 100)]
    episodes: u64,
    /// First reset seed.
    #[arg(long)]
    seed: u64,
}

pub fn train(a: TrainArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    if a.controller == ControllerArg::Sorn {
        bail!("the SORN reservoir controller is not implemented yet: use --controller ctrnn");
    }
    if a.out.exists() && std::fs::read_dir(&a.out)?.next().is_some() && !a.force {
        bail!("{} exists and is not empty: pass --force to overwrite", a.out.display());
    }
    std::fs::create_dir_all(&a.out)?;
    let preset = EsOptions::for_env(&a.env);
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
    let (model, curve) = train_es(&a.env, &opts, a.seed, &mut |g| {
        bar.set_message(format!("return {:.1}", g.mean_return));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    let secs = t0.elapsed().as_secs_f64();
    model.save(&a.out.join("model.json"))?;
    let mut csv = String::from("generation,population_mean,mean_return\n");
    for g in &curve {
        csv.push_str(&format!("{},{},{}\n", g.generation, g.population_mean, g.mean_return));
    }
    std::fs::write(a.out.join("learning_curve.csv"), csv)?;
    let pts: Vec<(f64, f64)> = curve.iter().map(|g| (g.generation as f64, g.mean_return)).collect();
    let pop: Vec<(f64, f64)> = curve.iter().map(|g| (g.generation as f64, g.population_mean)).collect();
    for ext in ["png", "svg"] {
        figures::series(
            &a.out.join(format!("learning_curve.{ext}")),
            &format!("{} - CTRNN trained by an evolution strategy", a.env),
            "generation",
            "mean return",
            &[("current weights (10 episodes)", pts.clone()), ("perturbed population", pop.clone())],
        )?;
    }
    let last = curve.last().map_or(f64::NAN, |g| g.mean_return);
    writeln!(err, "trained in {secs:.1} s; model, learning curve (csv, png, svg) in {}", a.out.display())?;
    writeln!(
        out,
        "{}",
        serde_json::json!({"env": a.env, "generations": curve.len(), "final_mean_return": last, "train_seconds": secs})
    )?;
    Ok(0)
}

pub fn eval(a: EvalArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let (model, _) = Model::load(&a.model, LoadOptions::default())?;
    let (mean, sd, terminated) = evaluate_full(&model, &a.env, a.episodes, a.seed)?;
    writeln!(
        out,
        "{}",
        serde_json::json!({"mean_return": mean, "std_return": sd, "episodes": a.episodes, "terminated_fraction": terminated})
    )?;
    Ok(0)
}
