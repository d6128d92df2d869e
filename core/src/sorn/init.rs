//! A fresh network, in the package's order (spec section 2): E->E, I->E, E->I, repair of units
//! without input, normalisation, thresholds.
//!
//! Random draws, in this order, all from the network's [`NetRng`]:
//! 1. E->E: for each excitatory unit `i`, its in-degree `trunc(lambda_ee + z)` (`z` standard
//!    normal; clamped to `[0, ne - 1]`), then its presynaptic partners, without replacement,
//!    uniformly among the other units (Floyd's algorithm). Then every weight
//!    `U(0, 1] * w_init_max`, unit by unit.
//! 2. I->E: for each inhibitory unit, its out-degree (`lambda_ei`, clamped to `[0, ne]`) and
//!    its targets; then the weights.
//! 3. E->I: every pair's weight, `[pre][post]` order (or, with `lambda_ie`, a sparse in-degree
//!    per inhibitory unit as for E->E).
//! 4. Repairs (rare): two partners for each unit whose incoming weights sum to 0.
//! 5. Thresholds `T_E ~ U(te_min, te_max)`, then `T_I ~ U(ti_min, ti_max)`.
//! 6. Per-unit IP targets `N(h_ip, sigma_ip^2)` clipped to [0, 1], only when `sigma_ip > 0`.
//!
//! The package draws from numpy and Python's `random` in another order; networks match it in
//! distribution (degrees, weights, counts), not value by value (spec oddity #8).

use super::config::Config;
use super::ie::IeMut;
use super::layout::Parts;
use super::synapses::{Marks, SynMut};
use crate::rng::NetRng;

/// What initialisation had to give up (all zero at sane settings).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InitReport {
    /// Synapses not created because the matrix's capacity was exhausted.
    pub refused: u32,
    /// Units that had no input and received two repair synapses.
    pub repaired: u32,
}

/// Fills `p` with a fresh network.
pub(crate) fn initialise(cfg: &Config, p: &mut Parts<'_>, rng: &mut NetRng) -> InitReport {
    let ne = cfg.ne as usize;
    let ni = cfg.ni as usize;
    let mut report = InitReport::default();
    let mut marks = Marks(p.marks);
    marks.clear();
    // Unused synapse slots too, so a fresh network is the same bytes whatever the buffers
    // held before.
    for m in [&mut p.ee, &mut p.ei] {
        m.w.fill(0.0);
        m.post.fill(0);
        m.in_pos.fill(0);
    }

    // 1. E->E: in-degree per excitatory unit, partners among the other units.
    let mut ee = p.ee.reborrow();
    let mut n = 0usize;
    for post in 0..ne {
        let want = degree(cfg.lambda_ee, ne - 1, rng);
        let k = want.min(ee.in_pos.len() - n);
        report.refused += (want - k) as u32;
        let edges = &mut ee.in_pos[n..];
        let mut m = 0;
        sample_distinct(rng, ne - 1, k, Some(post), &mut marks, |pre| {
            edges[m] = (pre as u32) << 16 | post as u32;
            m += 1;
        });
        n += k;
    }
    ee.build_from_edges(n);
    draw_weights(&mut ee, cfg.w_init_max, rng);

    // 2. I->E: out-degree per inhibitory unit, targets among all excitatory units.
    let mut ei = p.ei.reborrow();
    let mut n = 0usize;
    for pre in 0..ni {
        let want = degree(cfg.lambda_ei, ne, rng);
        let k = want.min(ei.in_pos.len() - n);
        report.refused += (want - k) as u32;
        let edges = &mut ei.in_pos[n..];
        let mut m = 0;
        sample_distinct(rng, ne, k, None, &mut marks, |post| {
            edges[m] = (pre as u32) << 16 | post as u32;
            m += 1;
        });
        n += k;
    }
    ei.build_from_edges(n);
    draw_weights(&mut ei, cfg.w_init_max, rng);

    // 3. E->I, dense [pre][post] unless lambda_ie makes it sparse.
    let ie = &mut p.ie;
    match cfg.lambda_ie {
        None => ie.w.iter_mut().for_each(|w| *w = rng.uniform_open0_f32() * cfg.w_init_max),
        Some(lambda) => report.refused += sparse_ie(lambda, cfg, ie, rng, &mut marks),
    }

    // 4. Repair units whose incoming weights sum to 0 (practically never at the defaults).
    let fifth = cfg.compat.repair_first_fifth;
    for post in 0..ne {
        if ee.in_degree(post) == 0 {
            report.repaired += 1;
            report.refused += repair_sparse(&mut ee, post, Some(post), ne, fifth, cfg.w_init_max, rng, &mut marks);
        }
    }
    for post in 0..ne {
        if ei.in_degree(post) == 0 {
            report.repaired += 1;
            report.refused += repair_sparse(&mut ei, post, None, ni, fifth, cfg.w_init_max, rng, &mut marks);
        }
    }
    if p.ie.sparse {
        // Units whose incoming weights sum to 0 are exactly those with no input (weights >= 0).
        let sums = &mut *p.acc_i;
        p.ie.incoming_sums(sums);
        for (post, _) in sums.iter().enumerate().filter(|(_, s)| **s == 0.0) {
            report.repaired += 1;
            report.refused += repair_partners_then(ne, fifth, rng, &mut marks, cfg.w_init_max, |pre, w| {
                u32::from(p.ie.set(pre, post, w).is_err())
            });
        }
    } else {
        for post in 0..ni {
            if (0..ne).all(|pre| p.ie.w[pre * ni + post] == 0.0) {
                report.repaired += 1;
                let ie_w = &mut *p.ie.w;
                repair_partners_then(ne, fifth, rng, &mut marks, cfg.w_init_max, |pre, w| {
                    ie_w[pre * ni + post] = w;
                    0
                });
            }
        }
    }

    // 5. Normalise every unit's incoming weights to sum 1.
    for post in 0..ne {
        ee.normalize_incoming(post);
        ei.normalize_incoming(post);
    }
    if p.ie.sparse {
        // The same sums, in the same (presynaptic) order, and the same divisions as dense.
        p.ie.incoming_sums(p.acc_i);
        p.ie.divide_by(p.acc_i);
    } else {
        for post in 0..ni {
            let sum: f32 = (0..ne).map(|pre| p.ie.w[pre * ni + post]).sum();
            if sum > 0.0 {
                (0..ne).for_each(|pre| p.ie.w[pre * ni + post] /= sum);
            }
        }
    }

    // 6. Thresholds, IP targets, quiet start.
    for t in p.te.iter_mut() {
        *t = cfg.te_min + rng.uniform_f32() * (cfg.te_max - cfg.te_min);
    }
    for t in p.ti.iter_mut() {
        *t = cfg.ti_min + rng.uniform_f32() * (cfg.ti_max - cfg.ti_min);
    }
    let h = cfg.h_ip();
    for target in p.h_ip.iter_mut() {
        *target = if cfg.sigma_ip > 0.0 { (h + cfg.sigma_ip * rng.normal()).clamp(0.0, 1.0) } else { h };
    }
    for words in [&mut *p.x, &mut *p.y, &mut *p.r, &mut *p.dirty_ee, &mut *p.dirty_ei] {
        words.fill(0);
    }
    // Scratch of the step: cleared too, so a fresh network's buffers are the same bytes
    // whatever the buffers held before.
    for v in [&mut *p.acc_ee, &mut *p.acc_ei, &mut *p.acc_i, &mut *p.noise] {
        v.fill(0.0);
    }
    p.codes.fill(0);
    report
}

