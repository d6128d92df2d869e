//! The counting task of Lazar, Pipa & Triesch (2009): can a reservoir tell how many `b`s it has
//! seen?
//!
//! Per seed and word length `n`, one network ([`Config::lazar2009`] unless told otherwise) is
//! driven by the words `a b^n c` / `d e^n f` ([`CountingWords`]), each letter on its own pool of
//! 10 excitatory units ([`SymbolInput`]), through three phases on one input stream with no
//! reset: plasticity (the paper: 50,000 steps), readout training (5,000, frozen) and test
//! (5,000, frozen). A linear readout (ridge regression, with a bias) learns to predict the
//! letter shown at each step from the excitatory state `x(t)` before that letter arrived; on
//! the test steps the prediction is the readout's largest output. (Reading the input-free
//! drive `r(t+1)` instead, as some of the lab's code does, gives the same ranking with lower
//! control scores: docs/science.md.)
//!
//! Three conditions start from the same network and see the same letters: `sorn` (STDP, IP
//! and synaptic normalisation during the plasticity phase), `static` (nothing learns) and
//! `ip_only` (only intrinsic plasticity).
//!
//! [`Outcome::performance`] is the fraction of test letters predicted right, divided by the
//! best possible fraction `1 - 0.5 / (n + 2)` (the first letter of a word is a coin flip):
//! the normalisation the lab's own code attributes to the paper's Fig. 2. A reader that only
//! knows the current letter gets `(n + 0.5) / (n + 2)` before normalisation; counting shows in
//! [`Outcome::end_recall`], the fraction of word ends (`c`, `f`) predicted right, which such a
//! reader never gets.

use anyhow::{Context, bail};
use nalgebra::{DMatrix, DVector};
use neuroloop_core::sorn::{Config, CountingWords, Freeze, Mode, Phase, Rule, SymbolInput, SymbolSpec};

/// What learns in the plasticity phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Condition {
    /// STDP, IP and synaptic normalisation (the paper's SORN).
    Sorn,
    /// Nothing: the random initial reservoir.
    Static,
    /// Intrinsic plasticity only.
    IpOnly,
}

impl Condition {
    /// All three, in the order tables list them.
    pub const ALL: [Condition; 3] = [Condition::Sorn, Condition::Static, Condition::IpOnly];

    /// The name in `results.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Condition::Sorn => "sorn",
            Condition::Static => "static",
            Condition::IpOnly => "ip_only",
        }
    }

    /// The rules frozen during the plasticity phase.
    pub fn freeze(self) -> Freeze {
        match self {
            Condition::Sorn => Freeze::LAZAR2009,
            Condition::Static => Freeze::ALL,
            Condition::IpOnly => Freeze::from_bits(Freeze::ALL.bits() & !Freeze::NONE.with(Rule::Ip).bits()),
        }
    }
}

/// The experiment's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Protocol {
    /// The network (`nu` is its input width; the pools are drawn among those units).
    pub config: Config,
    /// Units per letter, and the input they get.
    pub pool_size: u16,
    /// Input added to a pool's units while its letter is shown.
    pub gain: f32,
    /// Steps with plasticity.
    pub plastic_steps: u64,
    /// Frozen steps whose states train the readout.
    pub train_steps: u64,
    /// Frozen steps the readout is scored on.
    pub test_steps: u64,
    /// Ridge penalty of the readout.
    pub ridge: f64,
}

impl Default for Protocol {
    /// The paper's protocol: 50,000 plastic steps, 5,000 to train the readout, 5,000 to test.
    fn default() -> Self {
        Protocol {
            config: Config::lazar2009(),
            pool_size: 10,
            gain: 1.0,
            plastic_steps: 50_000,
            train_steps: 5_000,
            test_steps: 5_000,
            ridge: 1e-2,
        }
    }
}

/// The result of one network.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// What learned.
    pub condition: Condition,
    /// Repeated letters per word.
    pub n: u16,
    /// The seed (network, pools and letters).
    pub seed: u64,
    /// Test accuracy divided by the best possible accuracy, `1 - 0.5 / (n + 2)`.
    pub performance: f64,
    /// Fraction of test letters predicted right.
    pub accuracy: f64,
    /// Fraction of word ends (`c`, `f`) predicted right.
    pub end_recall: f64,
    /// Mean excitatory rate over the test steps.
    pub rate: f64,
}

