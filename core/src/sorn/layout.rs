//! Memory: how big a network's buffers are, and how they are cut into named arrays.
//!
//! # The approach: caller-owned buffers, lengths from a `const fn`
//!
//! A network never allocates. Its caller owns three flat buffers, one per element type
//! (`f32`, `u16`, `u32`), and hands them over in a [`Buffers`]. [`Layout::new`] computes their
//! lengths from a [`Config`]; it is a `const fn`, so a board sizes `static` arrays at compile
//! time while a host sizes `Vec`s at run time, and both run the same code:
//!
//! ```
//! use neuroloop_core::sorn::{Buffers, Config, Layout, Sorn};
//! const CFG: Config = Config::DEFAULT;
//! const L: Layout = Layout::new(&CFG);
//! // A board: fixed-size arrays (here on the stack; on a board, `static mut` in `#[entry]`).
//! let mut f = [0.0f32; L.f32_len];
//! let mut h = [0u16; L.u16_len];
//! let mut w = [0u32; L.u32_len];
//! let net = Sorn::new(&CFG, 1, Buffers::new(&mut f[..], &mut h[..], &mut w[..])).unwrap();
//! // A host: the same lengths, chosen at run time.
//! let cfg = Config::with_size(400, 10);
//! let l = Layout::new(&cfg);
//! let bufs = Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
//! let net2 = Sorn::new(&cfg, 1, bufs).unwrap();
//! # let _ = (net, net2);
//! ```
//!
//! Const generics were the alternative; they would need one parameter per array (a stable
//! compiler cannot compute array lengths from generic parameters) and would make host sizes a
//! compile-time choice. Buffers of any type that dereferences to a slice work (`&mut [T]`,
//! `[T; N]`, `Vec<T>`), and buffers longer than needed are fine (the core's buffer rule,
//! [`crate::layout`]).
//!
//! The arrays of each buffer are declared once below ([`F32Spans`], [`U16Spans`],
//! [`U32Spans`]); cutting the buffers and every read accessor of [`super::Sorn`] use those
//! spans, so they cannot disagree.
//!
//! # What is in them (default network: N_E 200, N_I 40)
//!
//! | array | type | length | default |
//! |---|---|---|---|
//! | E->E weights, targets, incoming index | f32, u16, u32 | C_EE = N_E (ceil(lambda_EE) + spare) | 4,800 each |
//! | I->E weights, targets, incoming index | f32, u16, u32 | C_EI = N_I (ceil(lambda_EI) + spare) | 1,760 each |
//! | E->I weights (dense, fixed) | f32 | N_E N_I | 8,000 |
//! | E->I weights, targets, list offsets (sparse: `lambda_ie` set, instead of the dense matrix) | f32, u16, u32 | C_IE = N_I (ceil(lambda_IE) + [`IE_SPARE_PER_UNIT`]) weights and targets; N_E + 1 offsets | - |
//! | list offsets and lengths | u32, u16 | ~ 3 N_E + N_I each | |
//! | thresholds, IP targets, drive accumulators, noise | f32 | 5 N_E + 3 N_I | |
//! | spike codes (x(t), x(t+1) per unit) | u16 | N_E | |
//! | spike bits (x, y double-buffered; r; 3 scratch sets) | u32 | words of 6 N_E + 2 N_I bits | |
//!
//! The default network needs 106,520 bytes (104.0 KiB, [`Layout::bytes`]); 31 KiB of it is the
//! dense, fixed E->I matrix the package specifies. With `lambda_ie` set, E->I is stored as
//! outgoing lists instead (6 bytes per synapse, an f32 and a u16, plus 4 per excitatory unit
//! for the offsets), so memory is linear in N_E: an N_E 60,000, N_I 12,000 network at
//! `lambda_ie` 100 needs 7.7 MB for E->I (1,248,000 slots) instead of 2.9 GB.

use super::Config;
use super::ie::IeMut;
use super::synapses::SynMut;
use crate::bits::words_for;
use crate::layout::buffer_arrays;
use crate::layout::{BufferError, Span, Storage};

