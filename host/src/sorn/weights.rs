//! The distribution of E->E weights after long runs: a log-normal fit over the established
//! synapses, a two-component Gaussian mixture on `log10 w`, and how well the log-normal fits.
//!
//! Zheng, Dimitrakakis & Triesch (2013) report log-normal-like distributions of SORN's E->E
//! weights over established synapses. Fitting every synapse instead is dominated by the young
//! and the dying ones: structural plasticity creates synapses at `w_sp` (0.001 by default) and
//! STDP removes them at 0, so `ln w` gets a long tail toward `ln w_sp` and below that a plain
//! fit turns into a sigma of 3 or more. So the log-normal is fitted above a floor
//! ([`DEFAULT_FLOOR_FACTOR`] times `w_sp`, 0.005 by default), and how many synapses lie below
//! it is reported with the fit. For a network, [`analyse_net`] also measures how much of the
//! spread of `log10 w` is the postsynaptic unit's in-degree ([`InDegreeShare`]): synaptic
//! normalisation makes each unit's incoming weights sum to 1.
//!
//! Everything here takes weights as `f64`s and returns a [`WeightsError`] on input it cannot
//! fit (empty, non-finite, negative, constant, too few above the floor); nothing panics.

use std::fmt;

use serde::Serialize;

use super::HostSorn;

/// The default floor is this many times the config's `w_sp`: 0.005 for the default network.
/// Structural plasticity creates synapses at `w_sp` = 0.001 and one STDP potentiation adds
/// `eta_stdp` = 0.004, so a synapse above 0.005 has been potentiated more than once; and
/// synaptic normalisation gives a unit's inputs about `1 / in-degree` each, which over 10^6
/// steps of the default network is at least 1 / 111 = 0.009, so the floor cuts no unit's
/// bulk (10 x `w_sp` = 0.01 does: 15 % of seed 1's synapses, onto units of in-degree
/// 80-106). docs/science.md, "E->E weight distribution", has the histograms.
pub const DEFAULT_FLOOR_FACTOR: f64 = 5.0;

/// The floor used when nothing says otherwise: `DEFAULT_FLOOR_FACTOR * w_sp`, with `w_sp`
/// read as the decimal it was written as (0.001, not the `f32`'s 0.0010000000475).
///
/// ```
/// assert_eq!(neuroloop_host::sorn::weights::default_floor(0.001), 0.005);
/// ```
pub fn default_floor(w_sp: f32) -> f64 {
    let w: f64 = w_sp.to_string().parse().unwrap_or(f64::from(w_sp));
    DEFAULT_FLOOR_FACTOR * w
}

/// The weights of a network's E->E synapses (those with a weight above 0), as `f64`s.
pub fn ee_weights(net: &HostSorn) -> Vec<f64> {
    net.wee().iter().map(|s| f64::from(s.w)).filter(|&w| w > 0.0).collect()
}

/// Weights a distribution cannot be fitted to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum WeightsError {
    /// No weights at all.
    Empty,
    /// A NaN or infinite weight.
    NotFinite {
        /// Its position in the input.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A negative weight (E->E weights are never negative).
    Negative {
        /// Its position in the input.
        index: usize,
        /// The value.
        value: f64,
    },
    /// A floor that is negative or not finite.
    BadFloor(f64),
    /// Fewer values above the floor than the fit has parameters and one more.
    TooFew {
        /// Values above the floor.
        above: usize,
        /// Values needed.
        needed: usize,
        /// The floor.
        floor: f64,
    },
    /// Every value fitted is the same: no spread to fit.
    Constant {
        /// The value.
        value: f64,
    },
}

impl fmt::Display for WeightsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WeightsError::Empty => f.write_str("no weights to fit"),
            WeightsError::NotFinite { index, value } => write!(f, "weight {index} is {value}: weights must be finite"),
            WeightsError::Negative { index, value } => {
                write!(f, "weight {index} is {value}: E->E weights are never negative")
            }
            WeightsError::BadFloor(v) => write!(f, "floor {v}: the floor must be finite and at least 0"),
            WeightsError::TooFew { above, needed, floor } => {
                write!(f, "{above} weights above the floor {floor}: the fit needs at least {needed}")
            }
            WeightsError::Constant { value } => {
                write!(f, "every weight fitted is {value}: a distribution needs some spread")
            }
        }
    }
}

impl std::error::Error for WeightsError {}

/// Checks weights: not empty, finite, not negative.
fn check(weights: &[f64]) -> Result<(), WeightsError> {
    if weights.is_empty() {
        return Err(WeightsError::Empty);
    }
    for (index, &value) in weights.iter().enumerate() {
        if !value.is_finite() {
            return Err(WeightsError::NotFinite { index, value });
        }
        if value < 0.0 {
            return Err(WeightsError::Negative { index, value });
        }
    }
    Ok(())
}

