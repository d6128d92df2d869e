//! The CTRNN's dot products: one summation order, computed several rows and samples at a time.
//!
//! **The order** (part of the host/board contract, pinned by `reference_trajectory`): a dot
//! product over `n` elements keeps eight lane sums, lane `k` adding the products of elements
//! `8m + k` in increasing `m`; the last `n % 8` products are added one by one into a tail; the
//! result is `((s0 + s2) + (s1 + s3)) + tail` with `sk = lane k + lane k+4`. No fused
//! multiply-add: every product is rounded before it is added.
//!
//! **Why blocks**: one dot product alone is bound by the latency of its additions. Here four
//! rows (and, in the batched step, two samples) run side by side, so four or eight independent
//! lane sums hide that latency and each weight chunk loaded serves both samples. The order of
//! each sum is unchanged, so a block gives the same bits as separate dot products.
//!
//! **Two kernels, one result**: [`Portable`] (every target; the compiler vectorises the lanes
//! as it can) and, with the `std` feature on x86_64, an AVX2 kernel whose eight lanes are one
//! 256-bit register, picked at run time when the CPU has AVX2, with tanh computed eight neurons at
//! a time by a branch-free copy of libm's `tanhf` (`tanh.rs`, the same bits for every input). Both make the same IEEE
//! multiplications and additions in the same order, so the bits are the same (the unit tests
//! and the firmware parity tests compare them).

#[cfg(all(feature = "std", target_arch = "x86_64"))]
mod avx;
#[cfg(any(test, all(feature = "std", target_arch = "x86_64")))]
mod tanh;

use super::network::{Activation, Params};

/// Lane sums per dot product.
pub(super) const LANES: usize = 8;

/// The three dot-product shapes, in the contract's order. Implemented by [`Portable`] and, on
/// x86_64 hosts, by the AVX2 kernel. Every slice passed in one call has the same length (rows
/// of one matrix, vectors of one layer); the kernels read the shortest common length.
pub(super) trait Dots: Copy {
    /// Whether blocks of four rows pay: with SIMD lanes to fill they do; on a board, one row
    /// after the other is as fast and smaller.
    const BLOCKS: bool;
    /// `dot(w, x)`.
    fn dot(self, w: &[f32], x: &[f32]) -> f32;
    /// `[dot(w[0], x), .., dot(w[3], x)]`.
    fn dots4(self, w: [&[f32]; 4], x: &[f32]) -> [f32; 4];
    /// `out[r][s] = dot(w[r], x[s])`.
    fn dots4x2(self, w: [&[f32]; 4], x: [&[f32]; 2]) -> [[f32; 2]; 4];
    /// `libm::tanhf(x)`, bit for bit (a branch-free copy where a loop of it vectorises).
    fn tanh(self, x: f32) -> f32;
}

/// The contract's last step: lane sums and tail into one value.
#[inline(always)]
pub(super) fn combine(acc: &[f32; LANES], tail: f32) -> f32 {
    let s = [acc[0] + acc[4], acc[1] + acc[5], acc[2] + acc[6], acc[3] + acc[7]];
    ((s[0] + s[2]) + (s[1] + s[3])) + tail
}

/// Plain Rust lanes (`[f32; 8]`): what a board runs, and a PC without AVX2.
#[derive(Clone, Copy, Debug)]
pub(super) struct Portable;

impl Dots for Portable {
    const BLOCKS: bool = false;

    #[inline(always)]
    fn dot(self, w: &[f32], x: &[f32]) -> f32 {
        // Index loops over slices cut to one length: no iterator adapters left for a
        // size-optimised build to outline, no bounds checks after the cut.
        let n = w.len().min(x.len());
        let (w, x) = (&w[..n], &x[..n]);
        let mut acc = [0.0f32; LANES];
        let mut j = 0;
        while j + LANES <= n {
            // Written out: a size-optimised build does not unroll a loop over the lanes.
            let (a, b) = (&w[j..j + LANES], &x[j..j + LANES]);
            acc[0] += a[0] * b[0];
            acc[1] += a[1] * b[1];
            acc[2] += a[2] * b[2];
            acc[3] += a[3] * b[3];
            acc[4] += a[4] * b[4];
            acc[5] += a[5] * b[5];
            acc[6] += a[6] * b[6];
            acc[7] += a[7] * b[7];
            j += LANES;
        }
        let mut t = 0.0f32;
        while j < n {
            t += w[j] * x[j];
            j += 1;
        }
        combine(&acc, t)
    }

