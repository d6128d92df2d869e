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
    /// The E->E weight distribution of a network: a log-normal fitted above a floor (with the
    /// share of synapses below it and the Kolmogorov-Smirnov distance) and two Gaussians on
    /// log10 w fitted by EM. Reads run directories, snapshots (.nlsnap) or text files of
    /// weights (one or more numbers a line, e.g. the package's Wee saved with numpy.savetxt).
    #[command(
        after_help = "Examples:\n  neuroloop sorn run --steps 1000000 --seed 1 --out runs/s1 && neuroloop sorn weights runs/s1\n  \
        neuroloop sorn weights runs/s1 runs/s2 --markdown --figure weights.png\n  \
        neuroloop sorn weights package_wee.txt --floor 0.01 --json"
    )]
    Weights(WeightsArgs),
    /// Published SORN experiments, reproduced.
    #[command(subcommand)]
    Experiment(ExperimentCommand),
}

#[derive(Subcommand, Debug)]
pub enum ExperimentCommand {
    /// The counting task of Lazar, Pipa & Triesch (2009): words `a b^n c` / `d e^n f`, a SORN
    /// against a static and an IP-only reservoir; writes results.csv, metrics.csv, the figures
    /// (performance.png/svg, end_recall.png/svg) and report.md into --out (docs/science.md).
    #[command(
        after_help = "Examples:\n  neuroloop sorn experiment counting --n 4,8,12,16,20,24,28 --seeds 10 --out runs/counting\n  \
        neuroloop sorn experiment counting --n 4,8 --seeds 2 --plastic-steps 10000 --out /tmp/quick"
    )]
    Counting(CountingArgs),
}

#[derive(Args, Debug)]
pub struct CountingArgs {
    /// Word lengths: repeated letters per word, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "4,8,12,16,20,24,28")]
    n: Vec<u16>,
    /// Networks per (condition, n): seeds first-seed .. first-seed + seeds - 1.
    #[arg(long, default_value_t = 10)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 1)]
    first_seed: u64,
    /// Conditions to run, comma-separated: sorn, static, ip_only.
    #[arg(long, value_delimiter = ',', default_value = "sorn,static,ip_only")]
    conditions: Vec<String>,
    /// Steps with plasticity (the paper: 50,000).
    #[arg(long, default_value_t = 50_000)]
    plastic_steps: u64,
    /// Frozen steps whose states train the readout.
    #[arg(long, default_value_t = 5_000)]
    train_steps: u64,
    /// Frozen steps the readout is scored on.
    #[arg(long, default_value_t = 5_000)]
    test_steps: u64,
    /// Ridge penalty of the readout.
    #[arg(long, default_value_t = 0.01)]
    ridge: f64,
    /// Excitatory units (N_I = N_E / 5, every E unit an input channel, dense I->E); the
    /// paper's 200 by default.
    #[arg(long, conflicts_with = "config")]
    ne: Option<u32>,
    /// TOML file of SORN parameters instead of the paper's network (missing keys take the
    /// package's defaults; `nu` must leave room for 6 pools of 10 units).
    #[arg(long, value_name = "FILE.toml")]
    config: Option<PathBuf>,
    /// Write here (created; must be empty, or an earlier counting experiment with --force).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Overwrite an earlier counting experiment in --out.
    #[arg(long)]
    force: bool,
}

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// The run directory.
    dir: PathBuf,
    /// Use the last N steps for the raster, ISIs, correlations and Hamming distance.
    #[arg(long, default_value_t = 2000)]
    last: u64,
}

#[derive(Args, Debug)]
pub struct WeightsArgs {
    /// Run directories (their state.nlsnap), snapshot files (.nlsnap) or text files of weights.
    #[arg(required = true, value_name = "RUN_DIR|FILE")]
    inputs: Vec<PathBuf>,
    /// Fit the log-normal to weights above this. Default: 5 x the network's w_sp (0.005 for the
    /// default network and for text files, whose w_sp is unknown).
    #[arg(long, value_name = "W")]
    floor: Option<f64>,
    /// Print one JSON object per input instead of text.
    #[arg(long, conflicts_with = "markdown")]
    json: bool,
    /// Print two Markdown tables (log-normal fits, mixtures), one row per input.
    #[arg(long)]
    markdown: bool,
    /// Draw a histogram of log10 w per input with the fitted curves (.png or .svg).
    #[arg(long, value_name = "FILE")]
    figure: Option<PathBuf>,
    /// Panels per row of --figure.
    #[arg(long, value_name = "N", default_value_t = 3, requires = "figure")]
    columns: usize,
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
        SornCommand::Experiment(ExperimentCommand::Counting(args)) => counting_cmd(args, out, err),
        SornCommand::Weights(args) => weights_cmd(args, out),
        SornCommand::Report(args) => {
            let dir = crate::sorn::report::report(&args.dir, args.last)?;
            writeln!(out, "{}", dir.join("index.html").display())?;
            Ok(0)
        }
    }
}

