//! Symbol inputs: each symbol of an alphabet drives its own random pool of excitatory units
//! (Lazar, Pipa & Triesch 2009), and the word sequences of their counting task.
//!
//! The network's input stays a real vector added to the first `nu` excitatory units (spec
//! oddity #11). [`SymbolInput`] turns a symbol into that vector: `gain` on the units of the
//! symbol's pool, 0 elsewhere. Pools are disjoint random subsets of `0..width`, drawn once from
//! a seed; for the paper's setting give the network `nu = ne` input channels, so any excitatory
//! unit can belong to a pool.
//!
//! ```
//! use neuroloop_core::sorn::{CountingWords, SymbolInput, SymbolSpec};
//! let spec = SymbolSpec { alphabet: CountingWords::ALPHABET, pool_size: 10, gain: 1.0 };
//! let pools = SymbolInput::new(spec, 200, 7, [0u16; 60]).unwrap();
//! let mut words = CountingWords::new(4, 7).unwrap();
//! let mut u = [0.0f32; 200];
//! let letter = words.next_letter();
//! pools.write(letter.symbol, &mut u).unwrap();
//! assert_eq!(u.iter().filter(|&&v| v == 1.0).count(), 10);
//! ```

use core::fmt;

use crate::rng::NetRng;

/// Why symbol inputs could not be set up or written (nothing was changed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SymbolError {
    /// The alphabet or the pool size is 0.
    Empty,
    /// `alphabet * pool_size` units are more than the `width` units there are to choose from.
    PoolsDoNotFit {
        /// `alphabet * pool_size`.
        needed: u32,
        /// Units available.
        width: u32,
    },
    /// The unit buffer holds fewer than `alphabet * pool_size` entries.
    BufferTooShort {
        /// Entries needed.
        needed: u32,
        /// Entries given.
        got: u32,
    },
    /// The gain is NaN or infinite.
    GainNotFinite,
    /// A symbol outside the alphabet.
    UnknownSymbol {
        /// The symbol.
        symbol: u16,
        /// Alphabet size.
        alphabet: u16,
    },
    /// The output vector's length is not the `width` the pools were drawn for.
    OutputWidth {
        /// `width`.
        expected: u32,
        /// Length given.
        got: u32,
    },
    /// A counting word needs at least one repeated letter (`n >= 1`).
    NoRepeats,
}

impl fmt::Display for SymbolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            SymbolError::Empty => f.write_str("the alphabet and the pool size must both be at least 1"),
            SymbolError::PoolsDoNotFit { needed, width } => write!(
                f,
                "{needed} units in disjoint symbol pools do not fit in {width} input units (give the network more input channels, nu)"
            ),
            SymbolError::BufferTooShort { needed, got } => {
                write!(f, "the pool buffer holds {got} units; alphabet x pool size needs {needed}")
            }
            SymbolError::GainNotFinite => f.write_str("the input gain is NaN or infinite"),
            SymbolError::UnknownSymbol { symbol, alphabet } => {
                write!(f, "symbol {symbol} is outside the alphabet of {alphabet} symbols")
            }
            SymbolError::OutputWidth { expected, got } => {
                write!(f, "the input vector has {got} values; the pools were drawn over {expected} units")
            }
            SymbolError::NoRepeats => f.write_str("counting words need n >= 1 repeated letters"),
        }
    }
}

impl core::error::Error for SymbolError {}

/// The shape of a symbol input: how many symbols, how many units each drives, how strongly.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SymbolSpec {
    /// Number of symbols.
    pub alphabet: u16,
    /// Excitatory units per symbol (the paper's N_U = 10).
    pub pool_size: u16,
    /// Input added to a pool's units while its symbol is shown (the paper: 1).
    pub gain: f32,
}

impl SymbolSpec {
    /// Units in all pools together: the length of the buffer [`SymbolInput::new`] needs.
    pub const fn units(&self) -> usize {
        self.alphabet as usize * self.pool_size as usize
    }
}

/// Disjoint random pools of units, one per symbol, in a caller-provided buffer of
/// [`SymbolSpec::units`] unit indices (pool `s` is entries `s * pool_size ..`).
#[derive(Clone, Debug, PartialEq)]
pub struct SymbolInput<B> {
    spec: SymbolSpec,
    width: u32,
    units: B,
}

