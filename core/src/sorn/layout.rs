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
//! `[T; N]`, `Vec<T>`), and buffers longer than needed are fine.
//!
//! # What is in them (default network: N_E 200, N_I 40)
//!
//! | array | type | length | default |
//! |---|---|---|---|
//! | E->E weights, targets, incoming index | f32, u16, u32 | C_EE = N_E (ceil(lambda_EE) + spare) | 4,800 each |
//! | I->E weights, targets, incoming index | f32, u16, u32 | C_EI = N_I (ceil(lambda_EI) + spare) | 1,760 each |
//! | E->I weights (dense, fixed) | f32 | N_E N_I | 8,000 |
//! | list offsets and lengths | u32, u16 | ~ 3 (N_E + N_I) each | |
//! | thresholds, IP targets, drive accumulators, noise | f32 | 5 N_E + 3 N_I | |
//! | spike codes (x(t), x(t+1) per unit) | u16 | N_E | |
//! | spike bits (x, y double-buffered; r; 3 scratch sets) | u32 | words of 6 N_E + 2 N_I bits | |
//!
//! The default network needs 107,880 bytes (105.4 KiB, [`Layout::bytes`]); 31 KiB of it is the
//! dense, fixed E->I matrix the package specifies.

use super::{BufferError, Config};
use crate::bits::words_for;

/// Lengths of a network's three buffers and of the arrays inside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Layout {
    /// Excitatory units.
    pub ne: usize,
    /// Inhibitory units.
    pub ni: usize,
    /// E->E synapse capacity.
    pub ee_capacity: usize,
    /// I->E synapse capacity.
    pub ei_capacity: usize,
    /// Length of the `f32` buffer.
    pub f32_len: usize,
    /// Length of the `u16` buffer.
    pub u16_len: usize,
    /// Length of the `u32` buffer.
    pub u32_len: usize,
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
        let (we, wi) = (words_for(ne), words_for(ni));
        // ee_w, ei_w, ie_w, te, ti, h_ip, acc_ee, acc_ei, acc_i, noise
        let f32_len = ee_capacity
            .saturating_add(ei_capacity)
            .saturating_add(ne.saturating_mul(ni))
            .saturating_add(ne.saturating_mul(5))
            .saturating_add(ni.saturating_mul(3));
        // ee_post, ee_out_len, ee_in_len, ei_post, ei_out_len, ei_in_len, codes
        let u16_len = ee_capacity.saturating_add(ei_capacity).saturating_add(ne.saturating_mul(5)).saturating_add(ni);
        // ee_out_off, ee_in_off, ee_in_pos, ei_out_off, ei_in_off, ei_in_pos, x[2], y[2], r,
        // dirty_ee, dirty_ei, marks
        let u32_len = ee_capacity
            .saturating_add(ei_capacity)
            .saturating_add(ne.saturating_mul(3))
            .saturating_add(ni)
            .saturating_add(4)
            .saturating_add(we.saturating_mul(6))
            .saturating_add(wi.saturating_mul(2));
        Layout { ne, ni, ee_capacity, ei_capacity, f32_len, u16_len, u32_len }
    }

    /// Total bytes of the three buffers.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Config, Layout};
    /// let bytes = Layout::new(&Config::DEFAULT).bytes();
    /// assert!(bytes < 106 * 1024, "{bytes}");
    /// ```
    pub const fn bytes(&self) -> usize {
        self.f32_len * 4 + self.u16_len * 2 + self.u32_len * 4
    }

    /// Cuts the buffers into the network's arrays. `None` if a buffer is too short.
    pub(crate) fn split<'a>(&self, f: &'a mut [f32], h: &'a mut [u16], w: &'a mut [u32]) -> Option<Parts<'a>> {
        let (ne, ni) = (self.ne, self.ni);
        let (ce, ci) = (self.ee_capacity, self.ei_capacity);
        let (we, wi) = (words_for(ne), words_for(ni));
        let mut f = Cutter(f);
        let mut h = Cutter(h);
        let mut w = Cutter(w);
        Some(Parts {
            ee: RawSyn {
                w: f.take(ce)?,
                post: h.take(ce)?,
                out_len: h.take(ne)?,
                in_len: h.take(ne)?,
                out_off: w.take(ne + 1)?,
                in_off: w.take(ne + 1)?,
                in_pos: w.take(ce)?,
            },
            ei: RawSyn {
                w: f.take(ci)?,
                post: h.take(ci)?,
                out_len: h.take(ni)?,
                in_len: h.take(ne)?,
                out_off: w.take(ni + 1)?,
                in_off: w.take(ne + 1)?,
                in_pos: w.take(ci)?,
            },
            ie_w: f.take(ne * ni)?,
            te: f.take(ne)?,
            ti: f.take(ni)?,
            h_ip: f.take(ne)?,
            acc_ee: f.take(ne)?,
            acc_ei: f.take(ne)?,
            acc_i: f.take(ni)?,
            noise: f.take(ne + ni)?,
            codes: h.take(ne)?,
            x: w.take(2 * we)?,
            y: w.take(2 * wi)?,
            r: w.take(we)?,
            dirty_ee: w.take(we)?,
            dirty_ei: w.take(we)?,
            marks: w.take(we)?,
        })
    }
}

