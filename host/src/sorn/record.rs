//! Recorders for every callback of the Python package, with bounded memory.
//!
//! | recorder (package name) | what is kept per step | storage |
//! |---|---|---|
//! | `ExcitatoryActivation`, `InhibitoryActivation`, `RecurrentActivation` | x(t+1), y(t+1), r(t+1) | bit-packed rasters ([`Raster`]) |
//! | `WEE`, `WEI` | the weights after the step's plasticity | sparse `(pre, post, w)` lists, every `every`-th step |
//! | `TE`, `TI` | the thresholds after the step | every `every`-th step |
//! | `EEConnectionCounts`, `EIConnectionCounts` | E->E / I->E synapse count after the step (before it with `counts_before_step`, as the package) | one `u32` per step |
//!
//! [`RecordSpec::bytes_needed`] bounds the memory before the run starts; a run whose recordings
//! would exceed the budget is refused with an error that says by how much (spec oddity #20: the
//! package keeps every step's matrices, ~0.4 MB per step).
//!
//! Recordings export to `.npy` (numpy reads them: `np.load`) with the package's shapes and
//! orientation (`[pre][post]` weights), and to CSV.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use neuroloop_core::bits::words_for;
use neuroloop_core::sorn::{Config, Layout, StepReport};
use npyz::WriterBuilder;

use super::{HostSorn, Raster};

/// One of the package's callbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recorder {
    /// Excitatory spikes x(t+1).
    ExcitatoryActivation,
    /// Inhibitory spikes y(t+1).
    InhibitoryActivation,
    /// Excitatory drive without input, thresholded, r(t+1).
    RecurrentActivation,
    /// E->E weights.
    Wee,
    /// I->E weights.
    Wei,
    /// Excitatory thresholds.
    Te,
    /// Inhibitory thresholds.
    Ti,
    /// E->E synapse counts.
    EeConnectionCounts,
    /// I->E synapse counts.
    EiConnectionCounts,
}

impl Recorder {
    /// Every recorder.
    pub const ALL: [Recorder; 9] = [
        Recorder::ExcitatoryActivation,
        Recorder::InhibitoryActivation,
        Recorder::RecurrentActivation,
        Recorder::Wee,
        Recorder::Wei,
        Recorder::Te,
        Recorder::Ti,
        Recorder::EeConnectionCounts,
        Recorder::EiConnectionCounts,
    ];

    /// The package's callback name (also the exported file's stem).
    pub const fn name(self) -> &'static str {
        match self {
            Recorder::ExcitatoryActivation => "ExcitatoryActivation",
            Recorder::InhibitoryActivation => "InhibitoryActivation",
            Recorder::RecurrentActivation => "RecurrentActivation",
            Recorder::Wee => "WEE",
            Recorder::Wei => "WEI",
            Recorder::Te => "TE",
            Recorder::Ti => "TI",
            Recorder::EeConnectionCounts => "EEConnectionCounts",
            Recorder::EiConnectionCounts => "EIConnectionCounts",
        }
    }
}

impl FromStr for Recorder {
    type Err = RecordError;

    /// ```
    /// use neuroloop_host::sorn::record::Recorder;
    /// assert_eq!("WEE".parse::<Recorder>().unwrap(), Recorder::Wee);
    /// assert!("WIE".parse::<Recorder>().is_err()); // in the package's README, not in the package
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Recorder::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| RecordError::UnknownRecorder(s.to_string()))
    }
}

/// Every file name the exports of [`Recordings`] can write into a segment's folder.
pub fn files() -> Vec<String> {
    let mut f: Vec<String> = Recorder::ALL
        .iter()
        .flat_map(|r| [format!("{}.npy", r.name()), format!("{}_steps.npy", r.name()), format!("{}.csv", r.name())])
        .collect();
    let csv = ["spikes_excitatory.csv", "spikes_inhibitory.csv", "spikes_recurrent.csv", "connection_counts.csv"];
    f.extend(csv.map(String::from));
    f
}

