//! Spike trains as bit rasters: what recorders, reports and statistics keep of a run.

use neuroloop_core::bits::words_for;

/// Spike trains of `units` units, one bit per unit and step, rows of whole `u32` words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Raster {
    units: usize,
    words_per_row: usize,
    bits: Vec<u32>,
}

impl Raster {
    /// An empty raster of `units` units with room for `steps` rows.
    pub fn with_capacity(units: usize, steps: usize) -> Raster {
        let words_per_row = words_for(units);
        // The reservation is a hint, capped: a count from a file or a command line never sizes
        // an allocation beyond what pushes actually fill.
        let rows = steps.min(1 << 16);
        Raster { units, words_per_row, bits: Vec::with_capacity(words_per_row.saturating_mul(rows)) }
    }

    /// Appends one step given as the core's spike words (bit `i % 32` of word `i / 32`).
    ///
    /// ```
    /// use neuroloop_host::sorn::Raster;
    /// let mut r = Raster::with_capacity(40, 2);
    /// r.push_words(&[0b101, 1 << 7]);
    /// assert!(r.get(0, 0) && !r.get(0, 1) && r.get(0, 2) && r.get(0, 39));
    /// assert_eq!(r.steps(), 1);
    /// ```
    pub fn push_words(&mut self, words: &[u32]) {
        let n = self.words_per_row;
        self.bits.extend((0..n).map(|k| words.get(k).copied().unwrap_or(0)));
        if !self.units.is_multiple_of(32) {
            if let Some(last) = self.bits.last_mut() {
                *last &= (1u32 << (self.units % 32)) - 1;
            }
        }
    }

    /// Number of steps recorded.
    pub fn steps(&self) -> usize {
        self.bits.len().checked_div(self.words_per_row).unwrap_or(0)
    }

    /// Number of units.
    pub fn units(&self) -> usize {
        self.units
    }

    /// Whether unit `i` spiked at recorded step `t` (false out of range).
    pub fn get(&self, t: usize, i: usize) -> bool {
        i < self.units && self.bits.get(t * self.words_per_row + i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1)
    }

    /// The words of step `t`.
    pub fn row(&self, t: usize) -> &[u32] {
        let n = self.words_per_row;
        self.bits.get(t * n..(t + 1) * n).unwrap_or(&[])
    }

    /// Active units per step.
    pub fn counts(&self) -> Vec<u32> {
        (0..self.steps()).map(|t| self.row(t).iter().map(|w| w.count_ones()).sum()).collect()
    }
}
