//! SORN on the host: networks in `Vec` buffers sized at run time, TOML configs, seeded runs
//! that end in a [`Summary`], and what is built on runs: recorders, snapshots, run
//! directories, reports and the package's statistics.

pub mod config;
pub mod counting;
pub mod raster;
pub mod record;
pub mod report;
pub mod rundir;
pub mod snapshot;
pub mod statistics;
pub mod weights;

pub use config::{HOST_DENSE_SLOTS, load_config, parse_config, sized_for_host};
pub use raster::Raster;

use anyhow::{Context, bail};
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Buffers, Config, Layout, Mode, Phase, Sorn, StepReport};
use serde::{Deserialize, Serialize};

/// A network whose buffers are `Vec`s.
pub type HostSorn = Sorn<Vec<f32>, Vec<u16>, Vec<u32>>;

/// Why a network could not be built on the host.
#[derive(Clone, Debug, PartialEq)]
pub enum BuildError {
    /// The config or buffers were refused by the core.
    Core(neuroloop_core::sorn::Error),
    /// The network would need more memory than the budget.
    Budget(crate::budget::OverBudget),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Core(e) => write!(f, "{e}"),
            BuildError::Budget(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// Builds a network for `cfg` from `seed`, allocating exactly the buffers [`Layout`] asks for,
/// within the memory budget ([`crate::budget::bytes`]).
///
/// ```
/// use neuroloop_core::sorn::Config;
/// let net = neuroloop_host::sorn::build(&Config::DEFAULT, 3).unwrap();
/// assert_eq!(net.config().ne, 200);
/// // Valid, but 34 GB: refused before anything is allocated.
/// let huge = Config { ne: 65_535, ni: 65_535, lambda_ee: 32_000.0, lambda_ei: 32_000.0, h_ip: Some(0.1), ..Config::DEFAULT };
/// assert!(huge.validate().is_ok());
/// let e = neuroloop_host::sorn::build(&huge, 1).unwrap_err().to_string();
/// assert!(e.contains("would need") && e.contains("GB"), "{e}");
/// ```
pub fn build(cfg: &Config, seed: u64) -> Result<HostSorn, BuildError> {
    build_within(cfg, seed, crate::budget::bytes())
}

/// [`build`] with an explicit memory budget in bytes.
pub fn build_within(cfg: &Config, seed: u64, budget: u64) -> Result<HostSorn, BuildError> {
    // Validate first so an absurd config is an error, not a huge allocation.
    cfg.validate().map_err(|e| BuildError::Core(neuroloop_core::sorn::Error::Config(e)))?;
    let l = Layout::new(cfg);
    let what = format!("a SORN of ne = {}, ni = {}", cfg.ne, cfg.ni);
    crate::budget::check(what, l.bytes() as u64, budget).map_err(BuildError::Budget)?;
    let bufs = Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len]);
    Sorn::new(cfg, seed, bufs).map_err(BuildError::Core)
}

/// The generator of the README input: uniform [0, 1) on every channel, drawn from the run's
/// seed jumped 2^64 draws ahead, so it never overlaps the network's own stream.
pub fn input_rng(seed: u64) -> NetRng {
    let mut rng = NetRng::seed_from_u64(seed);
    rng.jump();
    rng
}

/// End-of-run figures of `neuroloop sorn run --summary`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Steps run.
    pub steps: u64,
    /// Seed of the network and of its input.
    pub seed: u64,
    /// Phase the steps ran in.
    pub phase: Phase,
    /// Excitatory units.
    pub ne: u32,
    /// Inhibitory units.
    pub ni: u32,
    /// Input channels.
    pub nu: u32,
    /// Mean fraction of excitatory units active per step over the last quarter of the run
    /// (`null` for a run of 0 steps).
    pub mean_rate_e: Option<f64>,
    /// The same for inhibitory units.
    pub mean_rate_i: Option<f64>,
    /// Mean excitatory threshold at the end.
    pub mean_te: f64,
    /// Mean inhibitory threshold at the end.
    pub mean_ti: f64,
    /// E->E synapses at the start.
    pub wee_active_start: u32,
    /// E->E synapses at the end.
    pub wee_active_end: u32,
    /// Mean weight of the E->E synapses at the end.
    pub wee_mean_end: f64,
    /// I->E synapses at the start.
    pub wei_active_start: u32,
    /// I->E synapses at the end.
    pub wei_active_end: u32,
    /// Structural-plasticity creations refused for lack of capacity, since the network was built.
    pub sp_capacity_refusals: u64,
    /// E->E synapses created by structural plasticity, since the network was built.
    pub sp_created: u64,
    /// Excitatory units left with no E->E input.
    pub ee_empty_units: usize,
    /// Wall time of the steps, seconds.
    pub elapsed_s: f64,
}