/// The files a counting experiment writes (what --force may replace).
const COUNTING_FILES: [&str; 7] = [
    "results.csv",
    "metrics.csv",
    "report.md",
    "performance.png",
    "performance.svg",
    "end_recall.png",
    "end_recall.svg",
];

fn counting_cmd(a: CountingArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    use crate::sorn::counting::{self, Condition, Protocol};
    let mut conditions = Vec::new();
    for name in &a.conditions {
        let c = Condition::ALL.into_iter().find(|c| c.name() == name.trim()).ok_or_else(|| {
            anyhow::anyhow!("--conditions: unknown condition {name:?} (the conditions are sorn, static, ip_only)")
        })?;
        if !conditions.contains(&c) {
            conditions.push(c);
        }
    }
    if a.seeds == 0 {
        anyhow::bail!("--seeds 0: run at least one network per point");
    }
    let last =
        a.first_seed.checked_add(a.seeds - 1).ok_or_else(|| anyhow::anyhow!("--first-seed + --seeds overflows"))?;
    let config = match (&a.config, a.ne) {
        (Some(path), _) => sorn::load_config(path)?,
        (None, Some(ne)) => Config { ne, ni: ne / 5, nu: ne, lambda_ei: ne as f32, ..Config::lazar2009() },
        (None, None) => Config::lazar2009(),
    };
    if a.config.is_none() {
        config.validate().map_err(|e| anyhow::anyhow!("--ne {}: {e}", config.ne))?;
    }
    let protocol = Protocol {
        config,
        plastic_steps: a.plastic_steps,
        train_steps: a.train_steps,
        test_steps: a.test_steps,
        ridge: a.ridge,
        ..Protocol::default()
    };
    counting::check(&protocol, &a.n)?;
    prepare_experiment_dir(&a.out, a.force)?;
    let seeds: Vec<u64> = (a.first_seed..=last).collect();
    let jobs = counting::jobs(&conditions, &a.n, &seeds);
    writeln!(
        err,
        "counting task: {} networks ({} conditions x {} word lengths x {} seeds), {} steps each, on {} threads",
        jobs.len(),
        conditions.len(),
        a.n.len(),
        seeds.len(),
        protocol.plastic_steps + protocol.train_steps + protocol.test_steps,
        rayon::current_num_threads()
    )?;
    let bar = indicatif::ProgressBar::new(jobs.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} networks, {elapsed} (eta {eta})")
            .expect("the template is valid"),
    );
    let start = std::time::Instant::now();
    let outcomes = counting::run_all(&protocol, &jobs, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let write = |name: &str, text: String| {
        let p = a.out.join(name);
        std::fs::write(&p, text).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))
    };
    write("results.csv", counting::results_csv(&outcomes))?;
    write("metrics.csv", counting::metrics_csv(&outcomes))?;
    let report = counting::report(&protocol, &outcomes, seconds);
    write("report.md", report.clone())?;
    counting::figures(&a.out, &outcomes)?;
    writeln!(out, "{report}")?;
    writeln!(err, "wrote {} ({seconds:.1} s)", a.out.display())?;
    Ok(0)
}

/// An experiment's output directory: created, or empty, or (with `force`) one an earlier
/// experiment wrote, whose known files are then replaced. Anything else is never touched.
fn prepare_experiment_dir(dir: &std::path::Path, force: bool) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("--out {} is a file, not a directory: choose another --out", dir.display());
    }
    if dir.is_dir() {
        let names: Vec<String> = std::fs::read_dir(dir)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        if !names.is_empty() {
            if !force {
                anyhow::bail!(
                    "{} already exists and is not empty: choose another --out, or pass --force to overwrite an earlier counting experiment",
                    dir.display()
                );
            }
            if !names.iter().any(|n| n == "results.csv") {
                anyhow::bail!(
                    "{} has no results.csv, so it is not a counting experiment: refusing to overwrite it even with --force",
                    dir.display()
                );
            }
            for n in names.iter().filter(|n| COUNTING_FILES.contains(&n.as_str())) {
                let p = dir.join(n);
                std::fs::remove_file(&p).map_err(|e| anyhow::anyhow!("cannot remove {}: {e}", p.display()))?;
            }
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))
}