/// What to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSpec {
    /// The recorders, each once.
    pub recorders: Vec<Recorder>,
    /// Weight and threshold recorders keep every `every`-th step (1 = all).
    pub every: u64,
    /// Largest memory the recordings may take, bytes.
    pub budget_bytes: u64,
    /// Connection counts before the step's plasticity, as the package records them (oddity #18).
    pub counts_before_step: bool,
}

impl Default for RecordSpec {
    fn default() -> Self {
        RecordSpec { recorders: Vec::new(), every: 1, budget_bytes: 1 << 30, counts_before_step: false }
    }
}

/// A recording problem.
#[derive(Debug)]
pub enum RecordError {
    /// Not one of the package's callback names.
    UnknownRecorder(String),
    /// The sampling interval is 0.
    ZeroInterval,
    /// The recordings would not fit the budget.
    OverBudget {
        /// Bytes the recordings would need.
        needed: u64,
        /// The budget.
        budget: u64,
    },
    /// Writing an export failed.
    Io(std::io::Error),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::UnknownRecorder(s) => {
                let names: Vec<_> = Recorder::ALL.iter().map(|r| r.name()).collect();
                write!(f, "unknown recorder {s:?}: recorders are {}", names.join(", "))
            }
            RecordError::ZeroInterval => f.write_str("the recording interval must be at least 1 step"),
            RecordError::OverBudget { needed, budget } => write!(
                f,
                "the recordings would need {:.1} MB but the budget is {:.1} MB: record fewer callbacks, sample weights less often, or raise the budget",
                *needed as f64 / 1e6,
                *budget as f64 / 1e6
            ),
            RecordError::Io(e) => write!(f, "writing recordings: {e}"),
        }
    }
}

impl std::error::Error for RecordError {}

impl From<std::io::Error> for RecordError {
    fn from(e: std::io::Error) -> Self {
        RecordError::Io(e)
    }
}

impl RecordSpec {
    /// Parses a comma-separated list of callback names (`all` for every recorder).
    ///
    /// ```
    /// use neuroloop_host::sorn::record::{RecordSpec, Recorder};
    /// let spec = RecordSpec::parse_list("ExcitatoryActivation,WEE").unwrap();
    /// assert_eq!(spec.recorders, [Recorder::ExcitatoryActivation, Recorder::Wee]);
    /// ```
    pub fn parse_list(list: &str) -> Result<RecordSpec, RecordError> {
        let mut recorders = Vec::new();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if name == "all" {
                recorders.extend(Recorder::ALL);
            } else {
                recorders.push(name.parse()?);
            }
        }
        recorders.sort();
        recorders.dedup();
        Ok(RecordSpec { recorders, ..RecordSpec::default() })
    }

    fn has(&self, r: Recorder) -> bool {
        self.recorders.contains(&r)
    }

    /// An upper bound of the memory the recordings of `steps` steps of a network with `cfg` take.
    ///
    /// ```
    /// use neuroloop_core::sorn::Config;
    /// use neuroloop_host::sorn::record::RecordSpec;
    /// let spec = RecordSpec::parse_list("ExcitatoryActivation").unwrap();
    /// // 7 words of 4 bytes per step for N_E = 200.
    /// assert_eq!(spec.bytes_needed(&Config::DEFAULT, 1000), 28_000);
    /// ```
    pub fn bytes_needed(&self, cfg: &Config, steps: u64) -> u64 {
        // Saturating: a count from the command line must not wrap below the budget.
        let l = Layout::new(cfg);
        let (ne, ni) = (u64::from(cfg.ne), u64::from(cfg.ni));
        let samples = steps.div_ceil(self.every.max(1));
        let raster = |n: u64| steps.saturating_mul(4 * words_for(n as usize) as u64);
        let sampled = |per: u64| samples.saturating_mul(per.saturating_add(8));
        self.recorders
            .iter()
            .map(|r| match r {
                Recorder::ExcitatoryActivation | Recorder::RecurrentActivation => raster(ne),
                Recorder::InhibitoryActivation => raster(ni),
                Recorder::Wee => sampled((l.ee_capacity as u64).saturating_mul(8)),
                Recorder::Wei => sampled((l.ei_capacity as u64).saturating_mul(8)),
                Recorder::Te => sampled(4 * ne),
                Recorder::Ti => sampled(4 * ni),
                Recorder::EeConnectionCounts | Recorder::EiConnectionCounts => steps.saturating_mul(4),
            })
            .fold(0u64, u64::saturating_add)
    }
}