/// Runs `steps` steps of `net` in `mode`, driven by the README input (uniform [0, 1) on the
/// `nu` channels from [`input_rng`]`(seed)`), and summarises.
pub fn run_with_random_input(net: &mut HostSorn, mode: Mode, seed: u64, steps: u64) -> anyhow::Result<Summary> {
    run_segment(net, mode, seed, &mut input_rng(seed), steps, &mut |_, _| Ok(()))
}

/// Runs `steps` steps of `net` in `mode`, its input drawn uniform [0, 1) from `inputs`, calling
/// `each` after every step (recorders hook in there), with a progress bar on stderr when the
/// run will take more than about a second and stderr is a terminal. `seed` is only reported.
pub fn run_segment(
    net: &mut HostSorn,
    mode: Mode,
    seed: u64,
    inputs: &mut NetRng,
    steps: u64,
    each: &mut dyn FnMut(&HostSorn, &StepReport) -> anyhow::Result<()>,
) -> anyhow::Result<Summary> {
    let cfg = *net.config();
    let (ne, ni) = (f64::from(cfg.ne), f64::from(cfg.ni));
    net.set_mode(mode);
    let mut u = vec![0.0f32; cfg.nu as usize];
    let wee_start = net.ee_count();
    let wei_start = net.ei_count();
    let quarter_from = steps - steps.div_ceil(4);
    let (mut rate_e, mut rate_i) = (0.0f64, 0.0f64);
    let t0 = std::time::Instant::now();
    let mut progress: Option<indicatif::ProgressBar> = None;
    for t in 0..steps {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        let rep = net.step(&u)?;
        each(net, &rep)?;
        if t >= quarter_from {
            rate_e += f64::from(rep.active_e) / ne;
            rate_i += f64::from(rep.active_i) / ni;
        }
        if t % 4096 == 4095 {
            progress = update_progress(progress, t0, t + 1, steps);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let elapsed_s = t0.elapsed().as_secs_f64();
    let last = (steps - quarter_from) as f64;
    let mean = |xs: &[f32]| xs.iter().map(|&v| f64::from(v)).sum::<f64>() / xs.len().max(1) as f64;
    let c = net.counters();
    Ok(Summary {
        steps,
        seed,
        phase: mode.phase,
        ne: cfg.ne,
        ni: cfg.ni,
        nu: cfg.nu,
        mean_rate_e: (steps > 0).then(|| rate_e / last),
        mean_rate_i: (steps > 0).then(|| rate_i / last),
        mean_te: mean(net.te()),
        mean_ti: mean(net.ti()),
        wee_active_start: wee_start,
        wee_active_end: net.ee_count(),
        wee_mean_end: f64::from(net.wee().mean_weight()),
        wei_active_start: wei_start,
        wei_active_end: net.ei_count(),
        sp_capacity_refusals: c.sp_capacity_refusals,
        sp_created: c.sp_created,
        ee_empty_units: net.ee_empty_units(),
        elapsed_s,
    })
}

/// Creates the progress bar once the run is projected to last more than a second, then keeps
/// its position current.
fn update_progress(
    bar: Option<indicatif::ProgressBar>,
    t0: std::time::Instant,
    done: u64,
    total: u64,
) -> Option<indicatif::ProgressBar> {
    let bar = bar.or_else(|| {
        let elapsed = t0.elapsed().as_secs_f64();
        let projected = elapsed * total as f64 / done as f64;
        (projected > 1.0).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} steps, {per_sec}, eta {eta}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        })
    });
    if let Some(b) = &bar {
        b.set_position(done);
    }
    bar
}

