//! Sparse synapse matrices with a fixed capacity: how SORN stores E->E and I->E.
//!
//! # Layout
//!
//! Synapses live in **outgoing lists**, one per presynaptic unit: slot `s` holds the
//! postsynaptic unit `post[s]` (`u16`) and the weight `w[s]` (`f32`). The list of unit `j`
//! occupies slots `out_off[j] .. out_off[j] + out_len[j]`, with room up to `out_off[j + 1]`.
//! This order serves the two hot loops, which are driven by the few units that spiked:
//! the recurrent drive (`acc[post] += w` for each synapse of an active unit) and STDP/iSTDP
//! (only synapses of units active at t or t+1 can change).
//!
//! A second, **incoming index** lists for each postsynaptic unit `i` the slots of its synapses
//! (`in_pos[in_off[i] .. in_off[i] + in_len[i]]`). Synaptic normalisation, the only per-target
//! operation, walks it.
//!
//! Both lists of a unit have spare room, so structural plasticity can add a synapse without
//! moving anything; when a list is full the insertion is refused ([`Full`]) and the caller
//! counts it. A pruned synapse is removed by moving the list's last synapse into its slot (and
//! fixing that synapse's incoming-index entry), so lists stay dense and existence is explicit:
//! a synapse exists if and only if it is in a list.
//!
//! Cost per synapse: 6 bytes of weight and target + 4 bytes of index.

use crate::bits;

/// An insertion found the presynaptic or the postsynaptic list full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// Mutable view of one sparse matrix (borrowed from the network's buffers).
pub(crate) struct SynMut<'a> {
    pub post: &'a mut [u16],
    pub w: &'a mut [f32],
    pub out_off: &'a mut [u32],
    pub out_len: &'a mut [u16],
    pub in_off: &'a mut [u32],
    pub in_len: &'a mut [u16],
    pub in_pos: &'a mut [u32],
}

impl<'a> SynMut<'a> {
    /// The view over the seven arrays.
    pub fn new(
        w: &'a mut [f32],
        post: &'a mut [u16],
        out_len: &'a mut [u16],
        in_len: &'a mut [u16],
        out_off: &'a mut [u32],
        in_off: &'a mut [u32],
        in_pos: &'a mut [u32],
    ) -> Self {
        SynMut { post, w, out_off, out_len, in_off, in_len, in_pos }
    }