/// Mean and population standard deviation; [`WeightsError::Constant`] when the spread is 0.
fn mean_sd(xs: &[f64]) -> Result<(f64, f64), WeightsError> {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    let sd = v.sqrt();
    // Rounding leaves a tiny spread on equal values: compare with their size.
    if sd.is_nan() || sd <= 1e-12 * m.abs().max(1e-300) {
        return Err(WeightsError::Constant { value: xs[0] });
    }
    Ok((m, sd))
}

/// The complementary error function, `1 - erf(x)`, to a relative error below 1.2e-7 (the
/// Chebyshev fit of Numerical Recipes, `erfcc`).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// The standard normal distribution function.
///
/// ```
/// use neuroloop_host::sorn::weights::normal_cdf;
/// assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
/// assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
/// ```
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The normal density with mean `m` and standard deviation `sd` at `x`.
pub fn normal_pdf(x: f64, m: f64, sd: f64) -> f64 {
    let z = (x - m) / sd;
    (-0.5 * z * z).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt())
}

/// A log-normal fitted to the weights above a floor.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LogNormalFit {
    /// Weights at or below this were left out.
    pub floor: f64,
    /// Weights given (above and below the floor).
    pub synapses: usize,
    /// Of those, at or below the floor.
    pub below_floor: usize,
    /// `below_floor / synapses`.
    pub fraction_below: f64,
    /// Mean of `ln w` over the weights above the floor (the maximum-likelihood `mu`).
    pub mu: f64,
    /// Population standard deviation of `ln w` there (the maximum-likelihood `sigma`).
    pub sigma: f64,
    /// Kolmogorov-Smirnov distance between those weights and the fitted log-normal: the
    /// largest gap between the empirical and the fitted distribution function.
    pub ks: f64,
    /// The KS distance a sample of this size exceeds by chance 5 % of the time when it is
    /// drawn from the fitted distribution, `1.358 / sqrt(n)` (parameters known; fitted ones
    /// make the true threshold smaller still, so a `ks` above it is a clear misfit).
    pub ks_critical_5pct: f64,
}

impl LogNormalFit {
    /// Weights above the floor, the ones fitted.
    pub fn above_floor(&self) -> usize {
        self.synapses - self.below_floor
    }

    /// The fitted density of `log10 w` at `x` (a normal with mean `mu / ln 10` and sd
    /// `sigma / ln 10`), scaled by the share of synapses above the floor so it can be drawn
    /// over a histogram of every synapse.
    pub fn log10_density(&self, x: f64) -> f64 {
        let ln10 = std::f64::consts::LN_10;
        (1.0 - self.fraction_below) * normal_pdf(x, self.mu / ln10, self.sigma / ln10)
    }
}

/// Fits a log-normal to the weights above `floor` (the mean and standard deviation of their
/// logarithms) and measures the fit's Kolmogorov-Smirnov distance.
///
/// ```
/// use neuroloop_host::sorn::weights::lognormal_above;
/// let e = std::f64::consts::E;
/// // ln w = -1, 0, 1 above the floor (at least 3 are needed); the 0.001 is below it.
/// let fit = lognormal_above(&[0.001, 1.0 / e, 1.0, e], 0.01).unwrap();
/// assert!(fit.mu.abs() < 1e-12 && (fit.sigma - (2.0f64 / 3.0).sqrt()).abs() < 1e-12);
/// assert_eq!((fit.below_floor, fit.synapses), (1, 4));
/// assert!(lognormal_above(&[0.5, f64::NAN], 0.0).is_err());
/// ```
pub fn lognormal_above(weights: &[f64], floor: f64) -> Result<LogNormalFit, WeightsError> {
    check(weights)?;
    if !floor.is_finite() || floor < 0.0 {
        return Err(WeightsError::BadFloor(floor));
    }
    let mut logs: Vec<f64> = weights.iter().filter(|&&w| w > floor).map(|w| w.ln()).collect();
    if logs.len() < 3 {
        return Err(WeightsError::TooFew { above: logs.len(), needed: 3, floor });
    }
    let (mu, sigma) = mean_sd(&logs).map_err(|_| WeightsError::Constant { value: logs[0].exp() })?;
    logs.sort_unstable_by(f64::total_cmp);
    let n = logs.len() as f64;
    let mut ks = 0.0f64;
    for (i, &y) in logs.iter().enumerate() {
        let f = normal_cdf((y - mu) / sigma);
        ks = ks.max((i + 1) as f64 / n - f).max(f - i as f64 / n);
    }
    let below_floor = weights.len() - logs.len();
    Ok(LogNormalFit {
        floor,
        synapses: weights.len(),
        below_floor,
        fraction_below: below_floor as f64 / weights.len() as f64,
        mu,
        sigma,
        ks,
        ks_critical_5pct: 1.358 / n.sqrt(),
    })
}