    #[inline(always)]
    fn dots4(self, w: [&[f32]; 4], x: &[f32]) -> [f32; 4] {
        // On a board there is no SIMD to fill: one row after the other is as fast and smaller.
        [self.dot(w[0], x), self.dot(w[1], x), self.dot(w[2], x), self.dot(w[3], x)]
    }

    #[inline(always)]
    fn dots4x2(self, w: [&[f32]; 4], x: [&[f32]; 2]) -> [[f32; 2]; 4] {
        let d = |r: &[f32]| [self.dot(r, x[0]), self.dot(r, x[1])];
        [d(w[0]), d(w[1]), d(w[2]), d(w[3])]
    }

    #[inline(always)]
    fn tanh(self, x: f32) -> f32 {
        // One branch per call is cheaper on a scalar core than every case computed.
        libm::tanhf(x)
    }
}

/// Row `i` of a row-major matrix with `cols` columns (empty past the end).
#[inline(always)]
fn row(w: &[f32], i: usize, cols: usize) -> &[f32] {
    w.get(i * cols..(i + 1) * cols).unwrap_or(&[])
}

/// A block of four rows of `cols` columns (`4 cols` elements) as four rows.
#[inline(always)]
fn rows4(w: &[f32], cols: usize) -> [&[f32]; 4] {
    let (a, rest) = w.split_at(cols.min(w.len()));
    let (b, rest) = rest.split_at(cols.min(rest.len()));
    let (c, d) = rest.split_at(cols.min(rest.len()));
    [a, b, c, d]
}

/// Sample `s`'s rates in sample-major states (`v` then `r`, `2 H` each).
#[inline(always)]
fn rates(states: &[f32], h: usize, s: usize) -> &[f32] {
    states.get(s * 2 * h + h..(s + 1) * 2 * h).unwrap_or(&[])
}

/// The per-neuron parameters of four neurons: `alpha`, `b_rec`, `b_in`.
type Neurons4<'a> = (&'a [f32], &'a [f32], &'a [f32]);

/// Blocks of four neurons: their recurrent rows, input rows and per-neuron parameters (the
/// neurons past the last whole block are left to the callers' one-by-one loops).
#[inline(always)]
fn neuron_blocks<'a>(
    p: &Params<'a>,
    h: usize,
    ni: usize,
) -> impl Iterator<Item = ([&'a [f32]; 4], [&'a [f32]; 4], Neurons4<'a>)> {
    let (rec, inp) = (p.w_rec.chunks_exact(4 * h), p.w_in.chunks_exact(4 * ni));
    let per = p.alpha.chunks_exact(4).zip(p.b_rec.chunks_exact(4)).zip(p.b_in.chunks_exact(4));
    rec.zip(inp).zip(per).map(move |((wr, wi), ((a, br), bi))| (rows4(wr, h), rows4(wi, ni), (a, br, bi)))
}

/// `v <- (1 - alpha) v + alpha ((rec + b_rec) + (inp + b_in))` for one neuron.
#[inline(always)]
fn leak(v: &mut f32, alpha: f32, rec: f32, b_rec: f32, inp: f32, b_in: f32) {
    *v = (1.0 - alpha) * *v + alpha * ((rec + b_rec) + (inp + b_in));
}

/// The leaky update of neuron `i` one by one (neurons past the last block of four).
#[inline(always)]
fn leak_one<D: Dots>(d: D, p: &Params<'_>, v: &mut f32, i: usize, r: &[f32], u: &[f32]) {
    let rec = d.dot(row(p.w_rec, i, r.len()), r);
    let inp = d.dot(row(p.w_in, i, u.len()), u);
    leak(v, p.alpha[i], rec, p.b_rec[i], inp, p.b_in[i]);
}

