//! The random number generator of the core, and the rules that keep runs reproducible.
//!
//! # Generator
//!
//! Every stochastic part of the core draws from [`NetRng`], a thin wrapper over
//! **xoshiro128++** from the `rand_xoshiro` crate (Blackman & Vigna; 128-bit state, 32-bit
//! output, period 2^128 - 1, no multiplications, so it is as fast on a Cortex-M0 as on a PC).
//! [`NetRng::seed_from_u64`] expands a `u64` seed with SplitMix64, as `rand_core` specifies.
//!
//! # Reproducibility rules
//!
//! 1. The same seed and the same sequence of calls give the same numbers on every target
//!    (x86-64, thumbv6m, thumbv7m, thumbv7em): the generator uses only 32-bit integer
//!    operations, and every conversion below is exact integer-to-float arithmetic or a
//!    correctly rounded `f32` operation.
//! 2. Each method documents how many `u32` words it consumes; a change to that is a breaking
//!    change (it changes every seeded run), listed in the changelog and caught by the
//!    reference-vector tests below.
//! 3. Floats are built from the **high** bits of a word (xoshiro's low bits are its weakest).
//! 4. Normal deviates come from the ziggurat of [`ziggurat`], whose tables are compiled in
//!    (no start-up computation, no platform math in the fast path).

pub mod ziggurat;
mod ziggurat_tables;

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro128PlusPlus;

/// 2^-24, the spacing of the 24-bit uniform grid.
const TWO_POW_M24: f32 = 1.0 / 16_777_216.0;

/// The core's random number generator: xoshiro128++ plus exact conversions.
///
/// ```
/// use neuroloop_core::rng::NetRng;
/// let mut a = NetRng::seed_from_u64(7);
/// let mut b = NetRng::seed_from_u64(7);
/// assert_eq!(a.next_u32(), b.next_u32());
/// let u = a.uniform_f32();
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetRng(Xoshiro128PlusPlus);

impl NetRng {
    /// A generator seeded from a `u64` (SplitMix64 expansion, as `rand_core` specifies).
    pub fn seed_from_u64(seed: u64) -> Self {
        NetRng(Xoshiro128PlusPlus::seed_from_u64(seed))
    }

    /// A generator from its 16-byte state, as returned by [`NetRng::state`]. An all-zero state
    /// (invalid for xoshiro) is mapped to a fixed valid one.
    ///
    /// ```
    /// use neuroloop_core::rng::NetRng;
    /// let mut a = NetRng::seed_from_u64(1);
    /// a.next_u32();
    /// let mut b = NetRng::from_state(a.state());
    /// assert_eq!(a.next_u32(), b.next_u32());
    /// ```
    pub fn from_state(state: [u8; 16]) -> Self {
        NetRng(Xoshiro128PlusPlus::from_seed(state))
    }

    /// The generator's full state (little-endian words), for snapshots.
    pub fn state(&self) -> [u8; 16] {
        self.0.state()
    }

    /// Advances the generator by 2^64 draws: an independent stream for a second consumer.
    pub fn jump(&mut self) {
        self.0.jump();
    }

    /// The next raw 32-bit word (1 word).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }

    /// Uniform on the 24-bit grid of `[0, 1)`: `k / 2^24` (1 word, its high 24 bits).
    #[inline]
    pub fn uniform_f32(&mut self) -> f32 {
        (self.next_u32() >> 8) as f32 * TWO_POW_M24
    }

    /// Uniform on the 24-bit grid of `(0, 1]`: `(k + 1) / 2^24` (1 word). Never zero, so it is
    /// safe as a logarithm's argument and as a weight that must exist.
    #[inline]
    pub fn uniform_open0_f32(&mut self) -> f32 {
        ((self.next_u32() >> 8) + 1) as f32 * TWO_POW_M24
    }

    /// Uniform `f64` on the 53-bit grid of `[0, 1)` (2 words: high 27 bits of the first, high 26
    /// bits of the second).
    #[inline]
    pub fn uniform_f64(&mut self) -> f64 {
        let hi = (self.next_u32() >> 5) as u64;
        let lo = (self.next_u32() >> 6) as u64;
        ((hi << 26) | lo) as f64 * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform integer in `0..n`, without bias (Lemire's multiply-and-reject; 1 word on most
    /// calls, a further word for each rejection). Returns 0 when `n` is 0.
    ///
    /// ```
    /// use neuroloop_core::rng::NetRng;
    /// let mut r = NetRng::seed_from_u64(3);
    /// assert!((0..1000).all(|_| r.below(10) < 10));
    /// assert_eq!(r.below(0), 0);
    /// ```
    #[inline]
    pub fn below(&mut self, n: u32) -> u32 {
        if n == 0 {
            return 0;
        }
        let mut m = u64::from(self.next_u32()) * u64::from(n);
        if (m as u32) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u32) < threshold {
                m = u64::from(self.next_u32()) * u64::from(n);
            }
        }
        (m >> 32) as u32
    }