/// One Gaussian of a [`Mixture`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Component {
    /// Its share of the values (the mixing weight).
    pub weight: f64,
    /// Mean.
    pub mean: f64,
    /// Standard deviation.
    pub sd: f64,
}

/// A two-component Gaussian mixture fitted by expectation-maximisation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Mixture {
    /// Values fitted.
    pub n: usize,
    /// The two components, the lower mean first.
    pub components: [Component; 2],
    /// Log-likelihood of the values under the mixture (natural log).
    pub log_likelihood: f64,
    /// Log-likelihood under one Gaussian (the values' mean and standard deviation).
    pub one_component_log_likelihood: f64,
    /// `log_likelihood - one_component_log_likelihood`: what the second component buys.
    pub gain: f64,
    /// BIC of one Gaussian minus BIC of the mixture (2 and 5 parameters): above ~10 the data
    /// prefer two components strongly.
    pub delta_bic: f64,
    /// EM iterations run.
    pub iterations: usize,
    /// Whether EM stopped because the log-likelihood stopped improving (rather than at the
    /// iteration limit).
    pub converged: bool,
}

impl Mixture {
    /// The mixture's density at `x`, times `scale`.
    pub fn density(&self, x: f64, scale: f64) -> f64 {
        self.components.iter().map(|c| self.component_density(c, x, scale)).sum()
    }

    /// One component's weighted density at `x`, times `scale`.
    pub fn component_density(&self, c: &Component, x: f64, scale: f64) -> f64 {
        scale * c.weight * normal_pdf(x, c.mean, c.sd)
    }
}

/// Iteration limit of [`mixture2`].
pub const EM_MAX_ITERATIONS: usize = 5000;

/// Fits two Gaussians to `xs` by expectation-maximisation, from a deterministic start: means
/// at the 25th and 75th percentiles, each standard deviation half the overall one, equal
/// weights. Stops when an iteration improves the log-likelihood by less than `1e-10` per
/// value, or after [`EM_MAX_ITERATIONS`]. Standard deviations are kept above `1e-3` of the
/// overall one, so a component cannot collapse onto a single value.
///
/// ```
/// use neuroloop_host::sorn::weights::mixture2;
/// let xs: Vec<f64> = (0..200).map(|i| if i % 2 == 0 { -2.0 } else { 2.0 } + 0.01 * (i % 7) as f64).collect();
/// let m = mixture2(&xs).unwrap();
/// assert!((m.components[0].mean + 1.97).abs() < 0.02 && (m.components[1].mean - 2.03).abs() < 0.02);
/// assert!(m.gain > 100.0);
/// ```
pub fn mixture2(xs: &[f64]) -> Result<Mixture, WeightsError> {
    if xs.is_empty() {
        return Err(WeightsError::Empty);
    }
    if let Some((index, &value)) = xs.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(WeightsError::NotFinite { index, value });
    }
    if xs.len() < 6 {
        return Err(WeightsError::TooFew { above: xs.len(), needed: 6, floor: f64::NEG_INFINITY });
    }
    let (m, sd) = mean_sd(xs)?;
    let n = xs.len() as f64;
    let ll1 = xs.iter().map(|&x| normal_pdf(x, m, sd).ln()).sum::<f64>();
    let mut sorted = xs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let q = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize];
    let min_sd = 1e-3 * sd;
    let mut c = [
        Component { weight: 0.5, mean: q(0.25), sd: sd / 2.0 },
        Component { weight: 0.5, mean: q(0.75), sd: sd / 2.0 },
    ];
    if c[0].mean == c[1].mean {
        // Over half the values are one number: start the components either side of it.
        c[0].mean = m - sd / 2.0;
        c[1].mean = m + sd / 2.0;
    }
    let mut resp = vec![0.0f64; xs.len()];
    let mut ll = f64::NEG_INFINITY;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < EM_MAX_ITERATIONS {
        iterations += 1;
        // E step: responsibilities of component 1, in logs so far tails do not underflow.
        let mut new_ll = 0.0;
        for (r, &x) in resp.iter_mut().zip(xs) {
            let a = c[0].weight.ln() + normal_pdf(x, c[0].mean, c[0].sd).ln();
            let b = c[1].weight.ln() + normal_pdf(x, c[1].mean, c[1].sd).ln();
            let top = a.max(b);
            let lse = top + ((a - top).exp() + (b - top).exp()).ln();
            new_ll += lse;
            *r = (b - lse).exp();
        }
        // M step.
        let n1: f64 = resp.iter().sum();
        let n0 = n - n1;
        if n0 < 1e-9 * n || n1 < 1e-9 * n {
            // One component took everything: the mixture is one Gaussian.
            ll = new_ll;
            converged = true;
            break;
        }
        let m0 = xs.iter().zip(&resp).map(|(x, r)| (1.0 - r) * x).sum::<f64>() / n0;
        let m1 = xs.iter().zip(&resp).map(|(x, r)| r * x).sum::<f64>() / n1;
        let v0 = xs.iter().zip(&resp).map(|(x, r)| (1.0 - r) * (x - m0) * (x - m0)).sum::<f64>() / n0;
        let v1 = xs.iter().zip(&resp).map(|(x, r)| r * (x - m1) * (x - m1)).sum::<f64>() / n1;
        c = [
            Component { weight: n0 / n, mean: m0, sd: v0.sqrt().max(min_sd) },
            Component { weight: n1 / n, mean: m1, sd: v1.sqrt().max(min_sd) },
        ];
        let improved = new_ll - ll;
        ll = new_ll;
        if improved.abs() < 1e-10 * n {
            converged = true;
            break;
        }
    }
    // The log-likelihood of the final parameters.
    let ll2 = xs
        .iter()
        .map(|&x| {
            (c[0].weight * normal_pdf(x, c[0].mean, c[0].sd) + c[1].weight * normal_pdf(x, c[1].mean, c[1].sd)).ln()
        })
        .sum::<f64>();
    let ll2 = if ll2.is_finite() { ll2 } else { ll };
    if c[0].mean > c[1].mean {
        c.swap(0, 1);
    }
    Ok(Mixture {
        n: xs.len(),
        components: c,
        log_likelihood: ll2,
        one_component_log_likelihood: ll1,
        gain: ll2 - ll1,
        delta_bic: (2.0 * n.ln() - 2.0 * ll1) - (5.0 * n.ln() - 2.0 * ll2),
        iterations,
        converged,
    })
}