/// The sizes every array length derives from (capacities are computed first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sizes {
    ne: usize,
    ni: usize,
    ee_capacity: usize,
    ei_capacity: usize,
    /// E->I synapse slots: `ne * ni` when dense.
    ie_capacity: usize,
    /// E->I is stored as outgoing lists (`lambda_ie` set).
    ie_sparse: bool,
}

/// Spare E->I slots per inhibitory unit beyond ceil(`lambda_ie`), shared by the whole matrix:
/// room for the spread of the random in-degrees and for repairs (E->I never grows later).
pub const IE_SPARE_PER_UNIT: usize = 4;

const fn words(n: usize) -> usize {
    words_for(n)
}

buffer_arrays! {
    /// Where the arrays of the `f32` buffer lie.
    pub struct F32Spans, pub(crate) struct F32Parts<f32> for s: Sizes {
        /// E->E weights, one per synapse slot.
        ee_w: s.ee_capacity,
        /// I->E weights.
        ei_w: s.ei_capacity,
        /// E->I weights: dense `[pre e][post i]`, or one per slot of the sparse lists.
        ie_w: s.ie_capacity,
        /// Excitatory thresholds.
        te: s.ne,
        /// Inhibitory thresholds.
        ti: s.ni,
        /// Per-unit IP target rates.
        h_ip: s.ne,
        /// E->E drive of the step.
        acc_ee: s.ne,
        /// I->E drive of the step.
        acc_ei: s.ne,
        /// E->I drive of the step.
        acc_i: s.ni,
        /// This step's noise, excitatory then inhibitory units.
        noise: s.ne.saturating_add(s.ni),
    }
}

buffer_arrays! {
    /// Where the arrays of the `u16` buffer lie.
    pub struct U16Spans, pub(crate) struct U16Parts<u16> for s: Sizes {
        /// E->E targets, one per slot.
        ee_post: s.ee_capacity,
        /// E->E outgoing list lengths.
        ee_out_len: s.ne,
        /// E->E incoming index lengths.
        ee_in_len: s.ne,
        /// I->E targets.
        ei_post: s.ei_capacity,
        /// I->E outgoing list lengths.
        ei_out_len: s.ni,
        /// I->E incoming index lengths.
        ei_in_len: s.ne,
        /// Sparse E->I targets, one per slot (empty when dense).
        ie_post: if s.ie_sparse { s.ie_capacity } else { 0 },
        /// Per excitatory unit: bit 0 = x(t), bit 1 = x(t+1) (one load instead of two bit tests).
        codes: s.ne,
    }
}

buffer_arrays! {
    /// Where the arrays of the `u32` buffer lie.
    pub struct U32Spans, pub(crate) struct U32Parts<u32> for s: Sizes {
        /// E->E outgoing list offsets (`ne + 1`).
        ee_out_off: s.ne.saturating_add(1),
        /// E->E incoming index offsets.
        ee_in_off: s.ne.saturating_add(1),
        /// E->E incoming index: slots, per target.
        ee_in_pos: s.ee_capacity,
        /// I->E outgoing list offsets (`ni + 1`).
        ei_out_off: s.ni.saturating_add(1),
        /// I->E incoming index offsets.
        ei_in_off: s.ne.saturating_add(1),
        /// I->E incoming index.
        ei_in_pos: s.ei_capacity,
        /// Sparse E->I list offsets (`ne + 1`; empty when dense).
        ie_off: if s.ie_sparse { s.ne.saturating_add(1) } else { 0 },
        /// Excitatory spikes, two halves (current and next), swapped every step.
        x: words(s.ne).saturating_mul(2),
        /// Inhibitory spikes, two halves.
        y: words(s.ni).saturating_mul(2),
        /// Recurrent activation of the last step.
        r: words(s.ne),
        /// E->E rows to normalise.
        dirty_ee: words(s.ne),
        /// I->E rows to normalise.
        dirty_ei: words(s.ne),
        /// Scratch membership set, all zero between uses.
        marks: words(s.ne),
    }
}