    /// A standard normal deviate (mean 0, standard deviation 1) from the ziggurat
    /// ([`ziggurat::standard_normal`]; 1 word on 97.2 % of calls).
    #[inline(always)]
    pub fn normal(&mut self) -> f32 {
        ziggurat::standard_normal(self)
    }

    /// Fills `out` with `sd * z` for standard normal deviates `z`, in order: the same words and
    /// the same values as one [`NetRng::normal`] per element. The draws run on a local copy of
    /// the state, which the compiler keeps in registers instead of loading and storing the
    /// state at every draw.
    ///
    /// ```
    /// use neuroloop_core::rng::NetRng;
    /// let (mut a, mut b) = (NetRng::seed_from_u64(9), NetRng::seed_from_u64(9));
    /// let mut v = [0.0f32; 100];
    /// a.fill_normal(&mut v, 0.5);
    /// assert!(v.iter().all(|&x| x == 0.5 * b.normal()));
    /// assert_eq!(a, b);
    /// ```
    #[inline]
    pub fn fill_normal(&mut self, out: &mut [f32], sd: f32) {
        let mut g = self.clone();
        for v in out {
            *v = sd * g.normal();
        }
        *self = g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference vectors: the first words of seeds 0 and 42, uniform and normal deviates. A
    /// change here changes every seeded run in the project (and is named in CHANGELOG.md).
    #[test]
    fn reference_words() {
        let words = |seed| {
            let mut r = NetRng::seed_from_u64(seed);
            core::array::from_fn::<u32, 4, _>(|_| r.next_u32())
        };
        assert_eq!(words(0), [0x4653daa3, 0x73922b58, 0xb82b4add, 0xd9fabd3b]);
        assert_eq!(words(42), [0x9d9452c1, 0x6909d440, 0x6148a68f, 0x54829a5b]);
        // xoshiro128++ from state [1, 2, 3, 4] (the reference C code's first outputs).
        let mut state = [0u8; 16];
        for (i, w) in [1u32, 2, 3, 4].iter().enumerate() {
            state[4 * i..4 * i + 4].copy_from_slice(&w.to_le_bytes());
        }
        let mut r = NetRng::from_state(state);
        let first: [u32; 3] = core::array::from_fn(|_| r.next_u32());
        assert_eq!(first, [641, 1573767, 3222811527]);
    }

    #[test]
    fn reference_deviates() {
        let mut r = NetRng::seed_from_u64(7);
        let u: [u32; 4] = core::array::from_fn(|_| r.uniform_f32().to_bits());
        assert_eq!(u, [0x3dc2bb28, 0x3d66be10, 0x3ebf94fc, 0x3eaa0e14]);
        let mut r = NetRng::seed_from_u64(1);
        let z: [u32; 8] = core::array::from_fn(|_| r.normal().to_bits());
        assert_eq!(z, [0xbf8687ac, 0x3fa39444, 0xbf9be3da, 0x3f087e68, 0xbed1f435, 0x3fc99ced, 0xbf97cce9, 0xbf1986cd]);
        let mut r = NetRng::seed_from_u64(3);
        let b: [u32; 4] = core::array::from_fn(|_| r.below(1000));
        assert_eq!(b, [996, 37, 317, 4]);
        let mut j = NetRng::seed_from_u64(1);
        j.jump();
        assert_eq!(j.next_u32(), 0x5279ca40, "the jumped stream (the README input of seed 1)");
    }

    #[test]
    fn uniform_grids_are_exact() {
        let mut r = NetRng::seed_from_u64(9);
        for _ in 0..10_000 {
            let u = r.uniform_f32();
            assert!((0.0..1.0).contains(&u));
            assert_eq!(u * 16_777_216.0, (u * 16_777_216.0) as u32 as f32);
            let v = r.uniform_open0_f32();
            assert!(v > 0.0 && v <= 1.0);
            let d = r.uniform_f64();
            assert!((0.0..1.0).contains(&d));
        }
    }

    #[test]
    fn below_is_uniform() {
        let mut r = NetRng::seed_from_u64(11);
        let mut counts = [0u32; 7];
        let n = 70_000;
        for _ in 0..n {
            counts[r.below(7) as usize] += 1;
        }
        // Each bin ~ Binomial(70000, 1/7): mean 10000, sd ~92. 6 sd band.
        for c in counts {
            assert!((9_450..=10_550).contains(&c), "{counts:?}");
        }
    }
}
