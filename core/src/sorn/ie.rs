//! E->I weights (the package's `Wie`, N_E x N_I, `[pre excitatory][post inhibitory]`): a dense
//! matrix by default, as the package has it, or, with [`super::Config::lambda_ie`] set, sparse
//! outgoing lists, so memory and time are linear in N_E.
//!
//! # Sparse layout
//!
//! Excitatory unit `j`'s synapses occupy slots `off[j] .. off[j + 1]`; slot `s` holds the
//! inhibitory target `post[s]` (`u16`, strictly increasing along a list) and the weight `w[s]`.
//! The lists are packed (`off[ne]` synapses, the rest of the capacity unused), because E->I
//! never changes after initialisation: no spare room per list is needed. Cost per synapse: 6
//! bytes, plus 4 per excitatory unit.
//!
//! # Same bits as dense
//!
//! Both layouts add, for each inhibitory unit, the weights of its active presynaptic units in
//! increasing presynaptic order (the dense loop also adds the zeros of absent synapses, which
//! changes no bit of a sum of non-negative weights), so a sparse network's spikes are those
//! the dense layout gives for the same weights.

use crate::bits::Ones;

/// Mutable view of the E->I arrays (borrowed from the network's buffers).
pub(crate) struct IeMut<'a> {
    /// Stored as lists (`lambda_ie` set); dense otherwise.
    pub sparse: bool,
    /// Inhibitory units (row length of the dense matrix).
    pub ni: usize,
    /// Weights: `ne * ni` dense, or one per slot.
    pub w: &'a mut [f32],
    /// Sparse targets, one per slot (empty when dense).
    pub post: &'a mut [u16],
    /// Sparse list offsets, `ne + 1` (empty when dense).
    pub off: &'a mut [u32],
}

/// The lists are full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Full;