/// How much of the spread of `log10 w` (above the floor) is which unit the synapse ends on:
/// synaptic normalisation makes a unit's incoming weights sum to 1, so a unit with `k` inputs
/// gives them about `1 / k` each.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct InDegreeShare {
    /// Pearson correlation of `log10 w` with `log10` of the postsynaptic unit's in-degree.
    pub corr_log_in_degree: f64,
    /// Standard deviation of `log10 w` about its postsynaptic unit's mean (pooled).
    pub within_unit_sd: f64,
    /// Standard deviation of the postsynaptic units' means of `log10 w` (over synapses);
    /// `within^2 + between^2` is the total variance.
    pub between_unit_sd: f64,
    /// Median in-degree of the postsynaptic units of the synapses the mixture assigns to its
    /// lower and its upper component (responsibility above one half).
    pub in_degree_median: [f64; 2],
}

/// [`InDegreeShare`] of synapses `(post, w)` (every synapse of the network: in-degrees count
/// them all) above `floor`, with `mixture` fitted to those; `None` when fewer than two
/// synapses are above the floor or their in-degrees or weights do not vary.
pub fn in_degree_share(synapses: &[(usize, f64)], floor: f64, mixture: &Mixture) -> Option<InDegreeShare> {
    let units = synapses.iter().map(|s| s.0 + 1).max()?;
    let mut k = vec![0usize; units];
    for s in synapses {
        k[s.0] += 1;
    }
    let above: Vec<(usize, f64)> =
        synapses.iter().filter(|s| s.1 > floor && s.1.is_finite()).map(|&(p, w)| (p, w.log10())).collect();
    if above.len() < 2 {
        return None;
    }
    let n = above.len() as f64;
    let lk: Vec<f64> = above.iter().map(|s| (k[s.0] as f64).log10()).collect();
    let lw: Vec<f64> = above.iter().map(|s| s.1).collect();
    let (mw, mk) = (lw.iter().sum::<f64>() / n, lk.iter().sum::<f64>() / n);
    let cov: f64 = lw.iter().zip(&lk).map(|(a, b)| (a - mw) * (b - mk)).sum();
    let vw: f64 = lw.iter().map(|a| (a - mw) * (a - mw)).sum();
    let vk: f64 = lk.iter().map(|b| (b - mk) * (b - mk)).sum();
    if vw <= 0.0 || vk <= 0.0 {
        return None;
    }
    let (mut sum, mut cnt) = (vec![0.0f64; units], vec![0usize; units]);
    for &(p, l) in &above {
        sum[p] += l;
        cnt[p] += 1;
    }
    let unit_mean = |p: usize| sum[p] / cnt[p] as f64;
    let within = (above.iter().map(|&(p, l)| (l - unit_mean(p)).powi(2)).sum::<f64>() / n).sqrt();
    let between = (above.iter().map(|&(p, _)| (unit_mean(p) - mw).powi(2)).sum::<f64>() / n).sqrt();
    let [c0, c1] = mixture.components;
    let mut groups: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for &(p, l) in &above {
        let upper = c1.weight * normal_pdf(l, c1.mean, c1.sd) > c0.weight * normal_pdf(l, c0.mean, c0.sd);
        groups[usize::from(upper)].push(k[p] as f64);
    }
    let median = |v: &mut Vec<f64>| {
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_unstable_by(f64::total_cmp);
        let m = v.len() / 2;
        if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) }
    };
    let [g0, g1] = &mut groups;
    Some(InDegreeShare {
        corr_log_in_degree: cov / (vw * vk).sqrt(),
        within_unit_sd: within,
        between_unit_sd: between,
        in_degree_median: [median(g0), median(g1)],
    })
}