const fn min(a: usize, b: usize) -> usize {
    if a < b { a } else { b }
}

/// Takes consecutive pieces off the front of a buffer.
struct Cutter<'a, T>(&'a mut [T]);

impl<'a, T> Cutter<'a, T> {
    fn take(&mut self, n: usize) -> Option<&'a mut [T]> {
        let all = core::mem::take(&mut self.0);
        let (head, tail) = all.split_at_mut_checked(n)?;
        self.0 = tail;
        Some(head)
    }
}

/// The arrays of one sparse matrix, as cut from the buffers.
pub(crate) struct RawSyn<'a> {
    pub w: &'a mut [f32],
    pub post: &'a mut [u16],
    pub out_len: &'a mut [u16],
    pub in_len: &'a mut [u16],
    pub out_off: &'a mut [u32],
    pub in_off: &'a mut [u32],
    pub in_pos: &'a mut [u32],
}

impl<'a> RawSyn<'a> {
    pub fn as_mut(&mut self) -> super::synapses::SynMut<'_> {
        super::synapses::SynMut {
            post: self.post,
            w: self.w,
            out_off: self.out_off,
            out_len: self.out_len,
            in_off: self.in_off,
            in_len: self.in_len,
            in_pos: self.in_pos,
        }
    }

    pub fn as_ref(&self) -> super::Synapses<'_> {
        super::Synapses {
            post: self.post,
            w: self.w,
            out_off: self.out_off,
            out_len: self.out_len,
            in_off: self.in_off,
            in_len: self.in_len,
            in_pos: self.in_pos,
        }
    }
}

/// Every array of a network, named.
pub(crate) struct Parts<'a> {
    pub ee: RawSyn<'a>,
    pub ei: RawSyn<'a>,
    /// E->I weights, dense, `[pre e][post i]`.
    pub ie_w: &'a mut [f32],
    pub te: &'a mut [f32],
    pub ti: &'a mut [f32],
    pub h_ip: &'a mut [f32],
    pub acc_ee: &'a mut [f32],
    pub acc_ei: &'a mut [f32],
    pub acc_i: &'a mut [f32],
    /// This step's noise, excitatory then inhibitory units.
    pub noise: &'a mut [f32],
    /// Per excitatory unit: bit 0 = x(t), bit 1 = x(t+1) (one load instead of two bit tests).
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
    F: AsRef<[f32]> + AsMut<[f32]>,
    H: AsRef<[u16]> + AsMut<[u16]>,
    W: AsRef<[u32]> + AsMut<[u32]>,
{
    /// Wraps three buffers.
    pub fn new(f32s: F, u16s: H, u32s: W) -> Self {
        Buffers { f32s, u16s, u32s }
    }

    /// Checks that each buffer is at least as long as `layout` needs.
    pub fn check(&self, layout: &Layout) -> Result<(), BufferError> {
        let have = [self.f32s.as_ref().len(), self.u16s.as_ref().len(), self.u32s.as_ref().len()];
        let need = [layout.f32_len, layout.u16_len, layout.u32_len];
        for (k, buffer) in ["f32", "u16", "u32"].into_iter().enumerate() {
            if have[k] < need[k] {
                return Err(BufferError { buffer, needed: need[k], got: have[k] });
            }
        }
        Ok(())
    }
}