/// Salts that give the pools and the letters their own streams of the run's seed.
const POOL_SALT: u64 = 0x706f_6f6c_7300_0000;
const WORD_SALT: u64 = 0x776f_7264_7300_0000;

/// Runs one network through the three phases and scores its readout.
pub fn run(protocol: &Protocol, condition: Condition, n: u16, seed: u64) -> anyhow::Result<Outcome> {
    let cfg = &protocol.config;
    let spec = SymbolSpec { alphabet: CountingWords::ALPHABET, pool_size: protocol.pool_size, gain: protocol.gain };
    let pools = SymbolInput::new(spec, cfg.nu, seed ^ POOL_SALT, vec![0u16; spec.units()])?;
    let mut words = CountingWords::new(n, seed ^ WORD_SALT)?;
    let mut net = super::build(cfg, seed)?;
    let mut u = vec![0.0f32; cfg.nu as usize];
    let mut step = |net: &mut super::HostSorn| -> anyhow::Result<neuroloop_core::sorn::Letter> {
        let letter = words.next_letter();
        pools.write(letter.symbol, &mut u)?;
        net.step(&u)?;
        Ok(letter)
    };

    net.set_mode(Mode { phase: Phase::Plasticity, freeze: condition.freeze(), noise: true });
    for _ in 0..protocol.plastic_steps {
        step(&mut net)?;
    }
    net.set_mode(Mode { phase: Phase::Training, freeze: Freeze::ALL, noise: true });

    // Ridge regression over binary features: X^T X accumulates over the active units only.
    let ne = cfg.ne as usize;
    let dim = ne + 1; // + bias
    let classes = CountingWords::ALPHABET as usize;
    let mut xtx = DMatrix::<f64>::zeros(dim, dim);
    let mut xty = DMatrix::<f64>::zeros(dim, classes);
    let mut active = Vec::with_capacity(ne + 1);
    let features = |net: &super::HostSorn, active: &mut Vec<usize>| {
        active.clear();
        active.extend(net.x_prev().iter_ones());
        active.push(ne);
    };
    for _ in 0..protocol.train_steps {
        let letter = step(&mut net)?;
        features(&net, &mut active);
        for &i in &active {
            for &j in &active {
                xtx[(i, j)] += 1.0;
            }
            xty[(i, letter.symbol as usize)] += 1.0;
        }
    }
    for i in 0..dim {
        xtx[(i, i)] += protocol.ridge;
    }
    let chol = xtx.cholesky().context("the readout's ridge system is not positive definite (ridge must be > 0)")?;
    let w = chol.solve(&xty);

    let (mut right, mut ends, mut ends_right, mut spikes) = (0u64, 0u64, 0u64, 0u64);
    let mut score = DVector::<f64>::zeros(classes);
    for _ in 0..protocol.test_steps {
        let letter = step(&mut net)?;
        features(&net, &mut active);
        score.fill(0.0);
        for &i in &active {
            score += w.row(i).transpose();
        }
        let guess = score.imax();
        let ok = guess == letter.symbol as usize;
        right += u64::from(ok);
        if letter.position == n + 1 {
            ends += 1;
            ends_right += u64::from(ok);
        }
        spikes += net.x().count_ones() as u64;
    }
    let steps = protocol.test_steps.max(1) as f64;
    let accuracy = right as f64 / steps;
    Ok(Outcome {
        condition,
        n,
        seed,
        performance: accuracy / (1.0 - 0.5 / (f64::from(n) + 2.0)),
        accuracy,
        end_recall: if ends == 0 { 0.0 } else { ends_right as f64 / ends as f64 },
        rate: spikes as f64 / steps / ne as f64,
    })
}

/// Checks a protocol before hours of work start.
pub fn check(protocol: &Protocol, ns: &[u16]) -> anyhow::Result<()> {
    protocol.config.validate().context("the network config")?;
    if ns.is_empty() {
        bail!("--n lists no word length");
    }
    if let Some(bad) = ns.iter().find(|&&n| n == 0) {
        bail!("--n {bad}: words need at least 1 repeated letter");
    }
    if protocol.train_steps == 0 || protocol.test_steps == 0 {
        bail!("the readout needs training and test steps (both > 0)");
    }
    if !(protocol.ridge > 0.0 && protocol.ridge.is_finite()) {
        bail!("--ridge {}: must be a finite number > 0", protocol.ridge);
    }
    let spec = SymbolSpec { alphabet: CountingWords::ALPHABET, pool_size: protocol.pool_size, gain: protocol.gain };
    SymbolInput::new(spec, protocol.config.nu, 0, vec![0u16; spec.units()])?;
    Ok(())
}