/// `trunc(lambda + z)`, `z` standard normal, clamped to `[0, pool]`; a mean at least as large as
/// the pool means "everyone" (one draw either way, so the stream does not depend on it).
fn degree(lambda: f32, pool: usize, rng: &mut NetRng) -> usize {
    let v = lambda + rng.normal();
    if lambda >= pool as f32 {
        return pool;
    }
    if v > 0.0 { (v as usize).min(pool) } else { 0 }
}

/// Sparse E->I from `lambda_ie` (`ie` in its list layout), drawing exactly what the dense
/// matrix's construction draws: for each inhibitory unit its in-degree and presynaptic partners,
/// then every weight in `[pre][post]` order. The partners come in target order, but the lists
/// are by presynaptic unit: a first pass over a copy of the generator counts each unit's
/// synapses (the list offsets), the second, on the real generator, places them; within a list
/// the targets are then increasing, and the weights are drawn slot by slot. Returns the
/// synapses refused because the capacity was used up (never at sane settings).
fn sparse_ie(lambda: f32, cfg: &Config, ie: &mut IeMut<'_>, rng: &mut NetRng, marks: &mut Marks<'_>) -> u32 {
    let (ne, ni) = (cfg.ne as usize, cfg.ni as usize);
    ie.w.fill(0.0);
    ie.post.fill(0);
    ie.off.fill(0);
    // Pass 1: out-degrees into off[pre + 1], then their exclusive prefix sums (list starts).
    let mut probe = rng.clone();
    ie_pass(lambda, ne, ni, ie, &mut probe, marks, false);
    let mut start = 0u32;
    for o in ie.off[1..].iter_mut() {
        let count = *o;
        *o = start;
        start += count;
    }
    // Pass 2: the same draws; off[pre + 1] walks from pre's start to its end (= next start).
    let (n, refused) = ie_pass(lambda, ne, ni, ie, rng, marks, true);
    for w in ie.w[..n].iter_mut() {
        *w = rng.uniform_open0_f32() * cfg.w_init_max;
    }
    refused
}