impl IeMut<'_> {
    /// Adds, for every unit active in `x`, its outgoing weights to `acc` (the inhibitory drive),
    /// in increasing presynaptic order.
    #[inline]
    pub fn accumulate(&self, x: &[u32], acc: &mut [f32]) {
        let ni = self.ni;
        if self.sparse {
            for pre in Ones::new(x) {
                let r = self.off[pre] as usize..self.off[pre + 1] as usize;
                for (&i, &w) in self.post[r.clone()].iter().zip(&self.w[r]) {
                    acc[i as usize] += w;
                }
            }
        } else {
            for pre in Ones::new(x) {
                for (a, &w) in acc.iter_mut().zip(&self.w[pre * ni..(pre + 1) * ni]) {
                    *a += w;
                }
            }
        }
    }

    /// Synapses stored in the sparse lists.
    pub fn len(&self) -> usize {
        self.off.last().map_or(0, |&n| n as usize)
    }

    /// Each inhibitory unit's incoming sum, in increasing presynaptic order (as the dense
    /// column sum), written into `sums` (`ni` values). Sparse layout only.
    pub fn incoming_sums(&self, sums: &mut [f32]) {
        sums.fill(0.0);
        for (&i, &w) in self.post[..self.len()].iter().zip(&self.w[..self.len()]) {
            sums[i as usize] += w;
        }
    }

    /// Divides every sparse weight by its target's sum in `sums` (targets with sum 0 keep
    /// their weights, as the dense normalisation does).
    pub fn divide_by(&mut self, sums: &[f32]) {
        let n = self.len();
        for (&i, w) in self.post[..n].iter().zip(&mut self.w[..n]) {
            let sum = sums[i as usize];
            if sum > 0.0 {
                *w /= sum;
            }
        }
    }

    /// Sets the sparse weight of `pre -> post`, inserting the synapse in order if it does not
    /// exist (moving the later slots up by one: repairs are rare). Refuses when the capacity is
    /// used up.
    pub fn set(&mut self, pre: usize, post: usize, w: f32) -> Result<(), Full> {
        let (start, end) = (self.off[pre] as usize, self.off[pre + 1] as usize);
        match self.post[start..end].binary_search(&(post as u16)) {
            Ok(k) => {
                self.w[start + k] = w;
                Ok(())
            }
            Err(k) => {
                let n = self.len();
                if n >= self.post.len() {
                    return Err(Full);
                }
                let at = start + k;
                self.post.copy_within(at..n, at + 1);
                self.w.copy_within(at..n, at + 1);
                self.post[at] = post as u16;
                self.w[at] = w;
                self.off[pre + 1..].iter_mut().for_each(|o| *o += 1);
                Ok(())
            }
        }
    }

    /// Replaces the weights with a dense `[pre][post]` matrix of `ne * ni` values (nonzero
    /// entries become synapses when sparse). The caller has checked the length and, when
    /// sparse, that the nonzero entries fit ([`nonzero`]).
    pub fn fill_from_dense(&mut self, dense: &[f32]) {
        if !self.sparse {
            self.w.copy_from_slice(dense);
            return;
        }
        let ni = self.ni;
        self.w.fill(0.0);
        self.post.fill(0);
        let mut n = 0usize;
        self.off[0] = 0;
        for (pre, row) in dense.chunks(ni.max(1)).enumerate() {
            for (i, &v) in row.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                self.post[n] = i as u16;
                self.w[n] = v;
                n += 1;
            }
            self.off[pre + 1] = n as u32;
        }
    }

    /// Checks the sparse lists (saved state from outside): offsets from 0, non-decreasing,
    /// within the capacity; targets in range and strictly increasing along each list. (The
    /// caller checks that the weights are finite.)
    pub fn check(&self, ne: usize) -> Result<(), &'static str> {
        const WHAT: &str = "E->I";
        if !self.sparse {
            return Ok(());
        }
        let cap = self.post.len();
        let off = &*self.off;
        if off.len() != ne + 1 || off[0] != 0 || off.windows(2).any(|w| w[0] > w[1]) || off[ne] as usize > cap {
            return Err(WHAT);
        }
        for pre in 0..ne {
            let list = &self.post[off[pre] as usize..off[pre + 1] as usize];
            if list.iter().any(|&i| i as usize >= self.ni) || list.windows(2).any(|p| p[0] >= p[1]) {
                return Err(WHAT);
            }
        }
        Ok(())
    }
}

/// Nonzero entries of a dense matrix: the synapses it makes (imported weights are never
/// negative; a converted snapshot keeps whatever the dense layout would have summed).
pub(crate) fn nonzero(dense: &[f32]) -> usize {
    dense.iter().filter(|&&v| v != 0.0).count()
}

#[derive(Clone, Copy, Debug)]
enum Store<'a> {
    Dense(&'a [f32]),
    Sparse { w: &'a [f32], post: &'a [u16], off: &'a [u32] },
}

/// Read-only view of the E->I weights (the package's `Wie`, `[pre excitatory][post
/// inhibitory]`), dense or sparse ([`super::Config::lambda_ie`]); fixed after initialisation.
///
/// ```
/// use neuroloop_core::sorn::{Buffers, Config, Layout, Sorn};
/// let cfg = Config { lambda_ie: Some(10.0), ..Config::DEFAULT };
/// let l = Layout::new(&cfg);
/// let net = Sorn::new(&cfg, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]))?;
/// let wie = net.wie();
/// assert!(wie.is_sparse() && wie.as_dense().is_none());
/// // The package's dense matrix, in a caller's buffer.
/// let mut dense = vec![0.0f32; 200 * 40];
/// assert!(wie.write_dense(&mut dense));
/// assert_eq!(dense.iter().filter(|&&w| w > 0.0).count(), wie.len());
/// assert!((wie.incoming_sum(3) - 1.0).abs() < 1e-5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Wie<'a> {
    ne: usize,
    ni: usize,
    store: Store<'a>,
}