/// Lengths of a network's three buffers and where each array lies in them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Excitatory units.
    pub ne: usize,
    /// Inhibitory units.
    pub ni: usize,
    /// E->E synapse capacity.
    pub ee_capacity: usize,
    /// I->E synapse capacity.
    pub ei_capacity: usize,
    /// E->I synapse capacity: `ne * ni` (every pair) when dense, else
    /// `min(ni (ceil(lambda_ie) + IE_SPARE_PER_UNIT), ne ni)` list slots.
    pub ie_capacity: usize,
    /// E->I is stored as sparse outgoing lists (`lambda_ie` set) rather than densely.
    pub ie_sparse: bool,
    /// Length of the `f32` buffer.
    pub f32_len: usize,
    /// Length of the `u16` buffer.
    pub u16_len: usize,
    /// Length of the `u32` buffer.
    pub u32_len: usize,
    /// The arrays of the `f32` buffer.
    pub f32s: F32Spans,
    /// The arrays of the `u16` buffer.
    pub u16s: U16Spans,
    /// The arrays of the `u32` buffer.
    pub u32s: U32Spans,
}

/// `ceil(x)` for a non-negative finite `f32`, in a `const` context; 0 for anything else.
const fn ceil_u32(x: f32) -> usize {
    if x.is_nan() || x <= 0.0 || x > 4.0e9 {
        return 0;
    }
    let t = x as u32;
    (if (t as f32) < x { t + 1 } else { t }) as usize
}

impl Layout {
    /// The buffer lengths a network with this configuration needs. Never panics (sizes
    /// saturate); validity is [`Config::validate`]'s job.
    pub const fn new(cfg: &Config) -> Layout {
        let ne = cfg.ne as usize;
        let ni = cfg.ni as usize;
        let ee_per = ceil_u32(cfg.lambda_ee).saturating_add(cfg.ee_spare_per_unit as usize);
        let ee_all = ne.saturating_mul(ne.saturating_sub(1));
        let ee_capacity = min(ne.saturating_mul(ee_per), ee_all);
        let ei_per = ceil_u32(cfg.lambda_ei).saturating_add(cfg.ei_spare_per_unit as usize);
        let ei_capacity = min(ni.saturating_mul(ei_per), ni.saturating_mul(ne));
        let ie_all = ne.saturating_mul(ni);
        let (ie_capacity, ie_sparse) = match cfg.lambda_ie {
            None => (ie_all, false),
            Some(l) => (min(ni.saturating_mul(ceil_u32(l).saturating_add(IE_SPARE_PER_UNIT)), ie_all), true),
        };
        let sizes = Sizes { ne, ni, ee_capacity, ei_capacity, ie_capacity, ie_sparse };
        let (f32s, u16s, u32s) = (F32Spans::new(&sizes), U16Spans::new(&sizes), U32Spans::new(&sizes));
        Layout {
            ne,
            ni,
            ee_capacity,
            ei_capacity,
            ie_capacity,
            ie_sparse,
            f32_len: f32s.total(),
            u16_len: u16s.total(),
            u32_len: u32s.total(),
            f32s,
            u16s,
            u32s,
        }
    }

    /// Total bytes of the three buffers.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Config, Layout};
    /// let bytes = Layout::new(&Config::DEFAULT).bytes();
    /// assert_eq!(bytes, 106_520);
    /// ```
    pub const fn bytes(&self) -> usize {
        self.f32_len
            .saturating_mul(4)
            .saturating_add(self.u16_len.saturating_mul(2))
            .saturating_add(self.u32_len.saturating_mul(4))
    }

