//! The five plasticity rules, in the order a step applies them (spec section 3). Each function
//! is one rule; the network calls the ones that are not frozen. `x_t` / `x_t1` are the
//! excitatory spike bits before and after this step, `y_t` the inhibitory bits before it.
//!
//! Rows a rule changes are marked in a "dirty" set; normalisation divides exactly those rows
//! (a row untouched since its last normalisation already sums to 1, and dividing it again would
//! only move rounding bits), and the marks persist while `ss` is frozen.

use super::synapses::{Marks, SynMut};
use crate::bits::{self, Ones};
use crate::rng::NetRng;

/// What the rules of one step did to the synapse counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RuleCounts {
    /// E->E synapses pruned by STDP (clipped to 0).
    pub ee_pruned: u32,
    /// I->E synapses pruned by iSTDP.
    pub ei_pruned: u32,
    /// E->E synapses created by structural plasticity.
    pub sp_created: u32,
    /// Structural-plasticity creations refused because a list was full.
    pub sp_refused: u32,
    /// Units found with zero incoming weight by normalisation (left at zero, never NaN).
    pub empty_rows: u32,
}

/// 1. STDP on existing E->E synapses: `w += eta (x_i(t+1) x_j(t) - x_i(t) x_j(t+1))`, clipped
/// to `[0, w_max]`; a weight clipped to 0 is pruned. Only synapses of units active at t or
/// t+1 can change, so only their outgoing lists are visited.
pub(crate) fn stdp(
    ee: &mut SynMut<'_>,
    x_t: &[u32],
    x_t1: &[u32],
    eta: f32,
    w_max: f32,
    dirty: &mut [u32],
    counts: &mut RuleCounts,
) {
    for (word, (&a, &b)) in x_t.iter().zip(x_t1).enumerate() {
        let mut active = a | b;
        while active != 0 {
            let pre = word * 32 + active.trailing_zeros() as usize;
            active &= active - 1;
            let (pre_t, pre_t1) = (bits::get(x_t, pre), bits::get(x_t1, pre));
            let mut slot = ee.out_off[pre] as usize;
            while slot < ee.out_off[pre] as usize + ee.out_len[pre] as usize {
                let post = ee.post[slot] as usize;
                let potentiate = pre_t && bits::get(x_t1, post);
                let depress = pre_t1 && bits::get(x_t, post);
                if potentiate == depress {
                    slot += 1;
                    continue;
                }
                let w = ee.w[slot] + if potentiate { eta } else { -eta };
                bits::set(dirty, post);
                if w <= 0.0 {
                    ee.remove(pre, slot); // the list's last synapse now sits in `slot`
                    counts.ee_pruned += 1;
                } else {
                    ee.w[slot] = if w > w_max { w_max } else { w };
                    slot += 1;
                }
            }
        }
    }
}

/// 2. Intrinsic plasticity: `T_i += eta_ip (x_i(t+1) - h_i)`, clipped to `[te_min, te_max]` when
/// `clip` is given.
pub(crate) fn ip(te: &mut [f32], h_ip: &[f32], x_t1: &[u32], eta_ip: f32, clip: Option<(f32, f32)>) {
    for (i, (t, &h)) in te.iter_mut().zip(h_ip).enumerate() {
        let x = if bits::get(x_t1, i) { 1.0 } else { 0.0 };
        let mut v = *t + eta_ip * (x - h);
        if let Some((lo, hi)) = clip {
            v = if v < lo { lo } else if v > hi { hi } else { v };
        }
        *t = v;
    }
}

/// Attempts at drawing an absent pair at random before enumerating them.
const SP_ATTEMPTS: u32 = 64;

/// 3. Structural plasticity: with probability `p_sp`, one E->E synapse `pre -> post` (pre != post)
/// chosen uniformly among the absent ones is created with weight `w_sp`.
///
/// Draws: one word for the coin; then pairs `(post, pre)` until one is absent (rejection
/// sampling, exact; after 64 misses the absent pairs are enumerated and one is drawn by rank).
pub(crate) fn sp(
    ee: &mut SynMut<'_>,
    rng: &mut NetRng,
    p_sp: f32,
    w_sp: f32,
    marks: &mut Marks<'_>,
    dirty: &mut [u32],
    counts: &mut RuleCounts,
) {
    if rng.uniform_f32() >= p_sp {
        return;
    }
    let ne = ee.out_len.len();
    let Some((pre, post)) = absent_pair(ee, ne, rng, marks) else { return };
    match ee.insert(pre, post, w_sp) {
        Ok(()) => {
            counts.sp_created += 1;
            bits::set(dirty, post);
        }
        Err(_) => counts.sp_refused += 1,
    }
}

