//! The five plasticity rules, in the order a step applies them (spec section 3). Each function
//! is one rule; the network calls the ones that are not frozen. `x_t` / `x_t1` are the
//! excitatory spike bits before and after this step, `y_t` the inhibitory bits before it.
//!
//! Rows a rule may have changed are marked in a "dirty" set (STDP: every unit active at t or
//! t+1; structural plasticity and iSTDP: each row they touch); normalisation rescales exactly
//! those rows (a row untouched since its last normalisation already sums to 1, and rescaling
//! it again would only move rounding bits), and the marks persist while `ss` is frozen.

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

/// Per excitatory unit `i`: bit 0 = x_i(t), bit 1 = x_i(t+1). The rules look spikes up here
/// (one load) instead of testing two bit vectors.
///
/// Four units at a time: a table spreads four bits of each word to the low bits of four
/// 16-bit lanes, and one 64-bit value fills four codes.
pub(crate) fn spike_codes(x_t: &[u32], x_t1: &[u32], codes: &mut [u16]) {
    for (chunk, (&a, &b)) in codes.chunks_mut(32).zip(x_t.iter().zip(x_t1)) {
        let (mut a, mut b) = (a, b);
        let mut quads = chunk.chunks_exact_mut(4);
        for q in &mut quads {
            let v = SPREAD[(a & 15) as usize] | SPREAD[(b & 15) as usize] << 1;
            q.copy_from_slice(&[v as u16, (v >> 16) as u16, (v >> 32) as u16, (v >> 48) as u16]);
            a >>= 4;
            b >>= 4;
        }
        for c in quads.into_remainder() {
            *c = ((a & 1) | (b & 1) << 1) as u16;
            a >>= 1;
            b >>= 1;
        }
    }
}

/// Bit `k` of the index moved to bit `16 k` (k < 4).
const SPREAD: [u64; 16] = {
    let mut t = [0u64; 16];
    let mut n = 0;
    while n < 16 {
        let mut k = 0;
        while k < 4 {
            t[n] |= ((n as u64 >> k) & 1) << (16 * k);
            k += 1;
        }
        n += 1;
    }
    t
};

/// The excitatory spikes of a step: bits before (t) and after (t+1), and their per-unit codes
/// (see [`spike_codes`]).
pub(crate) struct Spikes<'a> {
    pub x_t: &'a [u32],
    pub x_t1: &'a [u32],
    pub codes: &'a [u16],
}

/// Rule 1, STDP, on existing E->E synapses: `w += eta (x_i(t+1) x_j(t) - x_i(t) x_j(t+1))`, clipped
/// to `[0, w_max]`; a weight clipped to 0 is pruned. Only synapses of units active at t or
/// t+1 can change, so only their outgoing lists are visited.
#[inline(never)]
pub(crate) fn stdp(
    ee: &mut SynMut<'_>,
    spikes: &Spikes<'_>,
    eta: f32,
    w_max: f32,
    dirty: &mut [u32],
    counts: &mut RuleCounts,
) {
    let Spikes { x_t, x_t1, codes } = *spikes;
    // Only units active at t or t+1 can gain or lose weight: mark their rows for
    // normalisation once, instead of per changed synapse.
    for (d, (&a, &b)) in dirty.iter_mut().zip(x_t.iter().zip(x_t1)) {
        *d |= a | b;
    }
    // The change of `pre -> post` by the two units' spike codes (bit 0: fired at t, bit 1: fires
    // at t+1): potentiated when pre fired at t and post fires at t+1, depressed when pre fires
    // at t+1 and post fired at t, unchanged (`+ 0.0`, exact) when both or neither hold.
    let table = [[0.0; 4], [0.0, 0.0, eta, eta], [0.0, -eta, 0.0, -eta], [0.0, -eta, eta, 0.0]];
    for (word, (&a, &b)) in x_t.iter().zip(x_t1).enumerate() {
        let mut active = a | b;
        while active != 0 {
            let k = active.trailing_zeros();
            active &= active - 1;
            let pre = word * 32 + k as usize;
            let delta = &table[((a >> k & 1) | (b >> k & 1) << 1) as usize];
            counts.ee_pruned += update_list(ee, pre, w_max, |post| delta[usize::from(codes[post] & 3)]);
        }
    }
}