/// A sampled weight matrix: the step it was taken after, and its synapses `(pre, post, w)`.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightSample {
    /// Network step count when sampled.
    pub step: u64,
    /// Every synapse.
    pub synapses: Vec<(u16, u16, f32)>,
}

/// A sampled vector (thresholds).
#[derive(Clone, Debug, PartialEq)]
pub struct VectorSample {
    /// Network step count when sampled.
    pub step: u64,
    /// The values.
    pub values: Vec<f32>,
}

/// What the recorders collected.
#[derive(Clone, Debug, PartialEq)]
pub struct Recordings {
    /// What was asked for.
    pub spec: RecordSpec,
    /// Network sizes.
    pub ne: usize,
    /// Inhibitory units.
    pub ni: usize,
    /// Network step count of the first recorded step.
    pub first_step: u64,
    /// x(t+1) per step.
    pub excitatory: Option<Raster>,
    /// y(t+1) per step.
    pub inhibitory: Option<Raster>,
    /// r(t+1) per step.
    pub recurrent: Option<Raster>,
    /// E->E weights.
    pub wee: Vec<WeightSample>,
    /// I->E weights.
    pub wei: Vec<WeightSample>,
    /// T_E samples.
    pub te: Vec<VectorSample>,
    /// T_I samples.
    pub ti: Vec<VectorSample>,
    /// E->E counts per step.
    pub ee_counts: Vec<u32>,
    /// I->E counts per step.
    pub ei_counts: Vec<u32>,
}

impl Recordings {
    /// Empty recordings for `steps` steps of `net`; refuses a spec over its budget.
    pub fn new(spec: RecordSpec, net: &HostSorn, steps: u64) -> Result<Recordings, RecordError> {
        if spec.every == 0 {
            return Err(RecordError::ZeroInterval);
        }
        let cfg = net.config();
        let needed = spec.bytes_needed(cfg, steps);
        if needed > spec.budget_bytes {
            return Err(RecordError::OverBudget { needed, budget: spec.budget_bytes });
        }
        let (ne, ni) = (cfg.ne as usize, cfg.ni as usize);
        // Within the budget checked above, so the capacities are sizes that fit in memory.
        let steps = usize::try_from(steps).unwrap_or(usize::MAX);
        let raster = |r: Recorder, n: usize| spec.has(r).then(|| Raster::with_capacity(n, steps));
        let counts = |r: Recorder| if spec.has(r) { Vec::with_capacity(steps) } else { Vec::new() };
        Ok(Recordings {
            excitatory: raster(Recorder::ExcitatoryActivation, ne),
            inhibitory: raster(Recorder::InhibitoryActivation, ni),
            recurrent: raster(Recorder::RecurrentActivation, ne),
            ee_counts: counts(Recorder::EeConnectionCounts),
            ei_counts: counts(Recorder::EiConnectionCounts),
            wee: Vec::new(),
            wei: Vec::new(),
            te: Vec::new(),
            ti: Vec::new(),
            first_step: net.counters().steps + 1,
            ne,
            ni,
            spec,
        })
    }

