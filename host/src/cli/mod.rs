//! The `neuroloop` command line: argument parsing (clap) and dispatch to one module per
//! command group. [`run`] is the whole program; `main` only hands it the process's arguments
//! and streams, so tests can call it in-process.

mod control;
mod ctrnn;
mod env;
mod pil;
mod sorn;

use std::ffi::OsString;
use std::io::Write;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};
use neuroloop_core::env::EnvId;

/// Exit code for a run that failed (bad input, I/O error, failed check).
pub const EXIT_FAILURE: u8 = 1;
/// Exit code for unusable command-line arguments (clap's convention).
pub const EXIT_USAGE: u8 = 2;

/// neuroloop: SORN and CTRNN networks on a PC and on Cortex-M boards.
#[derive(Parser, Debug)]
#[command(name = "neuroloop", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Self-organising recurrent networks (SORN).
    #[command(subcommand)]
    Sorn(sorn::SornCommand),
    /// Continuous-time RNNs (nn4n models): parity checks and runs.
    #[command(subcommand)]
    Ctrnn(ctrnn::CtrnnCommand),
    /// Plants (gymnasium's classic control): fixture replays.
    #[command(subcommand)]
    Env(env::EnvCommand),
    /// Train a controller in closed loop with an environment.
    #[command(
        after_help = "Example:\n  neuroloop train --env CartPole-v1 --controller ctrnn --seed 1 --out runs/cartpole"
    )]
    Train(control::TrainArgs),
    /// Evaluate a trained controller; the last line is one JSON object with mean_return,
    /// std_return and episodes.
    #[command(
        after_help = "Example:\n  neuroloop eval --env CartPole-v1 --model runs/cartpole/model.json --episodes 100 --seed 7"
    )]
    Eval(control::EvalArgs),
    /// Processor in the loop: the plant on this PC, the controller on a board (QEMU or a real
    /// one on a serial port); the last line is eval's JSON plus the trajectory digest, bytes
    /// per control step and the board's costs.
    #[command(
        after_help = "Examples:\n  neuroloop pil --env CartPole-v1 --model runs/cartpole/model.json --board qemu-m4f --episodes 10 --seed 7\n  neuroloop pil --env CartPole-v1 --learn rls --teacher runs/cartpole/model.json --board serial:/dev/ttyACM0 --seed 1"
    )]
    Pil(pil::PilArgs),
}

/// An environment on the command line: `--help` lists the registry's ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvArg(pub EnvId);

/// Every id of the registry, as command-line values.
const ENV_ARGS: [EnvArg; EnvId::ALL.len()] = {
    let mut a = [EnvArg(EnvId::CartPole); EnvId::ALL.len()];
    let mut i = 0;
    while i < a.len() {
        a[i] = EnvArg(EnvId::ALL[i]);
        i += 1;
    }
    a
};

impl ValueEnum for EnvArg {
    fn value_variants<'a>() -> &'a [Self] {
        &ENV_ARGS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.name()))
    }
}

/// Checks that `path` may be written: it is none of the command's `inputs` (even with
/// `--force`), and an existing file is only replaced with `force`.
pub(crate) fn check_output(path: &std::path::Path, force: bool, inputs: &[&std::path::Path]) -> anyhow::Result<()> {
    let same = |a: &std::path::Path, b: &std::path::Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    };
    if let Some(input) = inputs.iter().find(|i| same(path, i)) {
        anyhow::bail!("{} is also an input of this command: refusing to write over it", input.display());
    }
    if path.exists() && !force {
        anyhow::bail!("{} exists: pass --force to replace it", path.display());
    }
    Ok(())
}

/// Checks that the directory `dir` may be written into: missing or empty, or `force`.
pub(crate) fn check_output_dir(dir: &std::path::Path, force: bool) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("{} is a file, not a directory", dir.display());
    }
    let non_empty = dir.is_dir() && std::fs::read_dir(dir)?.next().is_some();
    if non_empty && !force {
        anyhow::bail!("{} exists and is not empty: pass --force to write into it", dir.display());
    }
    Ok(())
}

/// Runs the CLI with `args` (the first item is the program name), writing results to `out` and
/// diagnostics to `err`. Returns the process exit code.
pub fn run<I, T>(args: I, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let text = e.render().to_string();
            let _ = if e.use_stderr() { err.write_all(text.as_bytes()) } else { out.write_all(text.as_bytes()) };
            return code;
        }
    };
    let result = match cli.command {
        Command::Sorn(cmd) => sorn::run(cmd, out, err),
        Command::Ctrnn(cmd) => ctrnn::run(cmd, out, err),
        Command::Env(cmd) => env::run(cmd, out),
        Command::Train(a) => control::train(a, out, err),
        Command::Eval(a) => control::eval(a, out),
        Command::Pil(a) => pil::pil(a, out, err),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(err, "error: {e:#}");
            EXIT_FAILURE
        }
    }
}