/// A uniformly chosen absent E->E pair `(pre, post)`, `pre != post`; `None` if all exist.
fn absent_pair(ee: &SynMut<'_>, ne: usize, rng: &mut NetRng, marks: &mut Marks<'_>) -> Option<(usize, usize)> {
    if ne < 2 {
        return None;
    }
    for _ in 0..SP_ATTEMPTS {
        let post = rng.below(ne as u32) as usize;
        let mut pre = rng.below(ne as u32 - 1) as usize;
        if pre >= post {
            pre += 1;
        }
        if !ee.contains(pre, post) {
            return Some((pre, post));
        }
    }
    // Nearly full: rank the absent pairs (pre-major, post ascending) and draw one.
    let present: usize = ee.out_len.iter().map(|&l| l as usize).sum();
    let absent = ne * (ne - 1) - present;
    if absent == 0 {
        return None;
    }
    let mut rank = rng.below(absent as u32) as usize;
    for pre in 0..ne {
        let here = ne - 1 - ee.out_len[pre] as usize;
        if rank >= here {
            rank -= here;
            continue;
        }
        for slot in ee.out_range(pre) {
            marks.insert(ee.post[slot] as usize);
        }
        marks.insert(pre);
        let mut found = None;
        for post in 0..ne {
            if !bits::get(marks.0, post) {
                if rank == 0 {
                    found = Some((pre, post));
                    break;
                }
                rank -= 1;
            }
        }
        marks.clear();
        return found;
    }
    None
}

/// 4. Inhibitory STDP on existing I->E synapses of inhibitory units active at t:
/// `w += -eta_inhib (1 - x_i(t+1) (1 + 1/mu_ip))`, clipped to `[0, w_max]`; 0 prunes.
pub(crate) fn istdp(
    ei: &mut SynMut<'_>,
    y_t: &[u32],
    x_t1: &[u32],
    deltas: (f32, f32),
    w_max: f32,
    dirty: &mut [u32],
    counts: &mut RuleCounts,
) {
    let (d_fired, d_silent) = deltas;
    for pre in Ones::new(y_t) {
        let mut slot = ei.out_off[pre] as usize;
        while slot < ei.out_off[pre] as usize + ei.out_len[pre] as usize {
            let post = ei.post[slot] as usize;
            let w = ei.w[slot] + if bits::get(x_t1, post) { d_fired } else { d_silent };
            bits::set(dirty, post);
            if w <= 0.0 {
                ei.remove(pre, slot);
                counts.ei_pruned += 1;
            } else {
                ei.w[slot] = if w > w_max { w_max } else { w };
                slot += 1;
            }
        }
    }
}

/// The two iSTDP increments, computed as the spec writes them: for a postsynaptic unit that
/// fired at t+1, `-eta (1 - (1 + 1/mu))`; for one that did not, `-eta (1 - 0)`.
pub(crate) fn istdp_deltas(eta_inhib: f32, mu_ip: f32) -> (f32, f32) {
    let fired = -eta_inhib * (1.0 - 1.0 * (1.0 + 1.0 / mu_ip));
    let silent = -eta_inhib * (1.0 - 0.0 * (1.0 + 1.0 / mu_ip));
    (fired, silent)
}

/// 5. Synaptic normalisation of the marked rows; clears the marks.
pub(crate) fn normalize(syn: &mut SynMut<'_>, dirty: &mut [u32], counts: &mut RuleCounts) {
    for word in 0..dirty.len() {
        let mut m = core::mem::take(&mut dirty[word]);
        while m != 0 {
            let post = word * 32 + m.trailing_zeros() as usize;
            m &= m - 1;
            if !syn.normalize_incoming(post) {
                counts.empty_rows += 1;
            }
        }
    }
}