/// Mean, standard deviation and the 16th and 84th percentiles (the lab's error bars).
pub fn spread(values: &[f64]) -> (f64, f64, f64, f64) {
    let k = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / k;
    let sd = (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / k).sqrt();
    let mut s = values.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |q: f64| {
        if s.is_empty() {
            return f64::NAN;
        }
        // Linear interpolation between order statistics (numpy's default).
        let pos = q * (s.len() - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
    };
    (mean, sd, at(0.16), at(0.84))
}

/// One network of the experiment: which condition, word length and seed.
pub type Job = (Condition, u16, u64);

/// Every (condition, n, seed) of an experiment, in the table's order.
pub fn jobs(conditions: &[Condition], ns: &[u16], seeds: &[u64]) -> Vec<Job> {
    let mut jobs = Vec::with_capacity(conditions.len() * ns.len() * seeds.len());
    for &c in conditions {
        for &n in ns {
            jobs.extend(seeds.iter().map(|&s| (c, n, s)));
        }
    }
    jobs
}

/// Runs every job on rayon's threads (each network is independent and deterministic, so the
/// results do not depend on the thread count); `done` is called after each.
pub fn run_all(protocol: &Protocol, jobs: &[Job], done: &(dyn Fn() + Sync)) -> anyhow::Result<Vec<Outcome>> {
    use rayon::prelude::*;
    jobs.par_iter()
        .map(|&(c, n, seed)| {
            let o = run(protocol, c, n, seed).with_context(|| format!("{} n = {n} seed {seed}", c.name()));
            done();
            o
        })
        .collect()
}

/// `results.csv`: `condition,n,seed,performance`, one row per network.
pub fn results_csv(outcomes: &[Outcome]) -> String {
    let mut s = String::from("condition,n,seed,performance\n");
    for o in outcomes {
        s += &format!("{},{},{},{}\n", o.condition.name(), o.n, o.seed, o.performance);
    }
    s
}

/// `metrics.csv`: every measure of every network.
pub fn metrics_csv(outcomes: &[Outcome]) -> String {
    let mut s = String::from("condition,n,seed,performance,accuracy,end_recall,rate\n");
    for o in outcomes {
        s += &format!(
            "{},{},{},{},{},{},{}\n",
            o.condition.name(),
            o.n,
            o.seed,
            o.performance,
            o.accuracy,
            o.end_recall,
            o.rate
        );
    }
    s
}

/// One measure at one n, over seeds.
#[derive(Clone, Copy, Debug)]
struct Point {
    n: f64,
    mean: f64,
    sd: f64,
    /// 16th percentile.
    lo: f64,
    /// 84th percentile.
    hi: f64,
}

impl Point {
    /// As a band of [`crate::figures::bands`]: `(x, mean, low, high)`.
    fn band(self) -> (f64, f64, f64, f64) {
        (self.n, self.mean, self.lo, self.hi)
    }
}

/// The word lengths of an experiment, ascending.
fn word_lengths(outcomes: &[Outcome]) -> Vec<u16> {
    let mut ns: Vec<u16> = outcomes.iter().map(|o| o.n).collect();
    ns.sort_unstable();
    ns.dedup();
    ns
}

/// Per condition: the [`Point`] of `measure` at each n.
fn curves(outcomes: &[Outcome], measure: fn(&Outcome) -> f64) -> Vec<(Condition, Vec<Point>)> {
    let ns = word_lengths(outcomes);
    Condition::ALL
        .into_iter()
        .filter(|c| outcomes.iter().any(|o| o.condition == *c))
        .map(|c| {
            let pts = ns
                .iter()
                .map(|&n| {
                    let v: Vec<f64> = outcomes.iter().filter(|o| o.condition == c && o.n == n).map(measure).collect();
                    let (mean, sd, lo, hi) = spread(&v);
                    Point { n: f64::from(n), mean, sd, lo, hi }
                })
                .collect();
            (c, pts)
        })
        .collect()
}

/// The figures: performance and word-end recall against n, mean and 16th-84th percentile band
/// over seeds, one line per condition, with the memoryless and perfect readers dashed.
pub fn figures(dir: &std::path::Path, outcomes: &[Outcome]) -> anyhow::Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    let memoryless: Vec<(f64, f64)> = word_lengths(outcomes)
        .iter()
        .map(|&n| {
            let n = f64::from(n);
            (n, ((n + 0.5) / (n + 2.0)) / (1.0 - 0.5 / (n + 2.0)))
        })
        .collect();
    let bands = |m: fn(&Outcome) -> f64| -> Vec<crate::figures::Band> {
        curves(outcomes, m)
            .into_iter()
            .map(|(c, pts)| crate::figures::Band {
                name: c.name().to_string(),
                points: pts.into_iter().map(Point::band).collect(),
                dashed: false,
            })
            .collect()
    };
    for ext in ["png", "svg"] {
        let mut perf = bands(|o| o.performance);
        perf.push(crate::figures::Band {
            name: "reads the current letter only".into(),
            points: memoryless.iter().map(|&(n, v)| (n, v, v, v)).collect(),
            dashed: true,
        });
        let end = bands(|o| o.end_recall);
        let plots = [
            (
                "performance",
                "Counting task: next-letter prediction (Lazar et al. 2009)",
                "performance (accuracy / best possible)",
                &perf,
            ),
            ("end_recall", "Counting task: word ends (c, f) predicted", "fraction of word ends predicted", &end),
        ];
        for (name, title, y_label, lines) in plots {
            let p = dir.join(format!("{name}.{ext}"));
            crate::figures::bands(&p, title, "n (repeated letters per word)", y_label, lines)?;
            written.push(p);
        }
    }
    Ok(written)
}