/// Adds `delta(post)` to every weight of `pre`'s outgoing list and clips it to `w_max`; a weight
/// that reaches 0 is removed. Returns the number removed.
///
/// Branch-free on the common path; only pruning branches: the scan stops at a weight that
/// reaches 0, which is removed (the list's last synapse moves into its slot, keeping its old
/// weight until the scan, resumed there, reaches it).
#[inline(always)]
fn update_list(syn: &mut SynMut<'_>, pre: usize, w_max: f32, mut delta: impl FnMut(usize) -> f32) -> u32 {
    let start = syn.out_off[pre] as usize;
    let mut end = start + syn.out_len[pre] as usize;
    let mut slot = start;
    let mut pruned = 0;
    while slot < end {
        let hit = syn.post[slot..end].iter().zip(&mut syn.w[slot..end]).position(|(&post, w)| {
            let v = *w + delta(usize::from(post));
            if v <= 0.0 {
                return true; // left as it was: `remove` overwrites or frees the slot
            }
            // Compare and select instead of `f32::min` (the same value for finite weights, and
            // no NaN handling or library call on the board).
            *w = if v > w_max { w_max } else { v };
            false
        });
        let Some(j) = hit else { break };
        slot += j;
        syn.remove(pre, slot);
        end -= 1;
        pruned += 1;
    }
    pruned
}

/// Rule 2, intrinsic plasticity: `T_i += eta_ip (x_i(t+1) - h_i)`, clipped to `[te_min, te_max]` when
/// `clip` is given.
pub(crate) fn ip(te: &mut [f32], h_ip: &[f32], codes: &[u16], eta_ip: f32, clip: Option<(f32, f32)>) {
    let units = te.iter_mut().zip(h_ip).zip(codes);
    let step = |t: f32, h: f32, code: u16| t + eta_ip * (f32::from(code >> 1) - h);
    // One loop per case (the choice is made once, not per unit). Comparisons and selects are
    // exact: the same bits on every target.
    match clip {
        Some((lo, hi)) => {
            for ((t, &h), &code) in units {
                let v = step(*t, h, code);
                let v = if v < lo { lo } else { v };
                *t = if v > hi { hi } else { v };
            }
        }
        None => units.for_each(|((t, &h), &code)| *t = step(*t, h, code)),
    }
}

/// Attempts at drawing an absent pair at random before enumerating them.
const SP_ATTEMPTS: u32 = 64;

/// Rule 3, structural plasticity: with probability `p_sp`, one E->E synapse `pre -> post` (pre != post)
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
    let Some((pre, post)) = absent_pair(ee, ne, rng, marks) else {
        return;
    };
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

/// Rule 4, inhibitory STDP, on existing I->E synapses of inhibitory units active at t:
/// `w += -eta_inhib (1 - x_i(t+1) (1 + 1/mu_ip))`, clipped to `[0, w_max]`; 0 prunes.
#[inline(never)]
pub(crate) fn istdp(
    ei: &mut SynMut<'_>,
    y_t: &[u32],
    codes: &[u16],
    deltas: (f32, f32),
    w_max: f32,
    dirty: &mut [u32],
    counts: &mut RuleCounts,
) {
    let (d_fired, d_silent) = deltas;
    // By the target's spike code: bit 1 = fired at t+1.
    let table = [d_silent, d_silent, d_fired, d_fired];
    for pre in Ones::new(y_t) {
        counts.ei_pruned += update_list(ei, pre, w_max, |post| {
            bits::set(dirty, post);
            table[usize::from(codes[post] & 3)]
        });
    }
}

/// The two iSTDP increments, computed as the spec writes them: for a postsynaptic unit that
/// fired at t+1, `-eta (1 - (1 + 1/mu))`; for one that did not, `-eta (1 - 0)`.
pub(crate) fn istdp_deltas(eta_inhib: f32, mu_ip: f32) -> (f32, f32) {
    let fired = -eta_inhib * (1.0 - 1.0 * (1.0 + 1.0 / mu_ip));
    let silent = -eta_inhib * (1.0 - 0.0 * (1.0 + 1.0 / mu_ip));
    (fired, silent)
}