    /// The spans of one sparse matrix's arrays: weights, targets, out lengths, in lengths, out
    /// offsets, in offsets, incoming index.
    pub(crate) fn matrix(&self, m: Matrix) -> [Span; 7] {
        let (f, h, w) = (&self.f32s, &self.u16s, &self.u32s);
        match m {
            Matrix::Ee => [f.ee_w, h.ee_post, h.ee_out_len, h.ee_in_len, w.ee_out_off, w.ee_in_off, w.ee_in_pos],
            Matrix::Ei => [f.ei_w, h.ei_post, h.ei_out_len, h.ei_in_len, w.ei_out_off, w.ei_in_off, w.ei_in_pos],
        }
    }

    /// Cuts the buffers into the network's arrays. `None` if a buffer is too short.
    pub(crate) fn split<'a>(&self, f: &'a mut [f32], h: &'a mut [u16], w: &'a mut [u32]) -> Option<Parts<'a>> {
        let (f, h, w) = (self.f32s.split(f)?, self.u16s.split(h)?, self.u32s.split(w)?);
        Some(Parts {
            ee: SynMut::new(f.ee_w, h.ee_post, h.ee_out_len, h.ee_in_len, w.ee_out_off, w.ee_in_off, w.ee_in_pos),
            ei: SynMut::new(f.ei_w, h.ei_post, h.ei_out_len, h.ei_in_len, w.ei_out_off, w.ei_in_off, w.ei_in_pos),
            ie: IeMut { sparse: self.ie_sparse, ni: self.ni, w: f.ie_w, post: h.ie_post, off: w.ie_off },
            te: f.te,
            ti: f.ti,
            h_ip: f.h_ip,
            acc_ee: f.acc_ee,
            acc_ei: f.acc_ei,
            acc_i: f.acc_i,
            noise: f.noise,
            codes: h.codes,
            x: w.x,
            y: w.y,
            r: w.r,
            dirty_ee: w.dirty_ee,
            dirty_ei: w.dirty_ei,
            marks: w.marks,
        })
    }
}

/// The two sparse matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Matrix {
    /// E->E.
    Ee,
    /// I->E.
    Ei,
}

const fn min(a: usize, b: usize) -> usize {
    if a < b { a } else { b }
}

/// Every array of a network, named.
pub(crate) struct Parts<'a> {
    pub ee: SynMut<'a>,
    pub ei: SynMut<'a>,
    /// E->I weights, dense or sparse.
    pub ie: IeMut<'a>,
    pub te: &'a mut [f32],
    pub ti: &'a mut [f32],
    pub h_ip: &'a mut [f32],
    pub acc_ee: &'a mut [f32],
    pub acc_ei: &'a mut [f32],
    pub acc_i: &'a mut [f32],
    /// This step's noise, excitatory then inhibitory units.
    pub noise: &'a mut [f32],
    /// Per excitatory unit: bit 0 = x(t), bit 1 = x(t+1).
    pub codes: &'a mut [u16],
    /// Excitatory spikes, two halves (current and next), swapped every step.
    pub x: &'a mut [u32],
    /// Inhibitory spikes, two halves.
    pub y: &'a mut [u32],
    /// Recurrent activation of the last step.
    pub r: &'a mut [u32],
    pub dirty_ee: &'a mut [u32],
    pub dirty_ei: &'a mut [u32],
    /// Scratch membership set, all zero between uses.
    pub marks: &'a mut [u32],
}

/// The three buffers a network runs in; any slice-like storage works.
///
/// ```
/// use neuroloop_core::sorn::{Buffers, Config, Layout};
/// let l = Layout::new(&Config::DEFAULT);
/// let b = Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
/// assert!(b.check(&l).is_ok());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Buffers<F, H, W> {
    /// `f32` buffer: weights, thresholds, accumulators.
    pub f32s: F,
    /// `u16` buffer: synapse targets and list lengths.
    pub u16s: H,
    /// `u32` buffer: list offsets, incoming indices, spike bits.
    pub u32s: W,
}