    /// Records the step `net` just took (`rep` is what it returned).
    pub fn record(&mut self, net: &HostSorn, rep: &StepReport) {
        if let Some(r) = &mut self.excitatory {
            r.push_words(net.x().words());
        }
        if let Some(r) = &mut self.inhibitory {
            r.push_words(net.y().words());
        }
        if let Some(r) = &mut self.recurrent {
            r.push_words(net.r().words());
        }
        // Before the step's plasticity: the count now, minus what the rules created, plus what
        // they pruned.
        let before = self.spec.counts_before_step;
        let r = &rep.rules;
        if self.spec.has(Recorder::EeConnectionCounts) {
            let now = net.ee_count();
            self.ee_counts.push(if before { now + r.ee_pruned - r.sp_created } else { now });
        }
        if self.spec.has(Recorder::EiConnectionCounts) {
            let now = net.ei_count();
            self.ei_counts.push(if before { now + r.ei_pruned } else { now });
        }
        let step = net.counters().steps;
        if !(step + 1 - self.first_step).is_multiple_of(self.spec.every) {
            return;
        }
        // Row slices into a Vec of the right size: the recording of 200 weight matrices is
        // then a copy, not a walk through a nested iterator with regrowing storage.
        let sample = |m: neuroloop_core::sorn::Synapses<'_>| {
            let mut synapses = Vec::with_capacity(m.len());
            for pre in 0..m.n_pre() {
                let (posts, w) = m.outgoing(pre);
                synapses.extend(posts.iter().zip(w).map(|(&post, &w)| (pre as u16, post, w)));
            }
            WeightSample { step, synapses }
        };
        if self.spec.has(Recorder::Wee) {
            self.wee.push(sample(net.wee()));
        }
        if self.spec.has(Recorder::Wei) {
            self.wei.push(sample(net.wei()));
        }
        if self.spec.has(Recorder::Te) {
            self.te.push(VectorSample { step, values: net.te().to_vec() });
        }
        if self.spec.has(Recorder::Ti) {
            self.ti.push(VectorSample { step, values: net.ti().to_vec() });
        }
    }

    /// Writes one `.npy` file per recorder into `dir` (created if needed): rasters as `u8`
    /// `(T, N)`, weights as `f32` `(k, N_pre, N_post)` with the sampled steps in `<name>_steps.npy`,
    /// thresholds as `f32` `(k, N)`, counts as `u32` `(T,)`. Returns the files written.
    pub fn write_npy(&self, dir: &Path) -> Result<Vec<PathBuf>, RecordError> {
        std::fs::create_dir_all(dir)?;
        let mut files = Vec::new();
        let mut file = |name: &str| -> std::io::Result<(PathBuf, std::io::BufWriter<std::fs::File>)> {
            let p = dir.join(format!("{name}.npy"));
            files.push(p.clone());
            Ok((p.clone(), std::io::BufWriter::new(std::fs::File::create(p)?)))
        };
        for (rec, raster) in [
            (Recorder::ExcitatoryActivation, &self.excitatory),
            (Recorder::InhibitoryActivation, &self.inhibitory),
            (Recorder::RecurrentActivation, &self.recurrent),
        ] {
            if let Some(r) = raster {
                let (_, f) = file(rec.name())?;
                let mut w = npyz::WriteOptions::new()
                    .default_dtype()
                    .shape(&[r.steps() as u64, r.units() as u64])
                    .writer(f)
                    .begin_nd()?;
                for t in 0..r.steps() {
                    for i in 0..r.units() {
                        w.push(&u8::from(r.get(t, i)))?;
                    }
                }
                w.finish()?;
            }
        }
        for (rec, samples, n_pre) in [(Recorder::Wee, &self.wee, self.ne), (Recorder::Wei, &self.wei, self.ni)] {
            if !self.spec.has(rec) {
                continue;
            }
            let (_, f) = file(rec.name())?;
            let shape = [samples.len() as u64, n_pre as u64, self.ne as u64];
            let mut w = npyz::WriteOptions::new().default_dtype().shape(&shape).writer(f).begin_nd()?;
            let mut dense = vec![0.0f32; n_pre * self.ne];
            for s in samples {
                dense.fill(0.0);
                for &(pre, post, v) in &s.synapses {
                    dense[pre as usize * self.ne + post as usize] = v;
                }
                w.extend(dense.iter().copied())?;
            }
            w.finish()?;
            write_steps(&mut file, rec, samples.iter().map(|s| s.step))?;
        }
        for (rec, samples, n) in [(Recorder::Te, &self.te, self.ne), (Recorder::Ti, &self.ti, self.ni)] {
            if !self.spec.has(rec) {
                continue;
            }
            let (_, f) = file(rec.name())?;
            let mut w = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&[samples.len() as u64, n as u64])
                .writer(f)
                .begin_nd()?;
            for s in samples {
                w.extend(s.values.iter().copied())?;
            }
            w.finish()?;
            write_steps(&mut file, rec, samples.iter().map(|s| s.step))?;
        }
        for (rec, counts) in
            [(Recorder::EeConnectionCounts, &self.ee_counts), (Recorder::EiConnectionCounts, &self.ei_counts)]
        {
            if !self.spec.has(rec) {
                continue;
            }
            let (_, f) = file(rec.name())?;
            let mut w = npyz::WriteOptions::new().default_dtype().shape(&[counts.len() as u64]).writer(f).begin_nd()?;
            w.extend(counts.iter().copied())?;
            w.finish()?;
        }
        Ok(files)
    }

    /// Writes CSV files into `dir`: `spikes_<population>.csv` (`step,unit` per spike),
    /// `<WEE|WEI>.csv` (`step,pre,post,w`), `<TE|TI>.csv` (`step,unit,value`) and
    /// `connection_counts.csv` (`step,ee,ei`). Steps are the network's step counts.
    pub fn write_csv(&self, dir: &Path) -> Result<Vec<PathBuf>, RecordError> {
        std::fs::create_dir_all(dir)?;
        let mut files = Vec::new();
        let mut open = |name: &str, header: &[&str]| -> Result<csv::Writer<std::fs::File>, RecordError> {
            let p = dir.join(name);
            files.push(p.clone());
            let mut w = csv::Writer::from_path(p).map_err(csv_error)?;
            w.write_record(header).map_err(csv_error)?;
            Ok(w)
        };
        for (name, raster) in [
            ("spikes_excitatory.csv", &self.excitatory),
            ("spikes_inhibitory.csv", &self.inhibitory),
            ("spikes_recurrent.csv", &self.recurrent),
        ] {
            if let Some(r) = raster {
                let mut f = open(name, &["step", "unit"])?;
                for t in 0..r.steps() {
                    let step = self.first_step + t as u64;
                    for i in (0..r.units()).filter(|&i| r.get(t, i)) {
                        f.serialize((step, i)).map_err(csv_error)?;
                    }
                }
                f.flush()?;
            }
        }
        for (rec, samples) in [(Recorder::Wee, &self.wee), (Recorder::Wei, &self.wei)] {
            if self.spec.has(rec) {
                let mut f = open(&format!("{}.csv", rec.name()), &["step", "pre", "post", "w"])?;
                for s in samples {
                    for &(pre, post, w) in &s.synapses {
                        f.serialize((s.step, pre, post, w)).map_err(csv_error)?;
                    }
                }
                f.flush()?;
            }
        }
        for (rec, samples) in [(Recorder::Te, &self.te), (Recorder::Ti, &self.ti)] {
            if self.spec.has(rec) {
                let mut f = open(&format!("{}.csv", rec.name()), &["step", "unit", "value"])?;
                for s in samples {
                    for (i, v) in s.values.iter().enumerate() {
                        f.serialize((s.step, i, v)).map_err(csv_error)?;
                    }
                }
                f.flush()?;
            }
        }
        let (ee, ei) = (self.spec.has(Recorder::EeConnectionCounts), self.spec.has(Recorder::EiConnectionCounts));
        if ee || ei {
            let mut f = open("connection_counts.csv", &["step", "ee", "ei"])?;
            let n = self.ee_counts.len().max(self.ei_counts.len());
            for t in 0..n {
                let row = (self.first_step + t as u64, self.ee_counts.get(t), self.ei_counts.get(t));
                f.serialize(row).map_err(csv_error)?;
            }
            f.flush()?;
        }
        Ok(files)
    }
}

/// A CSV writer's error as a recording error.
fn csv_error(e: csv::Error) -> RecordError {
    RecordError::Io(std::io::Error::other(e))
}

fn write_steps(
    file: &mut impl FnMut(&str) -> std::io::Result<(PathBuf, std::io::BufWriter<std::fs::File>)>,
    rec: Recorder,
    steps: impl Iterator<Item = u64>,
) -> Result<(), RecordError> {
    let steps: Vec<u64> = steps.collect();
    let (_, f) = file(&format!("{}_steps", rec.name()))?;
    let mut w = npyz::WriteOptions::new().default_dtype().shape(&[steps.len() as u64]).writer(f).begin_nd()?;
    w.extend(steps)?;
    w.finish()?;
    Ok(())
}