impl<B: AsRef<[u16]> + AsMut<[u16]>> SymbolInput<B> {
    /// Draws the pools among units `0..width` from `seed`: a uniformly random set of
    /// `alphabet * pool_size` distinct units (Floyd's algorithm), shuffled (Fisher-Yates), then
    /// cut into consecutive pools. Uses `2 * units` calls of [`NetRng::below`].
    ///
    /// ```
    /// use neuroloop_core::sorn::{SymbolError, SymbolInput, SymbolSpec};
    /// let spec = SymbolSpec { alphabet: 3, pool_size: 4, gain: 1.0 };
    /// let p = SymbolInput::new(spec, 20, 1, [0u16; 12]).unwrap();
    /// assert_eq!(p.pool(2).unwrap().len(), 4);
    /// assert_eq!(
    ///     SymbolInput::new(spec, 10, 1, [0u16; 12]).unwrap_err(),
    ///     SymbolError::PoolsDoNotFit { needed: 12, width: 10 }
    /// );
    /// ```
    pub fn new(spec: SymbolSpec, width: u32, seed: u64, mut units: B) -> Result<Self, SymbolError> {
        if spec.alphabet == 0 || spec.pool_size == 0 {
            return Err(SymbolError::Empty);
        }
        if !spec.gain.is_finite() {
            return Err(SymbolError::GainNotFinite);
        }
        let needed = spec.units();
        // Units are u16 in the network too: a wider input cannot address more.
        let width = width.min(u32::from(u16::MAX) + 1);
        if needed as u64 > u64::from(width) {
            return Err(SymbolError::PoolsDoNotFit { needed: needed as u32, width });
        }
        let buf = units.as_mut();
        if buf.len() < needed {
            return Err(SymbolError::BufferTooShort { needed: needed as u32, got: buf.len() as u32 });
        }
        let chosen = &mut buf[..needed];
        let mut rng = NetRng::seed_from_u64(seed);
        // Floyd: for j in width-k .. width, take t in 0..=j, or j itself if t is already in.
        for (filled, j) in (width - needed as u32..width).enumerate() {
            let t = rng.below(j + 1) as u16;
            let pick = if chosen[..filled].contains(&t) { j as u16 } else { t };
            chosen[filled] = pick;
        }
        // Floyd's set is uniform but its order is not: shuffle before cutting into pools.
        for i in (1..needed).rev() {
            let k = rng.below(i as u32 + 1) as usize;
            chosen.swap(i, k);
        }
        Ok(SymbolInput { spec, width, units })
    }

    /// The shape the pools were drawn for.
    pub fn spec(&self) -> SymbolSpec {
        self.spec
    }

    /// The input width (the network's `nu`).
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The units of symbol `symbol`'s pool, or `None` outside the alphabet.
    pub fn pool(&self, symbol: u16) -> Option<&[u16]> {
        if symbol >= self.spec.alphabet {
            return None;
        }
        let p = self.spec.pool_size as usize;
        let start = symbol as usize * p;
        Some(&self.units.as_ref()[start..start + p])
    }

    /// Writes the input vector for `symbol` into `out` (`width` values): `gain` on its pool,
    /// 0 elsewhere.
    ///
    /// ```
    /// use neuroloop_core::sorn::{SymbolError, SymbolInput, SymbolSpec};
    /// let spec = SymbolSpec { alphabet: 2, pool_size: 3, gain: 0.5 };
    /// let p = SymbolInput::new(spec, 8, 4, [0u16; 6]).unwrap();
    /// let mut u = [9.0f32; 8];
    /// p.write(1, &mut u).unwrap();
    /// assert_eq!(u.iter().sum::<f32>(), 1.5);
    /// assert_eq!(p.write(2, &mut u), Err(SymbolError::UnknownSymbol { symbol: 2, alphabet: 2 }));
    /// ```
    pub fn write(&self, symbol: u16, out: &mut [f32]) -> Result<(), SymbolError> {
        if out.len() as u64 != u64::from(self.width) {
            return Err(SymbolError::OutputWidth { expected: self.width, got: out.len() as u32 });
        }
        let pool = self.pool(symbol).ok_or(SymbolError::UnknownSymbol { symbol, alphabet: self.spec.alphabet })?;
        out.iter_mut().for_each(|v| *v = 0.0);
        for &unit in pool {
            out[unit as usize] = self.spec.gain;
        }
        Ok(())
    }

    /// Gives the unit buffer back.
    pub fn into_buffer(self) -> B {
        self.units
    }
}

/// One letter of a word sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Letter {
    /// The symbol shown (an index into the alphabet).
    pub symbol: u16,
    /// Which word it belongs to.
    pub word: u8,
    /// Its position in the word, from 0.
    pub position: u16,
}

/// The counting task's input (Lazar et al. 2009): words `a b^n c` and `d e^n f` (symbols 0 1 2
/// and 3 4 5), one letter per step, with no gaps; each word is chosen with probability 1/2,
/// independently of the last (one [`NetRng::below`] call per word).
///
/// ```
/// use neuroloop_core::sorn::CountingWords;
/// let mut w = CountingWords::new(2, 1).unwrap();
/// let first: Vec<u16> = (0..4).map(|_| w.next_letter().symbol).collect();
/// assert!(first == [0, 1, 1, 2] || first == [3, 4, 4, 5]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountingWords {
    n: u16,
    word: u8,
    position: u16,
    rng: NetRng,
}