/// `v <- (1 - alpha) v + alpha ((W_rec r + b_rec) + (W_in u + b_in))` for every neuron of one
/// sample (`v`, `r` of `H` values, `u` of `I`), with kernel `d`.
#[inline(always)]
fn leaky_update_with<D: Dots>(d: D, p: &Params<'_>, v: &mut [f32], r: &[f32], u: &[f32]) {
    let (h, ni) = (v.len(), u.len());
    if !D::BLOCKS {
        for (i, vi) in v.iter_mut().enumerate() {
            leak_one(d, p, vi, i, r, u);
        }
        return;
    }
    let whole = h / 4 * 4;
    for (vb, (wr, wi, (alpha, b_rec, b_in))) in v.chunks_exact_mut(4).zip(neuron_blocks(p, h, ni)) {
        let (rec, inp) = (d.dots4(wr, r), d.dots4(wi, u));
        for k in 0..4 {
            leak(&mut vb[k], alpha[k], rec[k], b_rec[k], inp[k], b_in[k]);
        }
    }
    for (i, vi) in v.iter_mut().enumerate().skip(whole) {
        leak_one(d, p, vi, i, r, u);
    }
}

/// The batched leaky update (`B` samples stored sample-major, inputs `B x I`) with kernel `d`:
/// the same arithmetic as [`leaky_update_with`] on each sample, in blocks of four neurons by two
/// samples (the four weight rows stay in L1 while every sample's rates stream past).
#[inline(always)]
fn leaky_update_batch_with<D: Dots>(d: D, p: &Params<'_>, states: &mut [f32], inputs: &[f32], h: usize, ni: usize) {
    let b = states.len() / (2 * h);
    let whole = h / 4 * 4;
    let pairs = b / 2 * 2;
    let at = |s: usize, i: usize| s * 2 * h + i;
    for (blk, (wr, wi, (alpha, b_rec, b_in))) in neuron_blocks(p, h, ni).enumerate() {
        let first = 4 * blk;
        for s in (0..pairs).step_by(2) {
            let rec = d.dots4x2(wr, [rates(states, h, s), rates(states, h, s + 1)]);
            let inp = d.dots4x2(wi, [row(inputs, s, ni), row(inputs, s + 1, ni)]);
            for k in 0..4 {
                for j in 0..2 {
                    leak(&mut states[at(s + j, first + k)], alpha[k], rec[k][j], b_rec[k], inp[k][j], b_in[k]);
                }
            }
        }
        for s in pairs..b {
            let (rec, inp) = (d.dots4(wr, rates(states, h, s)), d.dots4(wi, row(inputs, s, ni)));
            for k in 0..4 {
                leak(&mut states[at(s, first + k)], alpha[k], rec[k], b_rec[k], inp[k], b_in[k]);
            }
        }
    }
    for s in 0..b {
        let (v, r) = states[s * 2 * h..(s + 1) * 2 * h].split_at_mut(h);
        for (i, vi) in v.iter_mut().enumerate().skip(whole) {
            leak_one(d, p, vi, i, r, row(inputs, s, ni));
        }
    }
}

/// `y = W_out r + b_out` with kernel `d`.
#[inline(always)]
fn readout_with<D: Dots>(d: D, p: &Params<'_>, r: &[f32], y: &mut [f32]) {
    let h = r.len();
    for (o, yo) in y.iter_mut().enumerate() {
        *yo = d.dot(row(p.w_out, o, h), r) + p.b_out[o];
    }
}

/// Calls `$f` with the fastest kernel this CPU has (AVX2 detected once by std, then cached).
macro_rules! with_kernel {
    ($f:ident($($arg:expr),*)) => {{
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if let Some(k) = avx::Avx::detect() {
            return avx::$f(k, $($arg),*);
        }
        $f(Portable, $($arg),*)
    }};
}

/// The leaky update of one sample (see [`leaky_update_with`]).
pub(super) fn leaky_update(p: &Params<'_>, v: &mut [f32], r: &[f32], u: &[f32]) {
    with_kernel!(leaky_update_with(p, v, r, u))
}

/// The leaky update of `B` samples (see [`leaky_update_batch_with`]).
pub(super) fn leaky_update_batch(p: &Params<'_>, states: &mut [f32], inputs: &[f32], h: usize, ni: usize) {
    with_kernel!(leaky_update_batch_with(p, states, inputs, h, ni))
}

/// `y = W_out r + b_out`.
pub(super) fn readout(p: &Params<'_>, r: &[f32], y: &mut [f32]) {
    with_kernel!(readout_with(p, r, y))
}

