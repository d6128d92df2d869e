//! Buffer layouts, declared once.
//!
//! Every model of the core (SORN, CTRNN, RLS) lives in flat buffers its caller owns. Which
//! arrays a buffer holds, in which order and how long each is, is written exactly once, in a
//! `buffer_arrays!` declaration (a crate-private macro); it derives from that one list
//!
//! - a struct of [`Span`]s (offset and length of every array), computed by a `const fn` so a
//!   board can size `static` arrays at compile time, and the buffer's total length;
//! - `split`, which cuts a buffer into the named mutable arrays (in the same order);
//! - nothing else: read accessors index with the spans, so they cannot disagree with `split`.
//!
//! # The buffer rule
//!
//! Everywhere in the core a buffer must be **at least** as long as its layout says; anything
//! past that is never read or written. A board can therefore size one `static` array for the
//! largest of several networks and run them one after another in it (the firmware does), and
//! a host can pass a `Vec` of exactly the length. A buffer that is too short is refused with a
//! [`BufferError`] when the model is built, never later.

use core::fmt;

/// Where one array lies in its buffer: elements `start..start + len`.
///
/// ```
/// use neuroloop_core::layout::Span;
/// let s = Span { start: 2, len: 3 };
/// assert_eq!(s.of(&[0, 1, 2, 3, 4, 5]), &[2, 3, 4]);
/// assert_eq!(s.of(&[0, 1]), &[] as &[i32]); // out of range: empty, never a panic
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Span {
    /// First element.
    pub start: usize,
    /// Number of elements.
    pub len: usize,
}

impl Span {
    /// One past the last element (saturating).
    pub const fn end(&self) -> usize {
        self.start.saturating_add(self.len)
    }

    /// The array in `buf` (empty if `buf` is too short, which a checked buffer never is).
    #[inline]
    pub fn of<'a, T>(&self, buf: &'a [T]) -> &'a [T] {
        buf.get(self.start..self.end()).unwrap_or(&[])
    }

    /// The array in `buf`, mutably (empty if `buf` is too short).
    #[inline]
    pub fn of_mut<'a, T>(&self, buf: &'a mut [T]) -> &'a mut [T] {
        let end = self.end();
        buf.get_mut(self.start..end).unwrap_or(&mut [])
    }
}

/// Storage a model can run in: anything that lends its elements as a slice, mutably (`&mut
/// [T]`, `[T; N]`, `Vec<T>`). Every model of the core is generic over it.
pub trait Storage<T>: AsRef<[T]> + AsMut<[T]> {}

impl<T, S: AsRef<[T]> + AsMut<[T]> + ?Sized> Storage<T> for S {}

/// `N` little-endian `f32`s from `bytes`, starting at value `start`: how a board names a
/// parameter blob it `include_bytes!`s (`neuroloop ctrnn embed`). Values past the end of
/// `bytes` are 0 (the generated code asserts the blob's length at compile time).
///
/// ```
/// const BYTES: [u8; 8] = [0, 0, 128, 63, 0, 0, 0, 64]; // 1.0, 2.0
/// const V: [f32; 2] = neuroloop_core::layout::f32s_le(&BYTES, 0);
/// assert_eq!(V, [1.0, 2.0]);
/// assert_eq!(neuroloop_core::layout::f32s_le::<2>(&BYTES, 1), [2.0, 0.0]);
/// ```
pub const fn f32s_le<const N: usize>(bytes: &[u8], start: usize) -> [f32; N] {
    let mut out = [0.0f32; N];
    let mut i = 0;
    while i < N {
        let at = start.saturating_add(i).saturating_mul(4);
        if at.saturating_add(4) <= bytes.len() {
            out[i] = f32::from_bits(u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]));
        }
        i += 1;
    }
    out
}

/// A buffer shorter than its layout needs (see the module docs for the rule).
///
/// ```
/// use neuroloop_core::layout::BufferError;
/// let e = BufferError { buffer: "f32", needed: 10, got: 4 };
/// assert_eq!(e.to_string(), "the f32 buffer holds 4 elements; the layout needs 10");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BufferError {
    /// Which buffer (`"f32"`, `"u16"`, `"u32"`, `"parameter"`, `"state"`, ...).
    pub buffer: &'static str,
    /// Elements needed.
    pub needed: usize,
    /// Elements given.
    pub got: usize,
}

