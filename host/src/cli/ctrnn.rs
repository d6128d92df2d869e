//! `neuroloop ctrnn ...`

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use crate::ctrnn::{FixtureReport, LoadOptions, Model, check_fixture_file};

#[derive(Subcommand, Debug)]
pub enum CtrnnCommand {
    /// Replay an nn4n parity fixture; the last line is the max abs difference of hidden states
    /// and of outputs; exits 1 if either exceeds 1e-5.
    #[command(after_help = "Example:\n  neuroloop ctrnn check tests/fixtures/ctrnn_tanh_nn4n.json")]
    Check {
        /// The fixture (JSON, the format of shared/spec/ctrnn.md section 12).
        fixture: PathBuf,
    },
    /// Run a model file on an input CSV (one row per time step, one column per input channel)
    /// and write the readout as CSV (one row per step).
    #[command(after_help = "Example:\n  neuroloop ctrnn run --model model.json --input u.csv --output y.csv")]
    Run(RunArgs),
    /// Print Rust source that embeds a model in firmware: `DIMS`, `ACTIVATION`, `PARAMS` (exact
    /// f32 bits, the core's parameter layout) and `V0`.
    #[command(after_help = "Example:\n  neuroloop ctrnn embed --model model.json > firmware/src/model.rs")]
    Embed {
        /// Model file.
        #[arg(long)]
        model: PathBuf,
        /// Path of the core crate as the generated code should name it.
        #[arg(long, default_value = "neuroloop_core")]
        core_crate: String,
    },
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Model file (`neuroloop-ctrnn`, version 1).
    #[arg(long)]
    model: PathBuf,
    /// Input CSV: rows are time steps; an optional header line is skipped.
    #[arg(long)]
    input: PathBuf,
    /// Output CSV for the readout.
    #[arg(long)]
    output: PathBuf,
    /// Repair weights that break their masks instead of refusing the model.
    #[arg(long)]
    clamp_on_load: bool,
    /// Accept any finite alpha.
    #[arg(long)]
    allow_any_alpha: bool,
}

pub fn run(cmd: CtrnnCommand, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        CtrnnCommand::Check { fixture } => {
            let r = check_fixture_file(&fixture)?;
            writeln!(out, "fixture {:?}: {} run(s), {} steps replayed", r.name, r.runs, r.steps)?;
            let verdict = if r.passes() { "ok" } else { "FAIL" };
            writeln!(
                out,
                "max_abs_diff hidden {:.3e} output {:.3e} (tolerance {:.0e}): {verdict}",
                r.max_hidden_diff,
                r.max_output_diff,
                FixtureReport::TOLERANCE
            )?;
            Ok(if r.passes() { 0 } else { 1 })
        }
        CtrnnCommand::Embed { model, core_crate } => {
            let (m, _) = Model::load(&model, LoadOptions::default())?;
            write!(out, "{}", crate::ctrnn::rust_source(&m, &core_crate))?;
            Ok(0)
        }
        CtrnnCommand::Run(a) => {
            let opts = LoadOptions { clamp_on_load: a.clamp_on_load, allow_any_alpha: a.allow_any_alpha };
            let (model, repaired) = Model::load(&a.model, opts)?;
            if repaired.pruned + repaired.clamped > 0 {
                writeln!(
                    err,
                    "clamp_on_load: {} pruned and {} sign-clamped weights repaired",
                    repaired.pruned, repaired.clamped
                )?;
            }
            let inputs = read_csv(&a.input, model.dims.inputs)?;
            let ys = model.run(&inputs)?;
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(&a.output).with_context(|| format!("cannot create {}", a.output.display()))?,
            );
            for y in &ys {
                let row: Vec<String> = y.iter().map(|v| v.to_string()).collect();
                writeln!(f, "{}", row.join(","))?;
            }
            f.flush()?;
            writeln!(err, "{} steps written to {}", ys.len(), a.output.display())?;
            Ok(0)
        }
    }
}

/// Reads a CSV of `width` numbers per row (a non-numeric first line is a header).
fn read_csv(path: &Path, width: usize) -> anyhow::Result<Vec<Vec<f32>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Result<Vec<f32>, _> = line.split(',').map(|c| c.trim().parse::<f32>()).collect();
        match cells {
            Ok(v) if v.len() == width => {
                if let Some(k) = v.iter().position(|x| !x.is_finite()) {
                    bail!("{} line {}: value {} is not finite", path.display(), n + 1, k + 1);
                }
                rows.push(v);
            }
            Ok(v) => bail!("{} line {}: {} values, the model has {width} inputs", path.display(), n + 1, v.len()),
            Err(_) if n == 0 => {} // header
            Err(e) => bail!("{} line {}: {e}", path.display(), n + 1),
        }
    }
    Ok(rows)
}