/// Everything [`analyse`] reports on one set of weights.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeightAnalysis {
    /// Synapses (weights given).
    pub synapses: usize,
    /// Mean weight over all of them.
    pub mean_weight: f64,
    /// The log-normal fit above the floor.
    pub lognormal: LogNormalFit,
    /// The same fit at half and twice the floor, to show how much the floor matters (`None`
    /// where too few weights are left).
    pub lognormal_half_floor: Option<LogNormalFit>,
    /// See `lognormal_half_floor`.
    pub lognormal_double_floor: Option<LogNormalFit>,
    /// The plain fit over every weight above 0, `(mu, sigma)` of `ln w`: what the floor
    /// avoids (`None` when it cannot be fitted).
    pub unfloored: Option<(f64, f64)>,
    /// The two-component mixture on `log10 w` of the weights above the floor.
    pub mixture: Mixture,
    /// What the postsynaptic in-degree explains ([`analyse_net`] only; `None` for bare
    /// weights).
    pub in_degree: Option<InDegreeShare>,
}

/// Fits the log-normal above `floor` (with the fits at half and twice the floor), the
/// unfloored fit, and the two-component mixture on `log10 w` above the floor.
pub fn analyse(weights: &[f64], floor: f64) -> Result<WeightAnalysis, WeightsError> {
    let lognormal = lognormal_above(weights, floor)?;
    let logs: Vec<f64> = weights.iter().filter(|&&w| w > floor).map(|w| w.log10()).collect();
    let mixture = mixture2(&logs).map_err(|e| match e {
        WeightsError::TooFew { above, needed, .. } => WeightsError::TooFew { above, needed, floor },
        e => e,
    })?;
    Ok(WeightAnalysis {
        synapses: weights.len(),
        mean_weight: weights.iter().sum::<f64>() / weights.len() as f64,
        lognormal,
        lognormal_half_floor: lognormal_above(weights, floor / 2.0).ok(),
        lognormal_double_floor: lognormal_above(weights, floor * 2.0).ok(),
        unfloored: lognormal_above(weights, 0.0).ok().map(|f| (f.mu, f.sigma)),
        mixture,
        in_degree: None,
    })
}

/// [`analyse`] of a network's E->E weights ([`ee_weights`]), with the [`InDegreeShare`].
pub fn analyse_net(net: &HostSorn, floor: f64) -> Result<WeightAnalysis, WeightsError> {
    let synapses: Vec<(usize, f64)> =
        net.wee().iter().map(|s| (usize::from(s.post), f64::from(s.w))).filter(|s| s.1 > 0.0).collect();
    let weights: Vec<f64> = synapses.iter().map(|s| s.1).collect();
    let mut a = analyse(&weights, floor)?;
    a.in_degree = in_degree_share(&synapses, floor, &a.mixture);
    Ok(a)
}

