//! Digests of trajectories: how two runs (host and board, before and after a change) are
//! compared bit for bit without shipping the trajectories.
//!
//! FNV-1a (32 bit) over the little-endian bytes of 32-bit words: an `f32` is its bits, an `f64`
//! its low word then its high word, a spike vector its `u32` words. Not a cryptographic hash;
//! it only has to change when a bit changes.

/// An FNV-1a digest being computed.
///
/// ```
/// use neuroloop_core::digest::Fnv1a;
/// let mut d = Fnv1a::new();
/// d.write_u32(1);
/// d.write_f64(0.5);
/// assert_eq!(d.finish(), 0xf385_1409);
/// assert_eq!(Fnv1a::new().finish(), Fnv1a::START);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Fnv1a(u32);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a::new()
    }
}

impl Fnv1a {
    /// The FNV offset basis: the digest of nothing.
    pub const START: u32 = 0x811c_9dc5;
    const PRIME: u32 = 0x0100_0193;

    /// A digest of nothing yet.
    pub const fn new() -> Self {
        Fnv1a(Self::START)
    }

    /// Adds one word (its four little-endian bytes).
    #[inline]
    pub fn write_u32(&mut self, w: u32) {
        for b in w.to_le_bytes() {
            self.0 = (self.0 ^ u32::from(b)).wrapping_mul(Self::PRIME);
        }
    }

    /// Adds words in order.
    pub fn write_words(&mut self, words: impl IntoIterator<Item = u32>) {
        words.into_iter().for_each(|w| self.write_u32(w));
    }

    /// Adds an `f32` (its bits).
    pub fn write_f32(&mut self, v: f32) {
        self.write_u32(v.to_bits());
    }

    /// Adds `f32`s (their bits).
    pub fn write_f32s(&mut self, vs: &[f32]) {
        vs.iter().for_each(|&v| self.write_f32(v));
    }

    /// Adds an `f64`: its low word, then its high word.
    pub fn write_f64(&mut self, v: f64) {
        let b = v.to_bits();
        self.write_u32(b as u32);
        self.write_u32((b >> 32) as u32);
    }

    /// Adds `f64`s.
    pub fn write_f64s(&mut self, vs: &[f64]) {
        vs.iter().for_each(|&v| self.write_f64(v));
    }

    /// The digest so far.
    pub const fn finish(&self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_values() {
        // FNV-1a of the bytes "a" is 0xe40c292c (the published test vector); here of the word
        // 0x61 = "a\0\0\0".
        let mut a = Fnv1a::new();
        for b in b"a" {
            a.0 = (a.0 ^ u32::from(*b)).wrapping_mul(Fnv1a::PRIME);
        }
        assert_eq!(a.finish(), 0xe40c_292c);
        let mut w = Fnv1a::new();
        w.write_u32(0x61);
        assert_eq!(w.finish(), 0xf5e1_d3e4);
        let mut f = Fnv1a::new();
        f.write_f64(1.0);
        let mut g = Fnv1a::new();
        g.write_words([0, 0x3ff0_0000]);
        assert_eq!(f, g, "f64: low word then high word");
    }
}