/// `report.md`: the protocol, the table (mean +- sd and the 16th-84th percentiles over seeds)
/// and the checks the paper's result implies.
pub fn report(protocol: &Protocol, outcomes: &[Outcome], seconds: f64) -> String {
    use std::fmt::Write;
    let perf = curves(outcomes, |o| o.performance);
    let recall = curves(outcomes, |o| o.end_recall);
    let seeds = {
        let mut s: Vec<u64> = outcomes.iter().map(|o| o.seed).collect();
        s.sort_unstable();
        s.dedup();
        s.len()
    };
    let c = &protocol.config;
    let mut r = String::new();
    let _ = writeln!(r, "# Counting task (Lazar, Pipa & Triesch 2009)\n");
    let _ = writeln!(
        r,
        "{} networks ({seeds} seeds per point) in {seconds:.0} s. Network: N_E {}, N_I {}, lambda_ee {}, eta_stdp {}, eta_ip {}, h_ip {}, \
         fast inhibition {}; {} units per letter, gain {}. Phases: {} plastic steps, {} frozen steps to train the readout \
         (ridge {}), {} frozen test steps.\n",
        outcomes.len(),
        c.ne,
        c.ni,
        c.lambda_ee,
        c.eta_stdp,
        c.eta_ip,
        c.h_ip(),
        c.fast_inhibition,
        protocol.pool_size,
        protocol.gain,
        protocol.plastic_steps,
        protocol.train_steps,
        protocol.ridge,
        protocol.test_steps
    );
    let _ = writeln!(
        r,
        "performance = next-letter accuracy on the test steps / the best possible, 1 - 0.5/(n+2). \
         A reader of the current letter alone scores (n+0.5)/(n+2) before normalisation (column `memoryless`). \
         end recall = fraction of word ends (c, f) predicted: 0 without counting.\n"
    );
    let mut head = String::from("| n | memoryless |");
    let mut rule = String::from("|---|---|");
    for (c, _) in &perf {
        head += &format!(" {} performance | {} end recall |", c.name(), c.name());
        rule += "---|---|";
    }
    let _ = writeln!(r, "{head}\n{rule}");
    let npts = perf.first().map_or(0, |p| p.1.len());
    for k in 0..npts {
        let n = perf[0].1[k].n;
        let mem = ((n + 0.5) / (n + 2.0)) / (1.0 - 0.5 / (n + 2.0));
        let mut row = format!("| {n} | {mem:.3} |");
        for ((_, p), (_, e)) in perf.iter().zip(&recall) {
            let (p, e) = (p[k], e[k]);
            row +=
                &format!(" {:.3} +- {:.3} [{:.3}, {:.3}] | {:.3} +- {:.3} |", p.mean, p.sd, p.lo, p.hi, e.mean, e.sd);
        }
        let _ = writeln!(r, "{row}");
    }
    // The paper's qualitative result, checked on the means.
    let get = |cond: Condition| perf.iter().find(|(c, _)| *c == cond).map(|(_, p)| p);
    if let (Some(s), Some(st), Some(ip)) = (get(Condition::Sorn), get(Condition::Static), get(Condition::IpOnly)) {
        let _ = writeln!(r, "\n## Checks\n");
        let above: Vec<String> = s
            .iter()
            .zip(st.iter().zip(ip))
            .filter(|(a, (b, c))| a.mean <= b.mean || a.mean <= c.mean)
            .map(|(a, _)| format!("{}", a.n))
            .collect();
        let _ = writeln!(
            r,
            "- SORN's mean performance above both controls at every n: {}",
            if above.is_empty() { "yes".to_string() } else { format!("no (not at n = {})", above.join(", ")) }
        );
        let gaps: Vec<String> = s
            .iter()
            .zip(st.iter().zip(ip))
            .map(|(a, (b, c))| format!("n {}: {:+.3}", a.n, a.mean - b.mean.max(c.mean)))
            .collect();
        let _ = writeln!(r, "- SORN minus the better control, performance: {}", gaps.join(", "));
        let rs = recall.iter().find(|(c, _)| *c == Condition::Sorn).map(|(_, p)| p);
        let others: Vec<_> = recall.iter().filter(|(c, _)| *c != Condition::Sorn).collect();
        if let Some(rs) = rs {
            let gaps: Vec<String> = rs
                .iter()
                .enumerate()
                .map(|(k, a)| {
                    let best = others.iter().map(|(_, p)| p[k].mean).fold(0.0, f64::max);
                    format!("n {}: {:+.3}", a.n, a.mean - best)
                })
                .collect();
            let _ = writeln!(r, "- SORN minus the better control, end recall: {}", gaps.join(", "));
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> Protocol {
        Protocol { plastic_steps: 3_000, train_steps: 1_000, test_steps: 1_000, ..Protocol::default() }
    }

    #[test]
    fn conditions_freeze_what_they_say() {
        assert!(!Condition::Sorn.freeze().contains(Rule::Stdp));
        assert!(Condition::Static.freeze().rules().count() == 5);
        let ip = Condition::IpOnly.freeze();
        assert!(!ip.contains(Rule::Ip) && ip.rules().count() == 4);
    }

    #[test]
    fn a_run_is_reproducible_and_beats_the_memoryless_reader_at_small_n() {
        let p = quick();
        let a = run(&p, Condition::Sorn, 2, 3).unwrap();
        assert_eq!(a, run(&p, Condition::Sorn, 2, 3).unwrap());
        // n = 2: a reader of the current letter alone gets (2.5/4) / (7/8) = 0.714.
        assert!(a.performance > 0.8, "{a:?}");
        assert!(a.performance < 1.1 && a.end_recall > 0.5, "{a:?}");
    }

    #[test]
    fn spread_matches_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [16, 84]) = [1.64, 6.16]
        let (m, sd, lo, hi) = spread(&[4.0, 1.0, 10.0, 2.0, 3.0]);
        assert!((m - 4.0).abs() < 1e-12 && (sd - 10f64.sqrt()).abs() < 1e-12);
        assert!((lo - 1.64).abs() < 1e-12 && (hi - 6.16).abs() < 1e-12, "{lo} {hi}");
    }

    #[test]
    fn bad_protocols_are_refused_up_front() {
        let p = Protocol::default();
        assert!(check(&p, &[]).is_err());
        assert!(check(&p, &[4, 0]).unwrap_err().to_string().contains("--n 0"));
        let narrow = Protocol { config: Config { nu: 50, ..Config::lazar2009() }, ..Protocol::default() };
        assert!(format!("{:#}", check(&narrow, &[4]).unwrap_err()).contains("do not fit in 50"));
        assert!(check(&Protocol { ridge: 0.0, ..p }, &[4]).is_err());
    }
}