impl BufferError {
    /// `Ok` when `got >= needed`, else the error for `buffer`.
    pub const fn check(buffer: &'static str, needed: usize, got: usize) -> Result<(), BufferError> {
        if got < needed { Err(BufferError { buffer, needed, got }) } else { Ok(()) }
    }
}

impl fmt::Display for BufferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} buffer holds {} elements; the layout needs {}", self.buffer, self.got, self.needed)
    }
}

impl core::error::Error for BufferError {}

/// Declares the arrays of one buffer, in order, with their lengths (see the module docs).
///
/// `$spans` gets a `const fn new(&$sizes) -> Self`, `const fn total(&self) -> usize` and a
/// `split(&self, &mut [T]) -> Option<$parts>`; `$parts` holds one `&mut [T]` per array.
/// Lengths saturate, so absurd sizes never overflow (validation refuses them elsewhere).
///
macro_rules! buffer_arrays {
    (
        $(#[$meta:meta])*
        $vis:vis struct $spans:ident, $pvis:vis struct $parts:ident<$t:ty> for $s:ident : $sizes:ty {
            $( $(#[$fmeta:meta])* $field:ident : $len:expr ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        #[cfg_attr(feature = "defmt", derive(defmt::Format))]
        $vis struct $spans {
            $( $(#[$fmeta])* pub $field: $crate::layout::Span, )+
        }

        impl $spans {
            /// The spans of every array, consecutive, in declaration order.
            #[allow(clippy::let_and_return, unused_assignments)]
            $pvis const fn new($s: &$sizes) -> Self {
                let mut start = 0usize;
                $(
                    let $field = $crate::layout::Span { start, len: $len };
                    start = start.saturating_add($field.len);
                )+
                Self { $( $field, )+ }
            }

            /// Elements the buffer must hold (the sum of the arrays' lengths).
            pub const fn total(&self) -> usize {
                let mut total = 0usize;
                $( total = total.saturating_add(self.$field.len); )+
                total
            }

            /// Cuts `buf` into the arrays; `None` if it is shorter than [`Self::total`].
            #[allow(dead_code)]
            $pvis fn split<'a>(&self, buf: &'a mut [$t]) -> Option<$parts<'a>> {
                let rest = buf;
                $( let ($field, rest) = rest.split_at_mut_checked(self.$field.len)?; )+
                let _ = rest;
                Some($parts { $( $field, )+ })
            }
        }

        /// The arrays of one buffer, named, as `split` cut them.
        #[allow(dead_code, missing_docs)]
        $pvis struct $parts<'a> {
            $( $(#[$fmeta])* pub $field: &'a mut [$t], )+
        }
    };
}
pub(crate) use buffer_arrays;

#[cfg(test)]
mod tests {
    use super::*;

    struct Sizes {
        n: usize,
    }

    buffer_arrays! {
        /// Where the test arrays lie.
        struct Spans, struct Parts<f32> for s: Sizes {
            /// Two per unit.
            pairs: s.n.saturating_mul(2),
            /// One per unit.
            singles: s.n,
        }
    }

    #[test]
    fn spans_are_consecutive_and_split_agrees_with_them() {
        let spans = Spans::new(&Sizes { n: 3 });
        assert_eq!((spans.pairs, spans.singles), (Span { start: 0, len: 6 }, Span { start: 6, len: 3 }));
        assert_eq!(spans.total(), 9);
        let mut buf: [f32; 10] = core::array::from_fn(|i| i as f32);
        let p = spans.split(&mut buf).unwrap();
        assert_eq!(p.singles, &[6.0, 7.0, 8.0]);
        assert_eq!(spans.singles.of(&buf), &[6.0, 7.0, 8.0]);
        assert!(spans.split(&mut [0.0f32; 8]).is_none(), "too short: refused");
    }

    #[test]
    fn sizes_saturate_instead_of_overflowing() {
        let spans = Spans::new(&Sizes { n: usize::MAX });
        assert_eq!(spans.total(), usize::MAX);
        assert_eq!(spans.singles.end(), usize::MAX);
        assert!(spans.split(&mut [0.0f32; 4]).is_none());
    }

    #[test]
    fn buffer_check() {
        assert_eq!(BufferError::check("u16", 5, 5), Ok(()));
        assert_eq!(BufferError::check("u16", 5, 9), Ok(()), "longer is fine");
        assert_eq!(BufferError::check("u16", 5, 4), Err(BufferError { buffer: "u16", needed: 5, got: 4 }));
    }
}