/// Rule 5, synaptic normalisation, of the marked rows; clears the marks.
pub(crate) fn normalize(syn: &mut SynMut<'_>, dirty: &mut [u32], counts: &mut RuleCounts) {
    for (word, marks) in dirty.iter_mut().enumerate() {
        let mut m = core::mem::take(marks);
        while m != 0 {
            let post = word * 32 + m.trailing_zeros() as usize;
            m &= m - 1;
            if !syn.normalize_incoming(post) {
                counts.empty_rows += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each rule on a hand-built matrix, against values computed from the spec's formulas.
    use super::*;

    /// Storage for a small sparse matrix with `cap` slots per list.
    struct Mat {
        n: usize,
        post: [u16; 64],
        w: [f32; 64],
        out_off: [u32; 9],
        out_len: [u16; 8],
        in_off: [u32; 9],
        in_len: [u16; 8],
        in_pos: [u32; 64],
    }

    impl Mat {
        /// `n` units, lists of capacity 8, synapses `(pre, post, w)`.
        fn new(n: usize, syn: &[(usize, usize, f32)]) -> Mat {
            let mut m = Mat {
                n,
                post: [0; 64],
                w: [0.0; 64],
                out_off: [0; 9],
                out_len: [0; 8],
                in_off: [0; 9],
                in_len: [0; 8],
                in_pos: [0; 64],
            };
            for k in 0..=8 {
                m.out_off[k] = (k.min(n) * 8) as u32;
                m.in_off[k] = (k.min(n) * 8) as u32;
            }
            for &(pre, post, w) in syn {
                m.view().insert(pre, post, w).unwrap();
            }
            m
        }

        fn view(&mut self) -> SynMut<'_> {
            let n = self.n;
            SynMut {
                post: &mut self.post,
                w: &mut self.w,
                out_off: &mut self.out_off[..=n],
                out_len: &mut self.out_len[..n],
                in_off: &mut self.in_off[..=n],
                in_len: &mut self.in_len[..n],
                in_pos: &mut self.in_pos,
            }
        }

        fn weight(&mut self, pre: usize, post: usize) -> Option<f32> {
            let v = self.view();
            v.out_range(pre).find(|&s| v.post[s] as usize == post).map(|s| v.w[s])
        }

        /// Every slot is indexed exactly once, by its own target.
        fn check_index(&mut self) {
            let v = self.view();
            let n = v.out_len.len();
            let mut seen = 0;
            for pre in 0..n {
                for s in v.out_range(pre) {
                    let post = v.post[s] as usize;
                    let start = v.in_off[post] as usize;
                    let list = &v.in_pos[start..start + v.in_len[post] as usize];
                    assert_eq!(list.iter().filter(|&&p| p as usize == s).count(), 1);
                    seen += 1;
                }
            }
            assert_eq!(seen, v.in_len.iter().map(|&l| l as usize).sum::<usize>());
        }
    }

    fn bits_of(units: &[usize]) -> [u32; 1] {
        let mut w = [0u32];
        units.iter().for_each(|&i| bits::set(&mut w, i));
        w
    }

    #[test]
    fn spike_codes_are_the_two_bits_of_each_unit() {
        let mut rng = NetRng::seed_from_u64(6);
        for n in [1usize, 3, 4, 31, 32, 33, 63, 67, 200] {
            let w = crate::bits::words_for(n);
            let mut x_t = [0u32; 7];
            let mut x_t1 = [0u32; 7];
            for i in 0..n {
                if rng.below(2) == 1 {
                    bits::set(&mut x_t, i);
                }
                if rng.below(3) == 1 {
                    bits::set(&mut x_t1, i);
                }
            }
            let mut codes = [9u16; 200];
            spike_codes(&x_t[..w], &x_t1[..w], &mut codes[..n]);
            for (i, &c) in codes[..n].iter().enumerate() {
                assert_eq!(
                    c,
                    u16::from(bits::get(&x_t, i)) | u16::from(bits::get(&x_t1, i)) << 1,
                    "{n} units, unit {i}"
                );
            }
            assert!(codes[n..].iter().all(|&c| c == 9), "only the first {n} codes are written");
        }
    }

    #[test]
    fn stdp_potentiates_depresses_and_prunes() {
        let eta = 0.004f32;
        // 0 fires at t, 1 at t+1; 3 fires at t+1 too.
        let (x_t, x_t1) = (bits_of(&[0]), bits_of(&[1, 3]));
        let mut m = Mat::new(4, &[(0, 1, 0.5), (1, 0, 0.3), (2, 1, 0.25), (3, 0, 0.003), (0, 2, 0.7), (0, 3, 0.999)]);
        let mut dirty = [0u32];
        let mut c = RuleCounts::default();
        let mut codes = [0u16; 4];
        spike_codes(&x_t, &x_t1, &mut codes);
        let spikes = Spikes { x_t: &x_t, x_t1: &x_t1, codes: &codes };
        stdp(&mut m.view(), &spikes, eta, 1.0, &mut dirty, &mut c);
        // x_1(t+1) x_0(t) = 1: potentiation.
        assert_eq!(m.weight(0, 1), Some(0.5 + eta));
        // x_0(t) x_1(t+1) = 1 seen from 1 -> 0: depression.
        assert_eq!(m.weight(1, 0), Some(0.3 - eta));
        // Neither unit of 2 -> 1 / 0 -> 2 pairs in time: unchanged.
        assert_eq!(m.weight(2, 1), Some(0.25));
        assert_eq!(m.weight(0, 2), Some(0.7));
        // 3 -> 0 is depressed below 0: clipped to 0 and pruned.
        assert_eq!(m.weight(3, 0), None);
        assert_eq!(c.ee_pruned, 1);
        // 0 -> 3 is potentiated past 1: clipped to w_max.
        assert_eq!(m.weight(0, 3), Some(1.0));
        assert_eq!(dirty[0], 0b1011, "rows of the units active at t or t+1 (0, 1, 3) are marked");
        m.check_index();
    }

    #[test]
    fn ip_moves_thresholds_toward_the_target_rate() {
        let mut te = [0.5f32, 0.5, 0.001, 0.999];
        let h = [0.1f32; 4];
        let mut codes = [0u16; 4];
        spike_codes(&[0], &bits_of(&[0, 3]), &mut codes);
        ip(&mut te, &h, &codes, 0.01, Some((0.0, 1.0)));
        assert_eq!(te[0], 0.5 + 0.01 * (1.0 - 0.1));
        assert_eq!(te[1], 0.5 + 0.01 * (0.0 - 0.1));
        assert_eq!(te[2], 0.0, "clipped at te_min");
        assert_eq!(te[3], 1.0, "clipped at te_max");
        let mut free = [0.001f32];
        ip(&mut free, &h[..1], &[0u16], 0.01, None);
        assert_eq!(free[0], 0.001 - 0.01 * 0.1, "no clipping when disabled");
    }

    #[test]
    fn istdp_grows_on_fired_targets_and_shrinks_on_silent_ones() {
        let (eta, mu) = (0.001f32, 0.1f32);
        let deltas = istdp_deltas(eta, mu);
        // The spec: +10 eta for a target that fired at t+1, -eta for one that did not.
        assert!((deltas.0 - 10.0 * eta).abs() < 1e-9, "{deltas:?}");
        assert_eq!(deltas.1, -eta);
        // Inhibitory unit 0 fired at t; unit 1 did not.
        let y_t = bits_of(&[0]);
        let x_t1 = bits_of(&[2]);
        let mut m = Mat::new(4, &[(0, 2, 0.2), (0, 3, 0.2), (0, 1, 0.0005), (1, 3, 0.2)]);
        let mut dirty = [0u32];
        let mut c = RuleCounts::default();
        let mut codes = [0u16; 4];
        spike_codes(&[0], &x_t1, &mut codes);
        istdp(&mut m.view(), &y_t, &codes, deltas, 1.0, &mut dirty, &mut c);
        assert_eq!(m.weight(0, 2), Some(0.2 + deltas.0));
        assert_eq!(m.weight(0, 3), Some(0.2 - eta));
        assert_eq!(m.weight(0, 1), None, "pruned at 0");
        assert_eq!(m.weight(1, 3), Some(0.2), "source silent at t");
        assert_eq!((c.ei_pruned, dirty[0]), (1, 0b1110));
        m.check_index();
    }

    #[test]
    fn normalisation_scales_marked_rows_to_one_and_keeps_empty_rows_at_zero() {
        let mut m = Mat::new(4, &[(0, 1, 1.0), (2, 1, 1.0), (3, 1, 2.0), (1, 2, 0.5), (0, 3, 0.2)]);
        let mut dirty = bits_of(&[0, 1, 2]);
        let mut c = RuleCounts::default();
        normalize(&mut m.view(), &mut dirty, &mut c);
        assert_eq!([m.weight(0, 1), m.weight(2, 1), m.weight(3, 1)], [Some(0.25), Some(0.25), Some(0.5)]);
        assert_eq!(m.weight(1, 2), Some(1.0));
        assert_eq!(m.weight(0, 3), Some(0.2), "unmarked row untouched");
        assert_eq!(c.empty_rows, 1, "unit 0 has no input: reported, not NaN");
        assert_eq!(dirty[0], 0, "marks cleared");
    }

    #[test]
    fn structural_plasticity_creates_only_absent_pairs_uniformly() {
        // 3 units, 6 possible pairs, 3 exist: 0->1, 1->2, 2->0. Absent: 1->0, 2->1, 0->2.
        let mut counts = [0u32; 9];
        let mut rng = NetRng::seed_from_u64(8);
        for _ in 0..3000 {
            let mut m = Mat::new(3, &[(0, 1, 0.3), (1, 2, 0.3), (2, 0, 0.3)]);
            let mut marks_words = [0u32];
            let mut dirty = [0u32];
            let mut c = RuleCounts::default();
            sp(&mut m.view(), &mut rng, 1.0, 0.001, &mut Marks(&mut marks_words), &mut dirty, &mut c);
            assert_eq!(c.sp_created, 1);
            let v = m.view();
            let created: [(usize, usize); 3] = [(1, 0), (2, 1), (0, 2)];
            let hit: [bool; 3] = created.map(|(pre, post)| v.contains(pre, post));
            assert_eq!(hit.iter().filter(|&&h| h).count(), 1);
            let k = hit.iter().position(|&h| h).unwrap();
            counts[k] += 1;
            let (pre, post) = created[k];
            assert_eq!(m.weight(pre, post), Some(0.001));
            assert_eq!(dirty[0], 1 << post);
            m.check_index();
        }
        // Each of the 3 absent pairs ~ 1000 +- 26.
        for c in &counts[..3] {
            assert!((880..=1120).contains(c), "{counts:?}");
        }
    }

    #[test]
    fn structural_plasticity_counts_refusals_when_full() {
        // Unit 1's incoming list has capacity 1 and is full, and 0 -> 1 is the only absent pair.
        let mut m = Mat::new(2, &[(1, 0, 0.5)]);
        m.in_off[..3].copy_from_slice(&[0, 8, 9]);
        m.in_len[1] = 1;
        m.in_pos[8] = 63; // a stand-in occupant
        let mut marks_words = [0u32];
        let mut c = RuleCounts::default();
        let mut rng = NetRng::seed_from_u64(1);
        sp(&mut m.view(), &mut rng, 1.0, 0.001, &mut Marks(&mut marks_words), &mut [0], &mut c);
        assert_eq!((c.sp_created, c.sp_refused), (0, 1));
        assert_eq!(m.weight(0, 1), None);
    }

    #[test]
    fn structural_plasticity_does_nothing_when_every_pair_exists_or_the_coin_says_no() {
        let mut m = Mat::new(2, &[(0, 1, 0.5), (1, 0, 0.5)]);
        let mut rng = NetRng::seed_from_u64(2);
        let mut c = RuleCounts::default();
        let mut marks_words = [0u32];
        sp(&mut m.view(), &mut rng, 1.0, 0.001, &mut Marks(&mut marks_words), &mut [0], &mut c);
        sp(&mut Mat::new(2, &[]).view(), &mut rng, 0.0, 0.001, &mut Marks(&mut marks_words), &mut [0], &mut c);
        assert_eq!(c, RuleCounts::default());
    }

    #[test]
    fn removal_keeps_the_incoming_index_consistent() {
        let mut rng = NetRng::seed_from_u64(4);
        let mut m = Mat::new(8, &[]);
        for _ in 0..2000 {
            let (pre, post) = (rng.below(8) as usize, rng.below(8) as usize);
            let mut v = m.view();
            if let Some(slot) = v.out_range(pre).find(|&s| v.post[s] as usize == post) {
                v.remove(pre, slot);
            } else {
                let _ = v.insert(pre, post, 0.5);
            }
            m.check_index();
        }
    }
}