/// One pass of [`sparse_ie`]'s draws: counts each presynaptic unit's synapses into
/// `off[pre + 1]`, or (`place`) writes each target at `off[pre + 1]` and advances it. Returns
/// the synapses drawn and those refused for capacity.
#[inline(never)]
fn ie_pass(
    lambda: f32,
    ne: usize,
    ni: usize,
    ie: &mut IeMut<'_>,
    rng: &mut NetRng,
    marks: &mut Marks<'_>,
    place: bool,
) -> (usize, u32) {
    let cap = ie.post.len();
    let (mut n, mut refused) = (0usize, 0u32);
    for post in 0..ni {
        let want = degree(lambda, ne, rng);
        let k = want.min(cap - n);
        refused += (want - k) as u32;
        let (off, posts) = (&mut *ie.off, &mut *ie.post);
        sample_distinct(rng, ne, k, None, marks, |pre| {
            if place {
                posts[off[pre + 1] as usize] = post as u16;
            }
            off[pre + 1] += 1;
        });
        n += k;
    }
    (n, refused)
}

/// A dense-style repair: draws the two partners, then one weight per partner, handing each
/// `(pre, w)` to `set`; returns the sum of what `set` returned (refusals).
fn repair_partners_then(
    n_pre: usize,
    first_fifth: bool,
    rng: &mut NetRng,
    marks: &mut Marks<'_>,
    w_max: f32,
    mut set: impl FnMut(usize, f32) -> u32,
) -> u32 {
    let mut pres = [usize::MAX; 2];
    let mut m = 0;
    repair_partners(n_pre, None, first_fifth, rng, marks, |pre| {
        pres[m] = pre;
        m += 1;
    });
    let mut refused = 0;
    for pre in pres.into_iter().take(m) {
        refused += set(pre, rng.uniform_open0_f32() * w_max);
    }
    refused
}

/// Emits `k` distinct values of `0..n` (shifted past `exclude`), uniformly (Floyd's algorithm;
/// `k` draws). `marks` must be clear and is left clear.
fn sample_distinct(
    rng: &mut NetRng,
    n: usize,
    k: usize,
    exclude: Option<usize>,
    marks: &mut Marks<'_>,
    mut emit: impl FnMut(usize),
) {
    let map = |t: usize| match exclude {
        Some(x) if t >= x => t + 1,
        _ => t,
    };
    if k >= n {
        (0..n).for_each(|t| emit(map(t)));
        return;
    }
    for j in n - k..n {
        let t = rng.below(j as u32 + 1) as usize;
        let pick = if marks.insert(map(t)) { map(t) } else { map(j) };
        if pick == map(j) {
            marks.insert(pick);
        }
        emit(pick);
    }
    marks.clear();
}

/// Draws every weight of a freshly built matrix, unit by unit along the incoming index.
fn draw_weights(syn: &mut SynMut<'_>, w_max: f32, rng: &mut NetRng) {
    for post in 0..syn.in_len.len() {
        let start = syn.in_off[post] as usize;
        for k in start..start + syn.in_len[post] as usize {
            syn.w[syn.in_pos[k] as usize] = rng.uniform_open0_f32() * w_max;
        }
    }
}

/// The two presynaptic partners of a repair: distinct and uniform among `0..n_pre` (minus
/// `exclude`), or the package's way (two draws with replacement among the first fifth).
fn repair_partners(
    n_pre: usize,
    exclude: Option<usize>,
    first_fifth: bool,
    rng: &mut NetRng,
    marks: &mut Marks<'_>,
    mut emit: impl FnMut(usize),
) {
    if first_fifth {
        let pool = (n_pre / 5).max(1) as u32;
        for _ in 0..2 {
            emit(rng.below(pool) as usize);
        }
    } else {
        let pool = n_pre - usize::from(exclude.is_some());
        sample_distinct(rng, pool, 2.min(pool), exclude, marks, emit);
    }
}

/// Gives `post` two new incoming synapses. Returns how many were refused for capacity.
#[allow(clippy::too_many_arguments)]
fn repair_sparse(
    syn: &mut SynMut<'_>,
    post: usize,
    exclude: Option<usize>,
    n_pre: usize,
    first_fifth: bool,
    w_max: f32,
    rng: &mut NetRng,
    marks: &mut Marks<'_>,
) -> u32 {
    let mut pres = [0usize; 2];
    let mut m = 0;
    repair_partners(n_pre, exclude, first_fifth, rng, marks, |pre| {
        pres[m] = pre;
        m += 1;
    });
    let mut refused = 0;
    for &pre in &pres[..m] {
        let w = rng.uniform_open0_f32() * w_max;
        if syn.contains(pre, post) {
            continue; // the package's second draw of the same partner just rewrites the weight
        }
        if syn.insert(pre, post, w).is_err() {
            refused += 1;
        }
    }
    refused
}