    /// A shorter-lived view of the same arrays.
    pub fn reborrow(&mut self) -> SynMut<'_> {
        SynMut {
            post: self.post,
            w: self.w,
            out_off: self.out_off,
            out_len: self.out_len,
            in_off: self.in_off,
            in_len: self.in_len,
            in_pos: self.in_pos,
        }
    }

    /// Slots of `pre`'s outgoing list.
    #[inline]
    pub fn out_range(&self, pre: usize) -> core::ops::Range<usize> {
        let start = self.out_off[pre] as usize;
        start..start + self.out_len[pre] as usize
    }

    /// Adds every outgoing weight of `pre` to its target's accumulator.
    #[inline]
    pub fn accumulate(&self, pre: usize, acc: &mut [f32]) {
        let r = self.out_range(pre);
        for (&i, &w) in self.post[r.clone()].iter().zip(&self.w[r]) {
            acc[i as usize] += w;
        }
    }

    /// True if the synapse `pre -> post` exists.
    pub fn contains(&self, pre: usize, post: usize) -> bool {
        self.post[self.out_range(pre)].iter().any(|&i| i as usize == post)
    }

    /// Creates `pre -> post` with weight `w`; refuses when either list is full. The caller
    /// makes sure the synapse does not exist yet.
    pub fn insert(&mut self, pre: usize, post: usize, w: f32) -> Result<(), Full> {
        let out_cap = (self.out_off[pre + 1] - self.out_off[pre]) as usize;
        let in_cap = (self.in_off[post + 1] - self.in_off[post]) as usize;
        let (ol, il) = (self.out_len[pre] as usize, self.in_len[post] as usize);
        if ol >= out_cap || il >= in_cap {
            return Err(Full);
        }
        let slot = self.out_off[pre] as usize + ol;
        self.post[slot] = post as u16;
        self.w[slot] = w;
        self.out_len[pre] += 1;
        self.in_pos[self.in_off[post] as usize + il] = slot as u32;
        self.in_len[post] += 1;
        Ok(())
    }

    /// Removes the synapse in slot `slot` of `pre`'s list: the list's last synapse moves into
    /// the hole and its incoming-index entry follows it.
    pub fn remove(&mut self, pre: usize, slot: usize) {
        let last = self.out_off[pre] as usize + self.out_len[pre] as usize - 1;
        let post = self.post[slot] as usize;
        self.unindex(post, slot, None);
        if slot != last {
            self.post[slot] = self.post[last];
            self.w[slot] = self.w[last];
            self.unindex(self.post[slot] as usize, last, Some(slot));
        }
        self.out_len[pre] -= 1;
    }

    /// In `post`'s incoming index, replaces `old` by `new` (`None`: deletes it).
    fn unindex(&mut self, post: usize, old: usize, new: Option<usize>) {
        let start = self.in_off[post] as usize;
        let len = self.in_len[post] as usize;
        let list = &mut self.in_pos[start..start + len];
        if let Some(p) = list.iter().position(|&s| s as usize == old) {
            match new {
                Some(n) => list[p] = n as u32,
                None => {
                    list[p] = list[len - 1];
                    self.in_len[post] -= 1;
                }
            }
        }
    }

    /// Scales `post`'s incoming weights to sum 1: each is multiplied by the reciprocal of their
    /// sum (one division per unit instead of one per synapse). Returns false (and changes
    /// nothing) when the sum is zero: a unit that lost every input keeps zeros instead of
    /// becoming NaN.
    #[inline(always)]
    pub fn normalize_incoming(&mut self, post: usize) -> bool {
        let start = self.in_off[post] as usize;
        let idx = &self.in_pos[start..start + self.in_len[post] as usize];
        let w = &mut *self.w;
        // The sum in index order from -0.0, as `Iterator::sum` adds (two terms per round:
        // fewer loop steps, the same additions in the same order).
        let mut sum = -0.0f32;
        let mut pairs = idx.chunks_exact(2);
        for p in &mut pairs {
            sum = sum + w[p[0] as usize] + w[p[1] as usize];
        }
        if let [s] = pairs.remainder() {
            sum += w[*s as usize];
        }
        if sum > 0.0 {
            let scale = 1.0 / sum;
            let mut pairs = idx.chunks_exact(2);
            for p in &mut pairs {
                w[p[0] as usize] *= scale;
                w[p[1] as usize] *= scale;
            }
            if let [s] = pairs.remainder() {
                w[*s as usize] *= scale;
            }
            true
        } else {
            false
        }
    }

    /// Builds the lists from an edge list held in `in_pos[..n]` (each entry `pre << 16 | post`,
    /// in generation order). Every list gets its synapses plus an even share of the spare
    /// capacity. Weights are left for the caller to draw.
    pub fn build_from_edges(&mut self, n: usize) {
        let n_pre = self.out_len.len();
        let n_post = self.in_len.len();
        self.out_len.fill(0);
        self.in_len.fill(0);
        for &e in &self.in_pos[..n] {
            self.out_len[(e >> 16) as usize] += 1;
            self.in_len[(e & 0xffff) as usize] += 1;
        }
        let spare = self.post.len() - n;
        spread(self.out_off, self.out_len, spare);
        spread(self.in_off, self.in_len, spare);
        // Place targets into the outgoing lists, counting lengths up again.
        self.out_len.fill(0);
        for k in 0..n {
            let e = self.in_pos[k];
            let pre = (e >> 16) as usize;
            let slot = self.out_off[pre] as usize + self.out_len[pre] as usize;
            self.post[slot] = (e & 0xffff) as u16;
            self.out_len[pre] += 1;
        }
        // The edge list is no longer needed: build the incoming index over it.
        self.in_len.fill(0);
        for pre in 0..n_pre {
            for slot in self.out_range(pre) {
                let i = self.post[slot] as usize;
                self.in_pos[self.in_off[i] as usize + self.in_len[i] as usize] = slot as u32;
                self.in_len[i] += 1;
            }
        }
        debug_assert_eq!(self.in_off[n_post] as usize, self.post.len());
    }

    /// Number of synapses onto `post`.
    pub fn in_degree(&self, post: usize) -> usize {
        self.in_len[post] as usize
    }
}

/// Offsets for lists of lengths `len` with `spare` extra slots shared evenly (the first
/// `spare % n` lists get one more).
fn spread(off: &mut [u32], len: &[u16], spare: usize) {
    let n = len.len();
    let (each, extra) = spare.checked_div(n).zip(spare.checked_rem(n)).unwrap_or((0, 0));
    let mut acc = 0u32;
    for (k, &l) in len.iter().enumerate() {
        off[k] = acc;
        acc += l as u32 + each as u32 + u32::from(k < extra);
    }
    off[n] = acc;
}

/// Read-only view of a sparse synapse matrix, for inspection and recording.
///
/// Rows of the package's matrices are presynaptic (`[pre][post]`); [`Synapses::iter`] walks
/// synapses in that order (by presynaptic unit, then storage order).
#[derive(Clone, Copy, Debug)]
pub struct Synapses<'a> {
    pub(crate) post: &'a [u16],
    pub(crate) w: &'a [f32],
    pub(crate) out_off: &'a [u32],
    pub(crate) out_len: &'a [u16],
    pub(crate) in_off: &'a [u32],
    pub(crate) in_len: &'a [u16],
    pub(crate) in_pos: &'a [u32],
}