/// `r = phi(v)` and `y = W_out r + b_out` with kernel `d` (tanh and retanh through its
/// [`Dots::tanh`]; the other activations as [`Activation::apply`]).
#[inline(always)]
fn activate_and_read_with<D: Dots>(
    d: D,
    p: &Params<'_>,
    activation: Activation,
    v: &[f32],
    r: &mut [f32],
    y: &mut [f32],
) {
    match activation {
        Activation::Tanh => r.iter_mut().zip(v).for_each(|(ri, &vi)| *ri = d.tanh(vi)),
        Activation::Retanh => r.iter_mut().zip(v).for_each(|(ri, &vi)| {
            let t = d.tanh(vi);
            *ri = if t > 0.0 { t } else { 0.0 };
        }),
        other => r.iter_mut().zip(v).for_each(|(ri, &vi)| *ri = other.apply(vi)),
    }
    readout_with(d, p, r, y)
}

/// `r = phi(v)` and the readout, without noise.
pub(super) fn activate_and_read(p: &Params<'_>, activation: Activation, v: &[f32], r: &mut [f32], y: &mut [f32]) {
    with_kernel!(activate_and_read_with(p, activation, v, r, y))
}

/// One dot product in the contract's order with the portable kernel (for tests).
#[cfg(test)]
pub(super) fn dot(w: &[f32], x: &[f32]) -> f32 {
    Portable.dot(w, x)
}

#[cfg(all(test, feature = "std", target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::rng::NetRng;
    use std::vec;
    use std::vec::Vec;

    #[test]
    fn avx_and_portable_activations_give_the_same_bits() {
        let Some(k) = avx::Avx::detect() else { return };
        // H 37: four blocks of eight lanes and a tail; v over tanh's branches and beyond.
        let h = 37;
        let mut rng = NetRng::seed_from_u64(6);
        let w_out: Vec<f32> = (0..2 * h).map(|_| rng.uniform_f32() - 0.5).collect();
        let zeros = [0.0f32; 2];
        let p = Params { w_in: &[], b_in: &[], w_rec: &[], b_rec: &[], w_out: &w_out, b_out: &zeros, alpha: &[] };
        for act in [Activation::Tanh, Activation::Retanh, Activation::Sigmoid, Activation::Relu] {
            for scale in [0.1f32, 1.0, 8.0, 30.0] {
                let v: Vec<f32> = (0..h).map(|_| (rng.uniform_f32() - 0.5) * scale).collect();
                let (mut ra, mut rp, mut ya, mut yp) = (vec![0.0f32; h], vec![0.0f32; h], [0.0f32; 2], [0.0f32; 2]);
                avx::activate_and_read_with(k, &p, act, &v, &mut ra, &mut ya);
                activate_and_read_with(Portable, &p, act, &v, &mut rp, &mut yp);
                let bits = |s: &[f32]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!((bits(&ra), bits(&ya)), (bits(&rp), bits(&yp)), "{act:?} at scale {scale}");
            }
        }
    }

    #[test]
    fn avx_and_portable_kernels_give_the_same_bits() {
        let Some(k) = avx::Avx::detect() else { return };
        let mut rng = NetRng::seed_from_u64(8);
        let mut v = |n: usize| -> Vec<f32> { (0..n).map(|_| (rng.uniform_f32() - 0.5) * 100.0).collect() };
        for n in [0usize, 3, 8, 13, 64, 131] {
            let w: Vec<Vec<f32>> = (0..4).map(|_| v(n)).collect();
            let (x0, x1) = (v(n), v(n));
            let rows = [&w[0][..], &w[1][..], &w[2][..], &w[3][..]];
            let bits = |a: [f32; 4]| a.map(f32::to_bits);
            assert_eq!(k.dot(&w[0], &x0).to_bits(), Portable.dot(&w[0], &x0).to_bits(), "n = {n}");
            assert_eq!(bits(k.dots4(rows, &x0)), bits(Portable.dots4(rows, &x0)), "n = {n}");
            let pairs = |a: [[f32; 2]; 4]| a.map(|p| p.map(f32::to_bits));
            assert_eq!(pairs(k.dots4x2(rows, [&x0, &x1])), pairs(Portable.dots4x2(rows, [&x0, &x1])), "n = {n}");
        }
    }
}
