//! `neuroloop sorn ...`

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use neuroloop_core::sorn::{Config, Freeze, Mode, Phase};

use crate::sorn;
use crate::sorn::record::{RecordSpec, Recordings};
use crate::sorn::rundir::{self, RunMeta, Segment};
use crate::sorn::snapshot::Snapshot;

#[derive(Subcommand, Debug)]
pub enum SornCommand {
    /// Build a SORN from a seed and run it, driven by uniform [0, 1) random input on its input
    /// channels (the package README's example).
    #[command(after_help = "Examples:\n  neuroloop sorn run --steps 2000 --seed 1 --summary\n  \
        neuroloop sorn run --steps 500 --seed 7 --config net.toml --phase training --summary\n  \
        neuroloop sorn run --steps 2000 --seed 1 --freeze sp,istdp")]
    Run(RunArgs),
    /// Continue a recorded run (made with `sorn run --out DIR`) in place, bit-exactly where it
    /// stopped: same network, same input stream.
    #[command(after_help = "Examples:\n  neuroloop sorn run --steps 1000 --seed 1 --out runs/a\n  \
        neuroloop sorn resume runs/a --steps 1000 --summary")]
    Resume(ResumeArgs),
    /// Draw every figure of a recorded run (PNG and SVG) and an index.html with its config and
    /// summary, into RUN_DIR/report/.
    #[command(
        after_help = "Example:\n  neuroloop sorn run --steps 3000 --seed 1 --out runs/a && neuroloop sorn report runs/a"
    )]
    Report(ReportArgs),
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The run directory.
    dir: PathBuf,
    /// Use the last N steps for the raster, ISIs, correlations and Hamming distance.
    #[arg(long, default_value_t = 2000)]
    last: u64,
}

/// Recording options shared by `run` and `resume`.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// Comma-separated callbacks to record (the package's names: ExcitatoryActivation,
    /// InhibitoryActivation, RecurrentActivation, WEE, WEI, TE, TI, EEConnectionCounts,
    /// EIConnectionCounts; or `all`). Needs --out / a run directory; written as .npy and .csv
    /// under RUN_DIR/recordings/seg-NNN/.
    #[arg(long, value_name = "NAMES")]
    record: Option<String>,
    /// Record weights and thresholds every K-th step only.
    #[arg(long, value_name = "K", default_value_t = 1)]
    record_every: u64,
    /// Refuse to start when the recordings would need more memory than this, in MB.
    #[arg(long, value_name = "MB", default_value_t = 1024.0)]
    record_budget_mb: f64,
    /// Record connection counts before each step's plasticity, as the package does.
    #[arg(long)]
    counts_before_step: bool,
}

impl RecordArgs {
    fn spec(&self) -> anyhow::Result<Option<RecordSpec>> {
        let Some(list) = &self.record else { return Ok(None) };
        let mut spec = RecordSpec::parse_list(list)?;
        spec.every = self.record_every;
        spec.budget_bytes = (self.record_budget_mb.max(0.0) * 1e6) as u64;
        spec.counts_before_step = self.counts_before_step;
        Ok(Some(spec))
    }
}

#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The run directory.
    dir: PathBuf,
    /// Number of further time steps.
    #[arg(long)]
    steps: u64,
    /// Run these steps in another phase than the saved one.
    #[arg(long, value_enum)]
    phase: Option<PhaseArg>,
    /// Print one JSON object with the resumed segment's figures on stdout.
    #[arg(long)]
    summary: bool,
    #[command(flatten)]
    rec: RecordArgs,
}

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Number of time steps.
    #[arg(long)]
    steps: u64,
    /// Seed of the network (and, through an independent stream, of its input).
    #[arg(long)]
    seed: u64,
    /// TOML file of SORN parameters (the package's names; missing keys take its defaults).
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// plasticity: the rules run; training: the network is frozen (a fixed reservoir).
    #[arg(long, value_enum, default_value_t = PhaseArg::Plasticity)]
    phase: PhaseArg,
    /// Comma-separated rules to freeze in the plasticity phase: stdp, ip, sp, istdp, ss.
    #[arg(long, value_name = "RULES", default_value = "")]
    freeze: String,
    /// Switch the Gaussian noise off.
    #[arg(long)]
    no_noise: bool,
    /// Print one JSON object with the run's figures on stdout.
    #[arg(long)]
    summary: bool,
    /// Record the run into this directory (config, metadata, final snapshot).
    #[arg(long, value_name = "RUN_DIR")]
    out: Option<PathBuf>,
    /// Overwrite an existing run directory given to --out.
    #[arg(long, requires = "out")]
    force: bool,
    #[command(flatten)]
    rec: RecordArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum PhaseArg {
    Plasticity,
    Training,
}

pub fn run(cmd: SornCommand, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        SornCommand::Run(args) => run_cmd(args, out, err),
        SornCommand::Resume(args) => resume_cmd(args, out, err),
        SornCommand::Report(args) => {
            let dir = crate::sorn::report::report(&args.dir, args.last)?;
            writeln!(out, "{}", dir.join("index.html").display())?;
            Ok(0)
        }
    }
}

