//! `neuroloop ctrnn ...`

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
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
        /// Replay an alpha outside (0, 1] (a learned alpha nn4n let go negative or past 1)
        /// instead of refusing it, as `ctrnn run --allow-any-alpha` runs such a model.
        #[arg(long)]
        allow_any_alpha: bool,
    },
    /// Run a model file on an input CSV (one row per time step, one column per input channel)
    /// and write the readout as CSV (one row per step).
    #[command(after_help = "Example:\n  neuroloop ctrnn run --model model.json --input u.csv --output y.csv")]
    Run(RunArgs),
    /// Write a model for firmware: OUT (Rust: `CONFIG`, `PARAMS`, `V0`) and, beside it, OUT with
    /// the extension `f32le` (the parameters then `V0` as little-endian f32, exact bits) that
    /// the Rust file `include_bytes!`s.
    #[command(after_help = "Example:\n  neuroloop ctrnn embed --model model.json --out firmware/models/my_model.rs")]
    Embed {
        /// Model file.
        #[arg(long)]
        model: PathBuf,
        /// The Rust file to write (the blob goes beside it).
        #[arg(long)]
        out: PathBuf,
        /// Path of the core crate as the generated code should name it.
        #[arg(long, default_value = "neuroloop_core")]
        core_crate: String,
        /// Replace existing files.
        #[arg(long)]
        force: bool,
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
    /// Replace an existing output file.
    #[arg(long)]
    force: bool,
}

pub fn run(cmd: CtrnnCommand, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        CtrnnCommand::Check { fixture, allow_any_alpha } => {
            let r = check_fixture_file(&fixture, allow_any_alpha)?;
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
        CtrnnCommand::Embed { model, out: rs, core_crate, force } => {
            let m = Model::load(&model, LoadOptions::default())?.model;
            let blob_path = rs.with_extension("f32le");
            super::check_output(&rs, force, &[&model])?;
            super::check_output(&blob_path, force, &[&model])?;
            let blob_name = blob_path.file_name().and_then(|n| n.to_str()).context("--out must name a file")?;
            std::fs::write(&blob_path, crate::ctrnn::blob(&m))
                .with_context(|| format!("cannot write {}", blob_path.display()))?;
            std::fs::write(&rs, crate::ctrnn::rust_source(&m, &core_crate, blob_name))
                .with_context(|| format!("cannot write {}", rs.display()))?;
            writeln!(out, "{}\n{}", rs.display(), blob_path.display())?;
            Ok(0)
        }
        CtrnnCommand::Run(a) => {
            super::check_output(&a.output, a.force, &[&a.model, &a.input])?;
            let opts = LoadOptions { clamp_on_load: a.clamp_on_load, allow_any_alpha: a.allow_any_alpha };
            let crate::ctrnn::Loaded { model, repaired } = Model::load(&a.model, opts)?;
            if repaired.pruned + repaired.clamped > 0 {
                writeln!(
                    err,
                    "clamp_on_load: {} pruned and {} sign-clamped weights repaired",
                    repaired.pruned, repaired.clamped
                )?;
            }
            let inputs = crate::ctrnn::read_input_csv_file(&a.input, model.dims.inputs)?;
            let ys = model.run(&inputs)?;
            let mut f =
                csv::Writer::from_path(&a.output).with_context(|| format!("cannot create {}", a.output.display()))?;
            for y in &ys {
                f.write_record(y.iter().map(f32::to_string))?;
            }
            f.flush().with_context(|| format!("cannot write {}", a.output.display()))?;
            writeln!(err, "{} steps written to {}", ys.len(), a.output.display())?;
            Ok(0)
        }
    }
}