/// Where a run's input comes from.
#[derive(Debug)]
pub enum Inputs<'a> {
    /// The package README's input: uniform [0, 1) on every channel, from this generator
    /// (see [`input_rng`]); the generator advances, so a later run continues the stream.
    Uniform(&'a mut NetRng),
    /// A matrix in the package's layout: `nu` rows (channels) by `steps` columns (time),
    /// row-major, column `t` feeding step `t`.
    Matrix(&'a [f32]),
}

/// What to run: the package's `Simulator.run` / `Trainer.run` arguments.
#[derive(Clone, Debug, Default)]
pub struct RunSpec {
    /// Steps (`timesteps`).
    pub steps: u64,
    /// Phase, freeze list and noise.
    pub mode: Mode,
    /// Recorders (`callbacks`); `None` records nothing.
    pub record: Option<record::RecordSpec>,
}

/// Runs `net` as `spec` says, fed by `inputs`, and returns the recordings (empty when nothing
/// was recorded). The network is left in its final state, so calling again continues the run,
/// as passing the package's returned `state` back does. A training run is the same call with
/// [`Mode::training`].
///
/// ```
/// use neuroloop_core::sorn::{Config, Mode};
/// use neuroloop_host::sorn::record::RecordSpec;
/// use neuroloop_host::sorn::{Inputs, RunSpec, build, input_rng, simulate};
/// let mut net = build(&Config::DEFAULT, 1)?;
/// let mut rng = input_rng(1);
/// // Plasticity phase, 200 steps, recording excitatory spikes.
/// let spec = RunSpec { steps: 200, record: Some(RecordSpec::parse_list("ExcitatoryActivation")?), ..RunSpec::default() };
/// let rec = simulate(&mut net, &spec, Inputs::Uniform(&mut rng))?;
/// assert_eq!(rec.excitatory.unwrap().steps(), 200);
/// // Then a frozen ("training") run of 3 steps on a given (nu x T) input matrix.
/// let matrix = vec![0.5f32; 10 * 3];
/// let spec = RunSpec { steps: 3, mode: Mode::training(false), record: None };
/// simulate(&mut net, &spec, Inputs::Matrix(&matrix))?;
/// assert_eq!(net.counters().steps, 203);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(net: &mut HostSorn, spec: &RunSpec, inputs: Inputs<'_>) -> anyhow::Result<record::Recordings> {
    simulate_observed(net, spec, inputs, |_, _, _| Ok(()))
}

/// [`simulate`], calling `observe(t, net, report)` after step `t` (after the recorders took it),
/// for what a caller keeps in its own form: the Python bindings write the package's dense
/// float64 weight matrices straight into numpy's memory this way. An error from `observe`
/// stops the run and is returned.
///
/// ```
/// use neuroloop_core::sorn::Config;
/// use neuroloop_host::sorn::{Inputs, RunSpec, build, input_rng, simulate_observed};
/// let mut net = build(&Config::DEFAULT, 1)?;
/// let mut counts = Vec::new();
/// let spec = RunSpec { steps: 5, ..RunSpec::default() };
/// simulate_observed(&mut net, &spec, Inputs::Uniform(&mut input_rng(1)), |_, net, _| {
///     counts.push(net.ee_count());
///     Ok(())
/// })?;
/// assert_eq!(counts.len(), 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate_observed(
    net: &mut HostSorn,
    spec: &RunSpec,
    inputs: Inputs<'_>,
    mut observe: impl FnMut(usize, &HostSorn, &neuroloop_core::sorn::StepReport) -> anyhow::Result<()>,
) -> anyhow::Result<record::Recordings> {
    let nu = net.config().nu as usize;
    let steps = usize::try_from(spec.steps)?;
    if let Inputs::Matrix(m) = &inputs {
        if m.len() != nu * steps {
            bail!(
                "the input matrix has {} values; {} channels x {} steps need {}",
                m.len(),
                nu,
                spec.steps,
                nu * steps
            );
        }
    }
    let record = spec.record.clone().unwrap_or_default();
    let mut rec = record::Recordings::new(record, net, spec.steps)?;
    net.set_mode(spec.mode);
    let mut u = vec![0.0f32; nu];
    let mut inputs = inputs;
    for t in 0..steps {
        match &mut inputs {
            Inputs::Uniform(rng) => u.iter_mut().for_each(|v| *v = rng.uniform_f32()),
            Inputs::Matrix(m) => u.iter_mut().enumerate().for_each(|(k, v)| *v = m[k * steps + t]),
        }
        let rep = net.step(&u).with_context(|| format!("step {t}"))?;
        rec.record(net, &rep);
        observe(t, net, &rep)?;
    }
    Ok(rec)
}
