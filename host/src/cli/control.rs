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
    /// A SORN reservoir with a ridge-regression readout imitating a CTRNN teacher.
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
    /// SORN controller: the teacher (a CTRNN controller model file); trained first when absent.
    #[arg(long)]
    teacher: Option<PathBuf>,
    /// Overwrite an existing output directory.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Environment id.
    #[arg(long)]
    env: String,
    /// A controller: a CTRNN model file (DIR/model.json) or a SORN controller (DIR/controller.json).
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
    if a.out.exists() && std::fs::read_dir(&a.out)?.next().is_some() && !a.force {
        bail!("{} exists and is not empty: pass --force to overwrite", a.out.display());
    }
    std::fs::create_dir_all(&a.out)?;
    if a.controller == ControllerArg::Sorn {
        return train_sorn(&a, out, err);
    }
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

/// The SORN controller: a CTRNN teacher (given or trained here), then ridge readouts fitted on
/// 1, 2, 5, 10, 25, 50 and 150 teacher episodes (the learning curve), the last one kept.
fn train_sorn(a: &TrainArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    use crate::sorn_control::{observation_scales, train_sorn_readout};
    observation_scales(&a.env)?; // refuse an unsupported environment before any training
    let t0 = std::time::Instant::now();
    let teacher = match &a.teacher {
        Some(p) => Model::load(p, LoadOptions::default())?.0,
        None => {
            writeln!(err, "training a CTRNN teacher first (evolution strategy)")?;
            let (m, _) = train_es(&a.env, &EsOptions::for_env(&a.env), a.seed, &mut |_| {})?;
            m.save(&a.out.join("teacher.json"))?;
            m
        }
    };
    let mut curve = Vec::new();
    let mut last = None;
    for episodes in [1u64, 2, 5, 10, 25, 50, 150] {
        let ctl = train_sorn_readout(&a.env, &teacher, a.seed, episodes, 0.3, 0.1)?;
        let (mean, _, _) = ctl.evaluate(10, 1_000_000)?;
        curve.push((episodes as f64, mean));
        last = Some(ctl);
    }
    let secs = t0.elapsed().as_secs_f64();
    let ctl = last.expect("at least one fit");
    ctl.save(&a.out.join("controller.json"))?;
    let mut csv = String::from("teacher_episodes,mean_return\n");
    for (e, r) in &curve {
        csv.push_str(&format!("{e},{r}\n"));
    }
    std::fs::write(a.out.join("learning_curve.csv"), csv)?;
    for ext in ["png", "svg"] {
        figures::series(
            &a.out.join(format!("learning_curve.{ext}")),
            &format!("{} - SORN reservoir, ridge readout from a CTRNN teacher", a.env),
            "teacher episodes in the regression",
            "mean return (10 episodes)",
            &[("SORN readout", curve.clone())],
        )?;
    }
    writeln!(err, "trained in {secs:.1} s; controller.json and the learning curve in {}", a.out.display())?;
    let final_return = curve.last().map_or(f64::NAN, |c| c.1);
    writeln!(
        out,
        "{}",
        serde_json::json!({"env": a.env, "controller": "sorn", "final_mean_return": final_return, "train_seconds": secs})
    )?;
    Ok(0)
}

pub fn eval(a: EvalArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    let text =
        std::fs::read_to_string(&a.model).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", a.model.display()))?;
    let format =
        serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["format"].as_str().map(String::from));
    let (mean, sd, terminated) = if format.as_deref() == Some("neuroloop-sorn-controller") {
        let ctl = crate::sorn_control::SornController::load(&a.model)?;
        if ctl.env != a.env {
            bail!("{} was trained on {}, not {}", a.model.display(), ctl.env, a.env);
        }
        ctl.evaluate(a.episodes, a.seed)?
    } else {
        let (model, _) = Model::load(&a.model, LoadOptions::default())?;
        evaluate_full(&model, &a.env, a.episodes, a.seed)?
    };
    writeln!(
        out,
        "{}",
        serde_json::json!({"mean_return": mean, "std_return": sd, "episodes": a.episodes, "terminated_fraction": terminated})
    )?;
    Ok(0)
}