impl CountingWords {
    /// Symbols the two words use.
    pub const ALPHABET: u16 = 6;

    /// Words with `n` repeated middle letters (`n >= 1`, length `n + 2`), drawn from `seed`.
    pub fn new(n: u16, seed: u64) -> Result<Self, SymbolError> {
        if n == 0 {
            return Err(SymbolError::NoRepeats);
        }
        let mut rng = NetRng::seed_from_u64(seed);
        let word = rng.below(2) as u8;
        Ok(CountingWords { n, word, position: 0, rng })
    }

    /// The number of repeated letters.
    pub fn n(&self) -> u16 {
        self.n
    }

    /// The next letter; a new word starts after the last one's final letter.
    pub fn next_letter(&mut self) -> Letter {
        let (word, position) = (self.word, self.position);
        let offset = if position == 0 {
            0
        } else if position <= self.n {
            1
        } else {
            2
        };
        if position > self.n {
            self.word = self.rng.below(2) as u8;
            self.position = 0;
        } else {
            self.position += 1;
        }
        Letter { symbol: u16::from(word) * 3 + offset, word, position }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_disjoint_inside_the_width_and_cover_every_unit_evenly() {
        let spec = SymbolSpec { alphabet: 6, pool_size: 10, gain: 1.0 };
        let mut hits = [0u32; 200];
        for seed in 0..2000 {
            let p = SymbolInput::new(spec, 200, seed, [0u16; 60]).unwrap();
            let mut seen = [false; 200];
            for s in 0..6 {
                for &u in p.pool(s).unwrap() {
                    assert!(!seen[u as usize], "unit {u} in two pools (seed {seed})");
                    seen[u as usize] = true;
                    hits[u as usize] += 1;
                }
            }
        }
        // Each unit is in some pool with probability 60/200: 600 of 2000 draws, sd ~20.5.
        let (lo, hi) = (hits.iter().min().unwrap(), hits.iter().max().unwrap());
        assert!(*lo > 500 && *hi < 700, "uneven pools: {lo}..{hi}");
    }

    #[test]
    fn pools_are_pinned_by_the_seed() {
        let spec = SymbolSpec { alphabet: 2, pool_size: 3, gain: 1.0 };
        let p = SymbolInput::new(spec, 50, 12345, [0u16; 6]).unwrap();
        // Reference values: a change here changes every symbol-driven run (CHANGELOG).
        assert_eq!(p.into_buffer(), [3, 21, 11, 2, 24, 35]);
        assert_eq!(SymbolInput::new(spec, 6, 9, [0u16; 6]).unwrap().into_buffer().iter().sum::<u16>(), 15);
    }

    #[test]
    fn bad_setups_are_refused() {
        let spec = SymbolSpec { alphabet: 2, pool_size: 3, gain: 1.0 };
        assert_eq!(
            SymbolInput::new(spec, 50, 1, [0u16; 5]).unwrap_err(),
            SymbolError::BufferTooShort { needed: 6, got: 5 }
        );
        let nan = SymbolSpec { gain: f32::NAN, ..spec };
        assert_eq!(SymbolInput::new(nan, 50, 1, [0u16; 6]).unwrap_err(), SymbolError::GainNotFinite);
        let empty = SymbolSpec { pool_size: 0, ..spec };
        assert_eq!(SymbolInput::new(empty, 50, 1, [0u16; 6]).unwrap_err(), SymbolError::Empty);
        let p = SymbolInput::new(spec, 50, 1, [0u16; 6]).unwrap();
        let mut short = [0.0f32; 49];
        assert_eq!(p.write(0, &mut short), Err(SymbolError::OutputWidth { expected: 50, got: 49 }));
        assert_eq!(CountingWords::new(0, 1).unwrap_err(), SymbolError::NoRepeats);
    }

    #[test]
    fn counting_words_are_whole_words_chosen_evenly() {
        let n = 3;
        let mut w = CountingWords::new(n, 5).unwrap();
        let mut words = [0u32; 2];
        for _ in 0..10_000 {
            let first = w.next_letter();
            assert_eq!(first.position, 0);
            assert_eq!(first.symbol, u16::from(first.word) * 3);
            words[first.word as usize] += 1;
            for k in 1..=n {
                let l = w.next_letter();
                assert_eq!((l.symbol, l.word, l.position), (first.symbol + 1, first.word, k));
            }
            let last = w.next_letter();
            assert_eq!((last.symbol, last.position), (first.symbol + 2, n + 1));
        }
        // Binomial(10000, 1/2): sd 50.
        assert!(words[0].abs_diff(5000) < 250, "{words:?}");
    }
}