impl<'a> Wie<'a> {
    pub(crate) fn new(ne: usize, ni: usize, sparse: bool, w: &'a [f32], post: &'a [u16], off: &'a [u32]) -> Self {
        let store = if sparse { Store::Sparse { w, post, off } } else { Store::Dense(w) };
        Wie { ne, ni, store }
    }

    /// Number of presynaptic (excitatory) units.
    pub fn n_pre(&self) -> usize {
        self.ne
    }

    /// Number of postsynaptic (inhibitory) units.
    pub fn n_post(&self) -> usize {
        self.ni
    }

    /// True when stored as sparse lists (`lambda_ie` set).
    pub fn is_sparse(&self) -> bool {
        matches!(self.store, Store::Sparse { .. })
    }

    /// The dense matrix, `[pre][post]` (`ne * ni` values), when stored densely.
    pub fn as_dense(&self) -> Option<&'a [f32]> {
        match self.store {
            Store::Dense(w) => Some(w),
            Store::Sparse { .. } => None,
        }
    }

    /// Stored entries: every pair (`ne * ni`) when dense, the synapses when sparse.
    pub fn len(&self) -> usize {
        match self.store {
            Store::Dense(w) => w.len(),
            Store::Sparse { off, .. } => off.last().map_or(0, |&n| n as usize),
        }
    }

    /// True when nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The outgoing targets and weights of `pre` (dense: every inhibitory unit; empty past the
    /// end).
    fn row(&self, pre: usize) -> (Option<&'a [u16]>, &'a [f32]) {
        match self.store {
            Store::Dense(w) => (None, w.get(pre * self.ni..(pre + 1) * self.ni).unwrap_or(&[])),
            Store::Sparse { w, post, off } => {
                let (Some(&s), Some(&e)) = (off.get(pre), off.get(pre + 1)) else {
                    return (Some(&[]), &[]);
                };
                let r = s as usize..e as usize;
                (Some(post.get(r.clone()).unwrap_or(&[])), w.get(r).unwrap_or(&[]))
            }
        }
    }

    /// The weight of `pre -> post` (0 where no synapse exists or past the end).
    pub fn weight(&self, pre: usize, post: usize) -> f32 {
        match self.row(pre) {
            (None, w) => w.get(post).copied().unwrap_or(0.0),
            (Some(posts), w) => match u16::try_from(post) {
                Ok(p) if post < self.ni => posts.binary_search(&p).ok().map_or(0.0, |k| w[k]),
                _ => 0.0,
            },
        }
    }

    /// Every stored entry, by presynaptic unit then postsynaptic unit (dense: every pair, zeros
    /// included).
    pub fn iter(&self) -> impl Iterator<Item = super::Synapse> + 'a {
        let this = *self;
        (0..self.ne).flat_map(move |pre| {
            let (posts, w) = this.row(pre);
            w.iter().enumerate().map(move |(k, &w)| super::Synapse {
                pre: pre as u16,
                post: posts.map_or(k as u16, |p| p.get(k).copied().unwrap_or(0)),
                w,
            })
        })
    }

    /// Sum of the weights onto inhibitory unit `post`, in increasing presynaptic order (1 after
    /// initialisation; 0 past the end).
    pub fn incoming_sum(&self, post: usize) -> f32 {
        (0..self.ne).map(|pre| self.weight(pre, post)).sum()
    }

    /// Writes the matrix densely into `out` in the package's `[pre][post]` order
    /// (`out[pre * ni + post]`), zeros where no synapse exists. Returns false (and writes
    /// nothing) when `out` does not have `ne * ni` values.
    pub fn write_dense(&self, out: &mut [f32]) -> bool {
        if out.len() != self.ne * self.ni {
            return false;
        }
        match self.store {
            Store::Dense(w) => out.copy_from_slice(w),
            Store::Sparse { .. } => {
                out.fill(0.0);
                for s in self.iter() {
                    out[s.pre as usize * self.ni + s.post as usize] = s.w;
                }
            }
        }
        true
    }
}
