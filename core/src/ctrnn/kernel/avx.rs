//! The AVX2 kernel (x86_64 hosts with the `std` feature): the eight lane sums of the contract in
//! one 256-bit register, `vmulps` then `vaddps` (no FMA), so the same bits as [`super::Portable`];
//! tanh eight neurons at a time through [`super::tanh`] (libm's bits, without branches; its
//! integer lanes are what needs AVX2 rather than AVX).
//!
//! The crate's only `unsafe`: calling a `#[target_feature(enable = "avx2")]` function is unsafe
//! because running AVX2 instructions on a CPU without them is undefined behaviour. An [`Avx`] value
//! exists only after [`Avx::detect`] found AVX2 on this CPU, and every call goes through its
//! methods, so the calls are sound. Inside the AVX2 functions everything is safe code (Rust's
//! intrinsics are safe where their feature is enabled; loads and stores are `bytemuck` casts of
//! `[f32; 8]`).
#![allow(unsafe_code)]

use core::arch::x86_64::{__m256, _mm256_add_ps, _mm256_mul_ps, _mm256_setzero_ps};

use super::{Activation, Dots, LANES, Params, combine};

/// Proof that this CPU runs AVX2 instructions.
#[derive(Clone, Copy, Debug)]
pub(in crate::ctrnn) struct Avx(());

impl Avx {
    /// `Some` when the CPU has AVX2 (std caches the detection; this is an atomic load).
    #[inline]
    pub(in crate::ctrnn) fn detect() -> Option<Avx> {
        std::is_x86_feature_detected!("avx2").then_some(Avx(()))
    }
}

impl Dots for Avx {
    const BLOCKS: bool = true;

    #[inline]
    fn dot(self, w: &[f32], x: &[f32]) -> f32 {
        // SAFETY: an `Avx` exists only where `detect` found AVX2.
        unsafe { dot(w, x) }
    }

    #[inline]
    fn dots4(self, w: [&[f32]; 4], x: &[f32]) -> [f32; 4] {
        // SAFETY: as above.
        unsafe { dots4(w, x) }
    }

    #[inline]
    fn dots4x2(self, w: [&[f32]; 4], x: [&[f32]; 2]) -> [[f32; 2]; 4] {
        // SAFETY: as above.
        unsafe { dots4x2(w, x) }
    }

    #[inline(always)]
    fn tanh(self, x: f32) -> f32 {
        // Plain code: it vectorises where it is inlined into an AVX2 function.
        super::tanh::tanh(x)
    }
}

/// The whole leaky update compiled for AVX2, so the kernel calls inline into it.
pub(in crate::ctrnn) fn leaky_update_with(k: Avx, p: &Params<'_>, v: &mut [f32], r: &[f32], u: &[f32]) {
    // SAFETY: `k` proves AVX2.
    unsafe { leaky_update_avx(k, p, v, r, u) }
}

/// The batched leaky update compiled for AVX2.
pub(in crate::ctrnn) fn leaky_update_batch_with(
    k: Avx,
    p: &Params<'_>,
    states: &mut [f32],
    inputs: &[f32],
    h: usize,
    ni: usize,
) {
    // SAFETY: `k` proves AVX2.
    unsafe { leaky_update_batch_avx(k, p, states, inputs, h, ni) }
}

/// The activation and readout compiled for AVX2 (tanh and retanh eight at a time).
pub(in crate::ctrnn) fn activate_and_read_with(
    k: Avx,
    p: &Params<'_>,
    activation: Activation,
    v: &[f32],
    r: &mut [f32],
    y: &mut [f32],
) {
    // SAFETY: `k` proves AVX2.
    unsafe { activate_and_read_avx(k, p, activation, v, r, y) }
}

/// The readout compiled for AVX2.
pub(in crate::ctrnn) fn readout_with(k: Avx, p: &Params<'_>, r: &[f32], y: &mut [f32]) {
    // SAFETY: `k` proves AVX2.
    unsafe { readout_avx(k, p, r, y) }
}

#[target_feature(enable = "avx2")]
fn leaky_update_avx(k: Avx, p: &Params<'_>, v: &mut [f32], r: &[f32], u: &[f32]) {
    super::leaky_update_with(k, p, v, r, u)
}

#[target_feature(enable = "avx2")]
fn leaky_update_batch_avx(k: Avx, p: &Params<'_>, states: &mut [f32], inputs: &[f32], h: usize, ni: usize) {
    super::leaky_update_batch_with(k, p, states, inputs, h, ni)
}

#[target_feature(enable = "avx2")]
fn activate_and_read_avx(k: Avx, p: &Params<'_>, activation: Activation, v: &[f32], r: &mut [f32], y: &mut [f32]) {
    super::activate_and_read_with(k, p, activation, v, r, y)
}