fn run_cmd(args: RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let cfg = match &args.config {
        Some(path) => sorn::load_config(path)?,
        None => Config::DEFAULT,
    };
    let warnings = cfg.warnings();
    if !warnings.is_empty() {
        writeln!(err, "warning: {warnings}")?;
    }
    let freeze: Freeze = args.freeze.parse().map_err(|e| anyhow::anyhow!("--freeze {:?}: {e}", args.freeze))?;
    let mode = Mode { phase: args.phase.into(), freeze, noise: !args.no_noise };
    let spec = args.rec.spec()?;
    if spec.is_some() && args.out.is_none() {
        anyhow::bail!("--record needs --out RUN_DIR to write the recordings into");
    }
    let mut net = sorn::build(&cfg, args.seed)?;
    // The budget is checked before anything is written or run.
    let mut recordings = spec.map(|spec| Recordings::new(spec, &net, args.steps)).transpose()?;
    let mut inputs = sorn::input_rng(args.seed);
    if let Some(dir) = &args.out {
        for p in rundir::prepare(dir, args.force)? {
            writeln!(err, "note: kept {} (not written by neuroloop)", p.display())?;
        }
        let initial = Snapshot { net: net.clone(), seed: args.seed, input_rng: Some(inputs.clone()) };
        crate::sorn::snapshot::save(&dir.join(crate::sorn::report::INITIAL), &initial)?;
    }
    let s = sorn::run_segment(&mut net, mode, args.seed, &mut inputs, args.steps, &mut |n, rep| {
        if let Some(r) = &mut recordings {
            r.record(n, rep);
        }
        Ok(())
    })?;
    if let Some(dir) = &args.out {
        if let Some(r) = &recordings {
            write_recordings(dir, 0, r, err)?;
        }
        let meta = RunMeta {
            neuroloop_version: env!("CARGO_PKG_VERSION").to_string(),
            seed: args.seed,
            input: rundir::INPUT_DESCRIPTION.to_string(),
            total_steps: s.steps,
            segments: vec![Segment::new(mode, &s)],
            last_summary: s.clone(),
        };
        rundir::write(dir, &meta, &Snapshot { net, seed: args.seed, input_rng: Some(inputs) })?;
        writeln!(err, "recorded into {}", dir.display())?;
    }
    print_summary(&s, args.summary, out)?;
    Ok(0)
}

fn resume_cmd(args: ResumeArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let (mut meta, snap) = rundir::read(&args.dir)?;
    let Snapshot { mut net, seed, input_rng } = snap;
    let mut inputs = input_rng.ok_or_else(|| anyhow::anyhow!("the snapshot has no input generator state"))?;
    let mut mode = net.mode();
    if let Some(p) = args.phase {
        mode.phase = p.into();
    }
    let mut recordings = args.rec.spec()?.map(|spec| Recordings::new(spec, &net, args.steps)).transpose()?;
    let s = sorn::run_segment(&mut net, mode, seed, &mut inputs, args.steps, &mut |n, rep| {
        if let Some(r) = &mut recordings {
            r.record(n, rep);
        }
        Ok(())
    })?;
    if let Some(r) = &recordings {
        write_recordings(&args.dir, meta.segments.len(), r, err)?;
    }
    meta.total_steps = meta
        .total_steps
        .checked_add(s.steps)
        .ok_or_else(|| anyhow::anyhow!("{}: the total step count would overflow", args.dir.display()))?;
    meta.segments.push(Segment::new(mode, &s));
    meta.last_summary = s.clone();
    rundir::write(&args.dir, &meta, &Snapshot { net, seed, input_rng: Some(inputs) })?;
    print_summary(&s, args.summary, out)?;
    Ok(0)
}

/// Writes one segment's recordings as .npy and .csv.
fn write_recordings(dir: &std::path::Path, segment: usize, r: &Recordings, err: &mut dyn Write) -> anyhow::Result<()> {
    let seg = dir.join("recordings").join(format!("seg-{segment:03}"));
    let npy = r.write_npy(&seg)?;
    let csv = r.write_csv(&seg)?;
    writeln!(err, "recordings: {} files in {}", npy.len() + csv.len(), seg.display())?;
    Ok(())
}

impl From<PhaseArg> for Phase {
    fn from(p: PhaseArg) -> Phase {
        match p {
            PhaseArg::Plasticity => Phase::Plasticity,
            PhaseArg::Training => Phase::Training,
        }
    }
}

fn print_summary(s: &sorn::Summary, json: bool, out: &mut dyn Write) -> anyhow::Result<()> {
    if json {
        writeln!(out, "{}", serde_json::to_string(s)?)?;
        return Ok(());
    }
    let rate = |r: Option<f64>| r.map_or("n/a".to_string(), |v| format!("{v:.4}"));
    writeln!(
        out,
        "SORN ne={} ni={} nu={} seed={} phase={}: {} steps in {:.3} s",
        s.ne, s.ni, s.nu, s.seed, s.phase, s.steps, s.elapsed_s
    )?;
    writeln!(out, "  rate over the last quarter: E {}  I {}", rate(s.mean_rate_e), rate(s.mean_rate_i))?;
    writeln!(out, "  mean thresholds at the end: T_E {:.4}  T_I {:.4}", s.mean_te, s.mean_ti)?;
    writeln!(
        out,
        "  E->E synapses {} -> {} (mean weight {:.4}); I->E {} -> {}",
        s.wee_active_start, s.wee_active_end, s.wee_mean_end, s.wei_active_start, s.wei_active_end
    )?;
    writeln!(out, "  structural plasticity: {} created, {} refused (capacity)", s.sp_created, s.sp_capacity_refusals)?;
    Ok(())
}
