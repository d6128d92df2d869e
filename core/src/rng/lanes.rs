//! Four interleaved xoshiro128++ generators, stepped together: the noise source of a network.
//!
//! A SORN step draws one Gaussian sample per unit (240 for the default network). A single
//! generator makes every draw wait for the previous state update; four independent lanes
//! updated side by side let the compiler use SIMD on a PC (SSE2: one instruction per state word
//! for all four lanes) and cost the same as one generator on a Cortex-M. The output is defined
//! lane-wise, so it is the same on every target: word `4k + l` of a batch comes from lane `l`.
//!
//! Lane `l` is the seed's xoshiro128++ state advanced by `l + 1` long jumps (2^96 draws each),
//! so lanes never overlap each other, the network's own stream, or the host's input stream
//! (one ordinary jump, 2^64 draws).

use super::NetRng;

/// Four xoshiro128++ states, `s[word][lane]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lanes {
    s: [[u32; 4]; 4],
}

impl Lanes {
    /// The four lanes derived from `rng`'s current state (`rng` itself is not advanced).
    ///
    /// ```
    /// use neuroloop_core::rng::{Lanes, NetRng};
    /// let base = NetRng::seed_from_u64(1);
    /// let mut lanes = Lanes::from_rng(&base);
    /// let mut lane0 = base.clone();
    /// lane0.long_jump();
    /// assert_eq!(lanes.next4()[0], lane0.next_u32());
    /// ```
    pub fn from_rng(rng: &NetRng) -> Lanes {
        let mut s = [[0u32; 4]; 4];
        let mut r = rng.clone();
        for lane in 0..4 {
            r.long_jump();
            let bytes = r.state();
            for (word, row) in s.iter_mut().enumerate() {
                let b = [
                    bytes[4 * word],
                    bytes[4 * word + 1],
                    bytes[4 * word + 2],
                    bytes[4 * word + 3],
                ];
                row[lane] = u32::from_le_bytes(b);
            }
        }
        Lanes { s }
    }

    /// The lanes' state (16 words, word-major), for snapshots.
    pub fn state(&self) -> [[u32; 4]; 4] {
        self.s
    }

    /// Lanes from a saved [`Lanes::state`].
    pub fn from_state(s: [[u32; 4]; 4]) -> Lanes {
        Lanes { s }
    }

    /// The next word of each lane.
    #[inline(always)]
    #[allow(clippy::needless_range_loop)] // one indexed loop per operation is what vectorises
    pub fn next4(&mut self) -> [u32; 4] {
        // One operation at a time over all four lanes, so the compiler emits SIMD.
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0u32; 4];
        for l in 0..4 {
            out[l] = s0[l].wrapping_add(s3[l]);
        }
        for l in 0..4 {
            out[l] = out[l].rotate_left(7).wrapping_add(s0[l]);
        }
        let mut t = [0u32; 4];
        for l in 0..4 {
            t[l] = s1[l] << 9;
        }
        for l in 0..4 {
            s2[l] ^= s0[l];
        }
        for l in 0..4 {
            s3[l] ^= s1[l];
        }
        for l in 0..4 {
            s1[l] ^= s2[l];
        }
        for l in 0..4 {
            s0[l] ^= s3[l];
        }
        for l in 0..4 {
            s2[l] ^= t[l];
        }
        for l in 0..4 {
            s3[l] = s3[l].rotate_left(11);
        }
        out
    }

    /// Fills `words` with the lanes' next words, lane-interleaved (`words[4k + l]` from lane `l`),
    /// consuming `ceil(words.len() / 4)` words of every lane.
    #[inline]
    pub fn fill_words(&mut self, words: &mut [u32]) {
        let mut chunks = words.chunks_exact_mut(4);
        for chunk in &mut chunks {
            chunk.copy_from_slice(&self.next4());
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            let w = self.next4();
            rest.copy_from_slice(&w[..rest.len()]);
        }
    }

    /// Fills `out` with `sd` times standard normal deviates, using `words` (at least as long as
    /// `out`) as scratch for the lanes' words: ziggurat fast path on the lanes' words; the rare
    /// slow path draws its extra words from `extra`. Consumes `ceil(out.len() / 4)` words of
    /// every lane.
    ///
    /// ```
    /// use neuroloop_core::rng::{Lanes, NetRng};
    /// let mut rng = NetRng::seed_from_u64(2);
    /// let mut lanes = Lanes::from_rng(&rng);
    /// let (mut noise, mut words) = ([0.0f32; 240], [0u32; 240]);
    /// lanes.fill_normal(&mut rng, &mut noise, &mut words, 0.04);
    /// assert!(noise.iter().all(|v| v.is_finite() && v.abs() < 0.5));
    /// ```
    #[inline]
    pub fn fill_normal(&mut self, extra: &mut NetRng, out: &mut [f32], words: &mut [u32], sd: f32) {
        let words = &mut words[..out.len()];
        self.fill_words(words);
        for (o, &w) in out.iter_mut().zip(words.iter()) {
            *o = sd * super::ziggurat::normal_from_word(w, extra);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lane_is_xoshiro128plusplus_after_its_long_jumps() {
        let base = NetRng::seed_from_u64(77);
        let mut lanes = Lanes::from_rng(&base);
        let mut refs: [NetRng; 4] = core::array::from_fn(|l| {
            let mut r = base.clone();
            for _ in 0..=l {
                r.long_jump();
            }
            r
        });
        for _ in 0..1000 {
            let got = lanes.next4();
            for l in 0..4 {
                assert_eq!(got[l], refs[l].next_u32());
            }
        }
    }

    #[test]
    fn normal_batches_have_unit_variance() {
        let mut rng = NetRng::seed_from_u64(5);
        let mut lanes = Lanes::from_rng(&rng);
        let mut buf = [0.0f32; 1000];
        let mut words = [0u32; 1000];
        let (mut s, mut s2, mut n) = (0.0f64, 0.0f64, 0.0f64);
        for _ in 0..500 {
            lanes.fill_normal(&mut rng, &mut buf, &mut words, 1.0);
            for &v in &buf {
                s += f64::from(v);
                s2 += f64::from(v) * f64::from(v);
                n += 1.0;
            }
        }
        let mean = s / n;
        assert!(
            mean.abs() < 0.005 && (s2 / n - mean * mean - 1.0).abs() < 0.008,
            "{mean} {}",
            s2 / n
        );
    }
}
