//! Spike vectors stored as bits, 32 units per `u32` word.
//!
//! Unit `i` lives in word `i / 32`, bit `i % 32`. Bits past the last unit are always zero, so
//! counting ones over whole words counts active units.

/// Number of `u32` words that hold `n` bits.
///
/// ```
/// assert_eq!(neuroloop_core::bits::words_for(0), 0);
/// assert_eq!(neuroloop_core::bits::words_for(32), 1);
/// assert_eq!(neuroloop_core::bits::words_for(200), 7);
/// ```
pub const fn words_for(n: usize) -> usize {
    n.div_ceil(32)
}

/// A read-only view of `len` bits.
///
/// ```
/// use neuroloop_core::bits::Bits;
/// let words = [0b1010_u32, 1];
/// let b = Bits::new(&words, 33);
/// assert!(b.get(1) && !b.get(2) && b.get(3) && b.get(32));
/// assert_eq!(b.count_ones(), 3);
/// assert_eq!(b.iter_ones().collect::<Vec<_>>(), [1, 3, 32]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bits<'a> {
    words: &'a [u32],
    len: usize,
}

impl<'a> Bits<'a> {
    /// A view of the first `len` bits of `words`. `len` is clamped to the bits available.
    pub fn new(words: &'a [u32], len: usize) -> Self {
        let len = len.min(words.len() * 32);
        Bits { words: &words[..words_for(len)], len }
    }

    /// Number of bits (units).
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the view holds no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i`; `false` past the end.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        get(self.words, i)
    }

    /// Number of ones.
    pub fn count_ones(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// The underlying words (bits past `len` are zero).
    pub fn words(&self) -> &'a [u32] {
        self.words
    }

    /// Indices of the ones, ascending.
    pub fn iter_ones(&self) -> Ones<'a> {
        Ones::new(self.words)
    }
}

/// Bit `i` of `words`; `false` past the end.
#[inline]
pub fn get(words: &[u32], i: usize) -> bool {
    match words.get(i / 32) {
        Some(w) => (w >> (i % 32)) & 1 == 1,
        None => false,
    }
}

/// Sets bit `i` (ignored past the end).
#[inline]
pub fn set(words: &mut [u32], i: usize) {
    if let Some(w) = words.get_mut(i / 32) {
        *w |= 1 << (i % 32);
    }
}

/// Clears bit `i` (ignored past the end).
#[inline]
pub fn clear(words: &mut [u32], i: usize) {
    if let Some(w) = words.get_mut(i / 32) {
        *w &= !(1 << (i % 32));
    }
}

/// Iterator over the indices of the set bits of a word slice, ascending.
#[derive(Clone, Debug)]
pub struct Ones<'a> {
    words: &'a [u32],
    base: usize,
    cur: u32,
}

impl<'a> Ones<'a> {
    /// Iterates the ones of `words`.
    pub fn new(words: &'a [u32]) -> Self {
        match words.split_first() {
            Some((&first, rest)) => Ones { words: rest, base: 0, cur: first },
            None => Ones { words, base: 0, cur: 0 },
        }
    }
}

impl Iterator for Ones<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.cur == 0 {
            let (&next, rest) = self.words.split_first()?;
            self.words = rest;
            self.cur = next;
            self.base += 32;
        }
        let bit = self.cur.trailing_zeros() as usize;
        self.cur &= self.cur - 1;
        Some(self.base + bit)
    }
}