/// The analysis as text, a few lines (for `neuroloop sorn weights`).
pub fn describe(a: &WeightAnalysis) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let l = &a.lognormal;
    let ln10 = std::f64::consts::LN_10;
    let _ = writeln!(s, "  {} synapses, mean weight {:.4}", a.synapses, a.mean_weight);
    let _ = writeln!(
        s,
        "  floor {}: {} at or below it ({:.1} %), {} above",
        l.floor,
        l.below_floor,
        100.0 * l.fraction_below,
        l.above_floor()
    );
    let _ = writeln!(
        s,
        "  log-normal above the floor: mu {:.3}, sigma {:.3} (ln w; median weight {:.4}; log10 w: mean {:.3}, sd {:.3})",
        l.mu,
        l.sigma,
        l.mu.exp(),
        l.mu / ln10,
        l.sigma / ln10
    );
    let _ = writeln!(s, "  Kolmogorov-Smirnov distance {:.4} (5 % critical value {:.4})", l.ks, l.ks_critical_5pct);
    for (name, f) in [("half the floor", &a.lognormal_half_floor), ("twice the floor", &a.lognormal_double_floor)] {
        if let Some(f) = f {
            let _ = writeln!(
                s,
                "    at {name} ({}): {:.1} % below, mu {:.3}, sigma {:.3}, KS {:.4}",
                f.floor,
                100.0 * f.fraction_below,
                f.mu,
                f.sigma,
                f.ks
            );
        }
    }
    if let Some((mu, sigma)) = a.unfloored {
        let _ = writeln!(s, "    every synapse (no floor): mu {mu:.3}, sigma {sigma:.3}");
    }
    let m = &a.mixture;
    let _ = writeln!(
        s,
        "  two Gaussians on log10 w above the floor (EM, {} iterations{}):",
        m.iterations,
        if m.converged { "" } else { ", not converged" }
    );
    for (k, c) in m.components.iter().enumerate() {
        let _ = writeln!(
            s,
            "    component {}: weight {:.3}, mean {:.3} (w {:.4}), sd {:.3}",
            k + 1,
            c.weight,
            c.mean,
            10f64.powf(c.mean),
            c.sd
        );
    }
    let _ = writeln!(
        s,
        "    log-likelihood gain over one Gaussian {:.1} ({:.4} per synapse), delta BIC {:.1}",
        m.gain,
        m.gain / m.n as f64,
        m.delta_bic
    );
    if let Some(d) = &a.in_degree {
        let _ = writeln!(
            s,
            "  postsynaptic in-degree: correlation with log10 w {:.3}; sd of log10 w within units {:.3}, between units {:.3}",
            d.corr_log_in_degree, d.within_unit_sd, d.between_unit_sd
        );
        let _ = writeln!(
            s,
            "    median in-degree of the units the lower / upper component's synapses end on: {} / {}",
            d.in_degree_median[0], d.in_degree_median[1]
        );
    }
    s
}