/// One synapse: presynaptic unit, postsynaptic unit, weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Synapse {
    /// Presynaptic (source) unit.
    pub pre: u16,
    /// Postsynaptic (target) unit.
    pub post: u16,
    /// Weight (> 0 for every stored synapse).
    pub w: f32,
}

impl<'a> Synapses<'a> {
    /// Number of presynaptic units.
    pub fn n_pre(&self) -> usize {
        self.out_len.len()
    }

    /// Number of postsynaptic units.
    pub fn n_post(&self) -> usize {
        self.in_len.len()
    }

    /// Number of existing synapses.
    pub fn len(&self) -> usize {
        self.out_len.iter().map(|&l| l as usize).sum()
    }

    /// True when no synapse exists.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slots available in total (existing synapses included).
    pub fn capacity(&self) -> usize {
        self.post.len()
    }

    /// Every synapse, by presynaptic unit.
    pub fn iter(&self) -> impl Iterator<Item = Synapse> + 'a {
        let (post, w, off, len) = (self.post, self.w, self.out_off, self.out_len);
        (0..len.len()).flat_map(move |j| {
            let s = off[j] as usize;
            let e = s + len[j] as usize;
            post[s..e].iter().zip(&w[s..e]).map(move |(&i, &w)| Synapse { pre: j as u16, post: i, w })
        })
    }

    /// The synapses from `pre`: their postsynaptic units and weights, in storage order (both
    /// empty past the end). Copying rows this way is what makes a recording cheap.
    ///
    /// ```
    /// use neuroloop_core::sorn::{Buffers, Config, Layout, Sorn};
    /// let l = Layout::new(&Config::DEFAULT);
    /// let bufs = Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]);
    /// let net = Sorn::new(&Config::DEFAULT, 1, bufs)?;
    /// let (posts, w) = net.wee().outgoing(0);
    /// assert_eq!(posts.len(), net.wee().out_degree(0));
    /// assert_eq!(net.wee().weight(0, posts[0] as usize), Some(w[0]));
    /// assert!(net.wee().outgoing(200).0.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn outgoing(&self, pre: usize) -> (&'a [u16], &'a [f32]) {
        let (Some(&s), Some(&l)) = (self.out_off.get(pre), self.out_len.get(pre)) else {
            return (&[], &[]);
        };
        let (s, e) = (s as usize, s as usize + l as usize);
        (self.post.get(s..e).unwrap_or(&[]), self.w.get(s..e).unwrap_or(&[]))
    }

    /// The weight of `pre -> post`, if that synapse exists.
    pub fn weight(&self, pre: usize, post: usize) -> Option<f32> {
        let s = *self.out_off.get(pre)? as usize;
        let e = s + *self.out_len.get(pre)? as usize;
        let k = self.post[s..e].iter().position(|&i| i as usize == post)?;
        Some(self.w[s + k])
    }

    /// Number of synapses onto `post` (0 past the end).
    pub fn in_degree(&self, post: usize) -> usize {
        self.in_len.get(post).map_or(0, |&l| l as usize)
    }

    /// Number of synapses from `pre` (0 past the end).
    pub fn out_degree(&self, pre: usize) -> usize {
        self.out_len.get(pre).map_or(0, |&l| l as usize)
    }

    /// Sum of the weights onto `post` (1 after normalisation, 0 for a unit with no input).
    pub fn incoming_sum(&self, post: usize) -> f32 {
        let Some(&start) = self.in_off.get(post) else {
            return 0.0;
        };
        let idx = &self.in_pos[start as usize..start as usize + self.in_degree(post)];
        idx.iter().map(|&s| self.w[s as usize]).sum()
    }

    /// Mean weight of the existing synapses (0 when there are none).
    pub fn mean_weight(&self) -> f32 {
        let (sum, n) = self.iter().fold((0.0f64, 0usize), |(s, n), syn| (s + f64::from(syn.w), n + 1));
        if n == 0 { 0.0 } else { (sum / n as f64) as f32 }
    }

    /// Writes the matrix densely into `out` in the package's `[pre][post]` order
    /// (`out[pre * n_post + post]`), zeros where no synapse exists. Returns false (and writes
    /// nothing) when `out` has the wrong length.
    pub fn write_dense(&self, out: &mut [f32]) -> bool {
        if out.len() != self.n_pre() * self.n_post() {
            return false;
        }
        out.fill(0.0);
        let n_post = self.n_post();
        for s in self.iter() {
            out[s.pre as usize * n_post + s.post as usize] = s.w;
        }
        true
    }
}

/// Scratch membership set over unit indices, kept in a bit buffer that is all zero between uses.
pub(crate) struct Marks<'a>(pub &'a mut [u32]);

impl Marks<'_> {
    /// Marks `i`; returns false if it was already marked.
    #[inline]
    pub fn insert(&mut self, i: usize) -> bool {
        let was = bits::get(self.0, i);
        bits::set(self.0, i);
        !was
    }

    /// Clears every mark.
    pub fn clear(&mut self) {
        self.0.fill(0);
    }
}