#[target_feature(enable = "avx2")]
fn readout_avx(k: Avx, p: &Params<'_>, r: &[f32], y: &mut [f32]) {
    super::readout_with(k, p, r, y)
}

/// The tail: the last `n % 8` products added one by one.
#[inline(always)]
fn tail(w: &[f32], x: &[f32]) -> f32 {
    let mut t = 0.0f32;
    for (a, b) in w.iter().zip(x) {
        t += a * b;
    }
    t
}

/// The first `n` elements as whole chunks of eight and the tail (`n` at most the length).
#[inline(always)]
fn split(s: &[f32], n: usize) -> (core::slice::ChunksExact<'_, f32>, &[f32]) {
    let c = s.get(..n).unwrap_or(s).chunks_exact(LANES);
    let t = c.remainder();
    (c, t)
}

/// A chunk from [`split`] as an array (always eight long; the fallback is never taken).
#[inline(always)]
fn arr(c: &[f32]) -> &[f32; LANES] {
    c.try_into().unwrap_or(&[0.0; LANES])
}

/// The shortest length among the slices.
#[inline(always)]
fn common_len(slices: &[&[f32]]) -> usize {
    slices.iter().map(|s| s.len()).min().unwrap_or(0)
}

/// Eight floats into one register.
#[target_feature(enable = "avx2")]
#[inline]
fn load(c: &[f32]) -> __m256 {
    bytemuck::cast(*arr(c))
}

/// The register's eight lanes, lane 0 first.
#[target_feature(enable = "avx2")]
#[inline]
fn lanes(a: __m256) -> [f32; LANES] {
    bytemuck::cast(a)
}

/// `acc + w * x`, lane by lane, two roundings.
#[target_feature(enable = "avx2")]
#[inline]
fn mac(acc: __m256, w: __m256, x: __m256) -> __m256 {
    _mm256_add_ps(acc, _mm256_mul_ps(w, x))
}

#[target_feature(enable = "avx2")]
#[inline]
fn dot(w: &[f32], x: &[f32]) -> f32 {
    let n = common_len(&[w, x]);
    let ((wc, wt), (xc, xt)) = (split(w, n), split(x, n));
    let mut acc = _mm256_setzero_ps();
    for (a, b) in wc.zip(xc) {
        acc = mac(acc, load(a), load(b));
    }
    combine(&lanes(acc), tail(wt, xt))
}

#[target_feature(enable = "avx2")]
#[inline]
fn dots4(w: [&[f32]; 4], x: &[f32]) -> [f32; 4] {
    let n = common_len(&[w[0], w[1], w[2], w[3], x]);
    let [(c0, t0), (c1, t1), (c2, t2), (c3, t3)] = w.map(|r| split(r, n));
    let (xc, xt) = split(x, n);
    let mut a = [_mm256_setzero_ps(); 4];
    for ((((w0, w1), w2), w3), x) in c0.zip(c1).zip(c2).zip(c3).zip(xc) {
        let x = load(x);
        a[0] = mac(a[0], load(w0), x);
        a[1] = mac(a[1], load(w1), x);
        a[2] = mac(a[2], load(w2), x);
        a[3] = mac(a[3], load(w3), x);
    }
    [
        combine(&lanes(a[0]), tail(t0, xt)),
        combine(&lanes(a[1]), tail(t1, xt)),
        combine(&lanes(a[2]), tail(t2, xt)),
        combine(&lanes(a[3]), tail(t3, xt)),
    ]
}

#[target_feature(enable = "avx2")]
#[inline]
fn dots4x2(w: [&[f32]; 4], x: [&[f32]; 2]) -> [[f32; 2]; 4] {
    let n = common_len(&[w[0], w[1], w[2], w[3], x[0], x[1]]);
    let [(c0, t0), (c1, t1), (c2, t2), (c3, t3)] = w.map(|r| split(r, n));
    let [(xc0, xt0), (xc1, xt1)] = x.map(|r| split(r, n));
    let mut a = [[_mm256_setzero_ps(); 2]; 4];
    for (((((w0, w1), w2), w3), x0), x1) in c0.zip(c1).zip(c2).zip(c3).zip(xc0).zip(xc1) {
        let (x0, x1) = (load(x0), load(x1));
        for (acc, wr) in a.iter_mut().zip([w0, w1, w2, w3]) {
            let wr = load(wr);
            acc[0] = mac(acc[0], wr, x0);
            acc[1] = mac(acc[1], wr, x1);
        }
    }
    let c = |r: usize, t: &[f32]| [combine(&lanes(a[r][0]), tail(t, xt0)), combine(&lanes(a[r][1]), tail(t, xt1))];
    [c(0, t0), c(1, t1), c(2, t2), c(3, t3)]
}