impl<F, H, W> Buffers<F, H, W>
where
    F: Storage<f32>,
    H: Storage<u16>,
    W: Storage<u32>,
{
    /// Wraps three buffers.
    pub fn new(f32s: F, u16s: H, u32s: W) -> Self {
        Buffers { f32s, u16s, u32s }
    }

    /// Checks that each buffer is at least as long as `layout` needs.
    pub fn check(&self, layout: &Layout) -> Result<(), BufferError> {
        BufferError::check("f32", layout.f32_len, self.f32s.as_ref().len())?;
        BufferError::check("u16", layout.u16_len, self.u16s.as_ref().len())?;
        BufferError::check("u32", layout.u32_len, self.u32s.as_ref().len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Span;

    #[test]
    fn the_default_layout() {
        let l = Layout::new(&Config::DEFAULT);
        assert_eq!((l.ee_capacity, l.ei_capacity), (200 * 24, 40 * 44));
        assert_eq!((l.f32_len, l.u16_len, l.u32_len), (15_680, 7_400, 7_250));
        assert_eq!(l.bytes(), 15_680 * 4 + 7_400 * 2 + 7_250 * 4);
        // Arrays are consecutive and fill each buffer.
        assert_eq!(l.f32s.ie_w, Span { start: 4800 + 1760, len: 8000 });
        assert_eq!(l.f32s.noise.end(), l.f32_len);
        assert_eq!(l.u16s.codes.end(), l.u16_len);
        assert_eq!(l.u32s.marks.end(), l.u32_len);
        assert_eq!(l.u32s.x.len, 2 * 7);
    }

    #[test]
    fn split_cuts_what_the_spans_say_and_refuses_short_buffers() {
        let l = Layout::new(&Config::with_size(50, 5));
        let (mut f, mut h, mut w) = ([0.0f32; 4000], [0u16; 2000], [0u32; 2000]);
        let p = l.split(&mut f[..l.f32_len], &mut h[..l.u16_len], &mut w[..l.u32_len]).unwrap();
        assert_eq!((p.te.len(), p.ie.w.len(), p.codes.len(), p.x.len()), (50, 500, 50, 4));
        assert!(!p.ie.sparse && p.ie.post.is_empty() && p.ie.off.is_empty());
        assert!(l.split(&mut f[..l.f32_len - 1], &mut h[..], &mut w[..]).is_none());
    }

    #[test]
    fn sparse_e_to_i_is_linear_in_ne() {
        let dense = Layout::new(&Config::DEFAULT);
        let l = Layout::new(&Config { lambda_ie: Some(10.0), ..Config::DEFAULT });
        assert!(l.ie_sparse && !dense.ie_sparse);
        assert_eq!((dense.ie_capacity, l.ie_capacity), (200 * 40, 40 * (10 + IE_SPARE_PER_UNIT)));
        assert_eq!((l.f32s.ie_w.len, l.u16s.ie_post.len, l.u32s.ie_off.len), (560, 560, 201));
        assert_eq!((dense.u16s.ie_post.len, dense.u32s.ie_off.len), (0, 0));
        assert_eq!(dense.bytes() - l.bytes(), (8000 - 560) * 4 - 560 * 2 - 201 * 4);
        // Capped at every pair.
        let all = Layout::new(&Config { lambda_ie: Some(200.0), ..Config::DEFAULT });
        assert_eq!(all.ie_capacity, 8000);
        // N_E 60,000: E->I lists of 7.7 MB (6 bytes a slot plus the offsets) instead of a 2.9 GB matrix.
        let big = Config { lambda_ie: Some(100.0), ..Config::with_size(60_000, 10) };
        let l = Layout::new(&big);
        assert_eq!(l.ie_capacity, 12_000 * 104);
        assert!(l.bytes() < 100_000_000, "{}", l.bytes());
        assert!(big.validate().is_ok());
    }

    #[test]
    fn sizes_saturate() {
        let l = Layout::new(&Config { ne: u32::MAX, ni: u32::MAX, lambda_ee: f32::INFINITY, ..Config::DEFAULT });
        assert_eq!(l.bytes(), usize::MAX);
    }
}
