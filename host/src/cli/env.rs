//! `neuroloop env ...`

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;

use crate::env::fixture::{EnvReport, check_env_fixture};

#[derive(Subcommand, Debug)]
pub enum EnvCommand {
    /// Replay a gymnasium fixture (`neuroloop-env-fixture`) of whichever registered environment
    /// it names; the last line is the max abs deviation of state and observation; exits 1
    /// above 1e-6 or when a reward or termination differs.
    #[command(after_help = "Example:\n  neuroloop env check cartpole_v1.json")]
    Check {
        /// The fixture.
        fixture: PathBuf,
    },
}

pub fn run(cmd: EnvCommand, out: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        EnvCommand::Check { fixture } => {
            let text =
                std::fs::read_to_string(&fixture).with_context(|| format!("cannot read {}", fixture.display()))?;
            let r = check_env_fixture(&text).with_context(|| format!("{}", fixture.display()))?;
            writeln!(
                out,
                "{}: {} episode(s), {} steps replayed, {} reward/termination mismatches",
                r.env, r.episodes, r.steps, r.mismatches
            )?;
            let verdict = if r.passes() { "ok" } else { "FAIL" };
            writeln!(
                out,
                "max_abs_dev state {:.3e} obs {:.3e} (tolerance {:.0e}): {verdict}",
                r.max_state_diff,
                r.max_obs_diff,
                EnvReport::TOLERANCE
            )?;
            Ok(if r.passes() { 0 } else { 1 })
        }
    }
}