/// A histogram of `log10 w` over every weight given, with the fits of `a` drawn over it
/// (scaled by the share of weights above the floor, so they sit on the histogram) and the
/// floor marked, for [`crate::figures::histogram_panels`].
pub fn panel(title: String, weights: &[f64], a: &WeightAnalysis) -> crate::figures::Panel {
    use crate::figures::{Curve, Panel};
    let values: Vec<f64> = weights.iter().filter(|&&w| w > 0.0).map(|w| w.log10()).collect();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let lo = if min.is_finite() { ((min * 4.0).floor() / 4.0).clamp(-5.0, -1.0) } else { -4.0 };
    let hi = 0.0;
    let xs: Vec<f64> = (0..=400).map(|k| lo + (hi - lo) * k as f64 / 400.0).collect();
    let l = a.lognormal;
    let floor10 = l.floor.log10();
    let above = 1.0 - l.fraction_below;
    let fitted = |x: f64| x > floor10;
    let m = a.mixture;
    let curve = |label: String, dashed: bool, f: &dyn Fn(f64) -> f64| Curve {
        label,
        points: xs.iter().filter(|&&x| fitted(x)).map(|&x| (x, f(x))).collect(),
        dashed,
    };
    let [c0, c1] = m.components;
    Panel {
        title,
        x_label: format!("log10 w (weights below 1e{lo} in the first bin)"),
        values,
        bins: 70,
        range: Some((lo, hi)),
        curves: vec![
            curve(
                format!("log-normal above floor: mu {:.2}, sigma {:.2}, KS {:.3}", l.mu, l.sigma, l.ks),
                false,
                &|x| l.log10_density(x),
            ),
            curve(format!("2 Gaussians (delta BIC {:.0})", m.delta_bic), true, &|x| m.density(x, above)),
            curve(format!("{:.2} x N({:.2}, {:.2})", c0.weight, c0.mean, c0.sd), false, &|x| {
                m.component_density(&c0, x, above)
            }),
            curve(format!("{:.2} x N({:.2}, {:.2})", c1.weight, c1.mean, c1.sd), false, &|x| {
                m.component_density(&c1, x, above)
            }),
        ],
        marker: (floor10.is_finite())
            .then(|| (floor10, format!("floor {} ({:.1} % below)", l.floor, 100.0 * l.fraction_below))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small seeded generator of standard normal values (splitmix64, Box-Muller).
    struct Normals(u64);

    impl Normals {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }

        fn next(&mut self) -> f64 {
            let (u, v) = (self.uniform(), self.uniform());
            (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
        }
    }

    #[test]
    fn erfc_matches_known_values() {
        // erfc(0.5) = 0.4795001221869535, erfc(2) = 0.004677734981047266
        assert!((erfc(0.5) - 0.479_500_122_186_953_5).abs() < 1e-7);
        assert!((erfc(2.0) / 0.004_677_734_981_047_266 - 1.0).abs() < 1e-6);
        assert!((erfc(-1.0) - 1.842_700_792_949_715).abs() < 1e-7);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457).abs() < 1e-7);
    }

    #[test]
    fn lognormal_fit_recovers_known_parameters() {
        let mut g = Normals(17);
        let ws: Vec<f64> = (0..20_000).map(|_| (-3.0 + 0.8 * g.next()).exp()).collect();
        let fit = lognormal_above(&ws, 0.0).unwrap();
        assert!((fit.mu + 3.0).abs() < 0.02, "mu {}", fit.mu);
        assert!((fit.sigma - 0.8).abs() < 0.02, "sigma {}", fit.sigma);
        assert_eq!(fit.below_floor, 0);
        // Drawn from the distribution fitted: the KS distance is within chance.
        assert!(fit.ks < fit.ks_critical_5pct, "ks {} critical {}", fit.ks, fit.ks_critical_5pct);
    }

    #[test]
    fn the_floor_counts_what_it_leaves_out() {
        let mut g = Normals(5);
        let ws: Vec<f64> = (0..20_000).map(|_| (-3.0 + 0.8 * g.next()).exp()).collect();
        // ln 0.0498 = -3: half the mass lies below this floor.
        let floor = (-3.0f64).exp();
        let fit = lognormal_above(&ws, floor).unwrap();
        assert!((fit.fraction_below - 0.5).abs() < 0.01, "{}", fit.fraction_below);
        assert_eq!(fit.below_floor + fit.above_floor(), 20_000);
        // A truncated sample is not log-normal: the fit is biased and the KS distance says so.
        assert!(fit.mu > -3.0 + 0.5 && fit.sigma < 0.6, "mu {} sigma {}", fit.mu, fit.sigma);
        assert!(fit.ks > 5.0 * fit.ks_critical_5pct, "ks {}", fit.ks);
    }

    #[test]
    fn ks_detects_a_wrong_shape() {
        // Uniform weights on [0.01, 0.2] are far from log-normal.
        let ws: Vec<f64> = (0..10_000).map(|i| 0.01 + 0.19 * (i as f64 + 0.5) / 10_000.0).collect();
        let fit = lognormal_above(&ws, 0.0).unwrap();
        assert!(fit.ks > 0.05, "ks {}", fit.ks);
    }

    #[test]
    fn mixture_recovers_two_separated_components() {
        let mut g = Normals(99);
        // 30 % at -1.8 (sd 0.15), 70 % at -1.1 (sd 0.2), shuffled by construction.
        let xs: Vec<f64> =
            (0..20_000).map(|i| if i % 10 < 3 { -1.8 + 0.15 * g.next() } else { -1.1 + 0.2 * g.next() }).collect();
        let m = mixture2(&xs).unwrap();
        assert!(m.converged, "{m:?}");
        let [a, b] = m.components;
        assert!((a.weight - 0.3).abs() < 0.02 && (b.weight - 0.7).abs() < 0.02, "{m:?}");
        assert!((a.mean + 1.8).abs() < 0.02 && (b.mean + 1.1).abs() < 0.02, "{m:?}");
        assert!((a.sd - 0.15).abs() < 0.02 && (b.sd - 0.2).abs() < 0.02, "{m:?}");
        assert!(m.gain > 1000.0 && m.delta_bic > 1000.0, "{m:?}");
        assert!((m.components.iter().map(|c| c.weight).sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn mixture_of_one_gaussian_gains_little() {
        let mut g = Normals(3);
        let xs: Vec<f64> = (0..20_000).map(|_| g.next()).collect();
        let m = mixture2(&xs).unwrap();
        // Two components always fit a little better, but not by a BIC margin.
        assert!(m.gain >= -1e-6 && m.delta_bic < 10.0, "{m:?}");
    }

    #[test]
    fn the_mixture_is_deterministic() {
        let mut g = Normals(8);
        let xs: Vec<f64> = (0..5_000).map(|i| if i % 2 == 0 { g.next() } else { 4.0 + g.next() }).collect();
        assert_eq!(mixture2(&xs).unwrap(), mixture2(&xs).unwrap());
    }

    #[test]
    fn degenerate_input_is_a_typed_error() {
        assert_eq!(lognormal_above(&[], 0.01), Err(WeightsError::Empty));
        assert_eq!(analyse(&[], 0.01), Err(WeightsError::Empty));
        assert_eq!(mixture2(&[]), Err(WeightsError::Empty));
        assert!(matches!(lognormal_above(&[0.1, f64::NAN], 0.0), Err(WeightsError::NotFinite { index: 1, .. })));
        assert!(matches!(
            lognormal_above(&[0.1, f64::INFINITY, 0.2], 0.0),
            Err(WeightsError::NotFinite { index: 1, .. })
        ));
        assert!(matches!(mixture2(&[0.0; 10].map(|_| f64::NAN)), Err(WeightsError::NotFinite { index: 0, .. })));
        assert!(matches!(lognormal_above(&[0.1, -0.2], 0.0), Err(WeightsError::Negative { index: 1, .. })));
        // Zeros are absent synapses: nothing is above any floor.
        assert!(matches!(lognormal_above(&[0.0; 100], 0.0), Err(WeightsError::TooFew { above: 0, .. })));
        assert!(matches!(analyse(&[0.0; 100], 0.01), Err(WeightsError::TooFew { above: 0, .. })));
        // All equal: no spread.
        assert_eq!(lognormal_above(&[0.05; 100], 0.01), Err(WeightsError::Constant { value: 0.05f64.ln().exp() }));
        assert!(matches!(analyse(&[0.05; 100], 0.01), Err(WeightsError::Constant { .. })));
        assert!(matches!(mixture2(&[1.5; 100]), Err(WeightsError::Constant { .. })));
        // Everything below the floor, a bad floor, too few values.
        assert!(matches!(lognormal_above(&[0.001, 0.002, 0.003], 0.01), Err(WeightsError::TooFew { above: 0, .. })));
        assert_eq!(lognormal_above(&[0.1, 0.2, 0.3], -1.0), Err(WeightsError::BadFloor(-1.0)));
        assert!(matches!(lognormal_above(&[0.1, 0.2, 0.3], f64::NAN), Err(WeightsError::BadFloor(_))));
        assert!(matches!(mixture2(&[1.0, 2.0, 3.0]), Err(WeightsError::TooFew { above: 3, .. })));
        assert!(matches!(analyse(&[0.1, 0.2, 0.3, 0.4], 0.01), Err(WeightsError::TooFew { above: 4, needed: 6, .. })));
        // Every error has a message.
        assert!(WeightsError::Constant { value: 0.5 }.to_string().contains("spread"));
    }

    #[test]
    fn in_degree_share_finds_normalised_units() {
        // 20 units with 10 inputs at ~0.1 and 20 units with 50 inputs at ~0.02: the weight is
        // the unit's equal share, the in-degree explains the spread.
        let mut g = Normals(21);
        let mut syn = Vec::new();
        for unit in 0..40usize {
            let k = if unit < 20 { 10 } else { 50 };
            for _ in 0..k {
                syn.push((unit, (1.0 / k as f64) * (0.05 * g.next()).exp()));
            }
        }
        let ws: Vec<f64> = syn.iter().map(|s| s.1).collect();
        let a = analyse(&ws, 0.005).unwrap();
        let d = in_degree_share(&syn, 0.005, &a.mixture).unwrap();
        assert!(d.corr_log_in_degree < -0.95, "{d:?}");
        assert!(d.between_unit_sd > 5.0 * d.within_unit_sd, "{d:?}");
        assert_eq!(d.in_degree_median, [50.0, 10.0]);
        assert_eq!(in_degree_share(&[], 0.005, &a.mixture), None);
        assert_eq!(in_degree_share(&[(0, 0.1), (0, 0.2)], 0.005, &a.mixture), None, "one in-degree");
    }

    #[test]
    fn a_mostly_equal_sample_still_fits() {
        // 60 % of the values are one number: the quartiles coincide, EM still starts and ends.
        let xs: Vec<f64> = (0..1000).map(|i| if i % 5 < 3 { -1.0 } else { -2.0 + 0.001 * i as f64 }).collect();
        let m = mixture2(&xs).unwrap();
        assert!(m.log_likelihood.is_finite() && m.gain > 0.0, "{m:?}");
    }

    #[test]
    fn analysis_reports_every_fit() {
        let mut g = Normals(11);
        let mut ws: Vec<f64> = (0..10_000).map(|_| (-4.5 + 0.6 * g.next()).exp()).collect();
        ws.extend(std::iter::repeat_n(0.001, 2_000)); // newborn synapses at w_sp
        let a = analyse(&ws, default_floor(0.001)).unwrap();
        assert_eq!(a.synapses, 12_000);
        assert_eq!(a.lognormal.floor, 0.005);
        assert!(a.lognormal.fraction_below >= 2_000.0 / 12_000.0);
        let (_, sigma) = a.unfloored.unwrap();
        assert!(sigma > a.lognormal.sigma + 0.3, "the newborn pile widens the unfloored fit: {sigma}");
        assert!(a.lognormal_half_floor.unwrap().fraction_below < a.lognormal.fraction_below);
        assert!(a.lognormal_double_floor.unwrap().fraction_below > a.lognormal.fraction_below);
        let text = describe(&a);
        assert!(text.contains("Kolmogorov-Smirnov") && text.contains("component 2"), "{text}");
    }
}