fn run_cmd(args: RunArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    let cfg = match &args.config {
        Some(path) => sorn::load_config(path)?,
        None => sorn::sized_for_host(Config::DEFAULT),
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

/// One input of `sorn weights`: its weights, a label and the floor its config implies.
struct WeightSource {
    label: String,
    weights: Vec<f64>,
    /// The network, when the input was one (for the in-degree analysis).
    net: Option<Box<crate::sorn::HostSorn>>,
    default_floor: f64,
    /// Steps the network ran, when known.
    steps: Option<u64>,
    seed: Option<u64>,
}

fn read_weights(path: &std::path::Path) -> anyhow::Result<WeightSource> {
    use crate::sorn::weights;
    let label = path.display().to_string();
    let snap = if path.is_dir() {
        Some(rundir::read(path)?.1)
    } else if path.extension().is_some_and(|e| e == "nlsnap") {
        Some(crate::sorn::snapshot::load(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?)
    } else {
        None
    };
    if let Some(s) = snap {
        return Ok(WeightSource {
            label,
            weights: weights::ee_weights(&s.net),
            default_floor: weights::default_floor(s.net.config().w_sp),
            steps: Some(s.net.counters().steps),
            seed: Some(s.seed),
            net: Some(Box::new(s.net)),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut ws = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for field in line.split(|c: char| c == ',' || c.is_whitespace()).filter(|f| !f.is_empty()) {
            let w: f64 = field
                .parse()
                .map_err(|_| anyhow::anyhow!("{}:{}: {field:?} is not a number", path.display(), line_no + 1))?;
            // A dense matrix's zeros are absent synapses.
            if w != 0.0 {
                ws.push(w);
            }
        }
    }
    Ok(WeightSource {
        label,
        weights: ws,
        net: None,
        default_floor: weights::default_floor(Config::DEFAULT.w_sp),
        steps: None,
        seed: None,
    })
}

fn weights_cmd(args: WeightsArgs, out: &mut dyn Write) -> anyhow::Result<u8> {
    use crate::sorn::weights;
    if let Some(f) = args.floor {
        if !f.is_finite() || f < 0.0 {
            anyhow::bail!("--floor {f}: the floor must be finite and at least 0");
        }
    }
    let mut results = Vec::new();
    for path in &args.inputs {
        let src = read_weights(path)?;
        let floor = args.floor.unwrap_or(src.default_floor);
        let a = match &src.net {
            Some(net) => weights::analyse_net(net, floor),
            None => weights::analyse(&src.weights, floor),
        }
        .map_err(|e| anyhow::anyhow!("{}: {e}", src.label))?;
        results.push((src, a));
    }
    if args.json {
        for (src, a) in &results {
            let v = serde_json::json!({ "input": src.label, "seed": src.seed, "steps": src.steps, "weights": a });
            writeln!(out, "{v}")?;
        }
    } else if args.markdown {
        writeln!(
            out,
            "| input | seed | steps | synapses | floor | below floor | mu (ln w) | sigma (ln w) | KS (5 % critical) | unfloored sigma |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|---|---|")?;
        let opt = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
        for (src, a) in &results {
            let l = &a.lognormal;
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {:.1} % | {:.3} | {:.3} | {:.4} ({:.4}) | {} |",
                src.label,
                opt(src.seed),
                opt(src.steps),
                a.synapses,
                l.floor,
                100.0 * l.fraction_below,
                l.mu,
                l.sigma,
                l.ks,
                l.ks_critical_5pct,
                a.unfloored.map_or("-".to_string(), |u| format!("{:.2}", u.1))
            )?;
        }
        writeln!(out)?;
        writeln!(
            out,
            "| input | lower: weight, mean, sd (log10 w) | upper: weight, mean, sd (log10 w) | LL gain (per synapse) | delta BIC | in-degree lower / upper | corr(log10 w, log10 in-degree) | sd within / between units |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|---|")?;
        for (src, a) in &results {
            let m = &a.mixture;
            let c = |k: usize| {
                let c = m.components[k];
                format!("{:.2}, {:.3}, {:.3}", c.weight, c.mean, c.sd)
            };
            let (deg, corr, sds) = a.in_degree.map_or(("-".into(), "-".into(), "-".into()), |d| {
                (
                    format!("{} / {}", d.in_degree_median[0], d.in_degree_median[1]),
                    format!("{:.2}", d.corr_log_in_degree),
                    format!("{:.3} / {:.3}", d.within_unit_sd, d.between_unit_sd),
                )
            });
            writeln!(
                out,
                "| {} | {} | {} | {:.1} ({:.3}) | {:.1} | {deg} | {corr} | {sds} |",
                src.label,
                c(0),
                c(1),
                m.gain,
                m.gain / m.n as f64,
                m.delta_bic
            )?;
        }
    } else {
        for (src, a) in &results {
            let at = match (src.seed, src.steps) {
                (Some(seed), Some(steps)) => format!(" (seed {seed}, step {steps})"),
                _ => String::new(),
            };
            writeln!(out, "E->E weights of {}{at}:", src.label)?;
            write!(out, "{}", weights::describe(a))?;
        }
    }
    if let Some(fig) = &args.figure {
        let panels: Vec<_> = results
            .iter()
            .map(|(src, a)| {
                let title = match (src.seed, src.steps) {
                    (Some(seed), Some(steps)) => format!("seed {seed}, {steps} steps"),
                    _ => src.label.rsplit('/').next().unwrap_or(&src.label).to_string(),
                };
                weights::panel(title, &src.weights, a)
            })
            .collect();
        crate::figures::histogram_panels(fig, &panels, args.columns)?;
    }
    Ok(0)
}
