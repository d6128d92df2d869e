//! Online recursive least squares (RLS) for a linear readout, in fixed memory.
//!
//! The readout `y = W x` (`O` outputs, `F` features) learns from one `(x, target)` pair at a
//! time. With forgetting factor `lambda` and `P(0) = I / delta`, each update is
//!
//! ```text
//! k = P x                       (F values)
//! c = 1 / (lambda + x . k)
//! e = target - W x              (the error before the update)
//! W += c e k^T
//! P  = (P - c k k^T) / lambda
//! ```
//!
//! With `lambda = 1` this is exactly ridge regression done online: after any number of
//! updates `W` equals `Y^T X (X^T X + delta I)^{-1}` over the pairs seen so far (tested in
//! `tests/rls.rs` against a direct solve). `P` is kept exactly symmetric (the upper triangle is
//! computed and mirrored), which is what keeps `f32` RLS stable over long runs.
//!
//! Memory: one caller-owned `f32` buffer of [`RlsLayout::len`] values (`F^2 + O F + F`): a
//! board sizes it at compile time with the `const fn` [`RlsLayout::new`], the host passes a
//! `Vec`. Cost of an update: `F^2` multiply-adds for `P` plus `F` times the number of non-zero
//! features for `k`; binary features ([`Rls::update_ones`]) skip the zeros entirely.

use core::fmt;

/// Buffer size of an RLS readout with `features` inputs and `outputs` outputs.
///
/// ```
/// use neuroloop_core::control::RlsLayout;
/// const L: RlsLayout = RlsLayout::new(49, 2);
/// assert_eq!(L.len, 49 * 49 + 2 * 49 + 49);
/// static BUF: [f32; L.len] = [0.0; L.len]; // what a board does
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RlsLayout {
    /// Features `F` (including a bias feature, if the caller uses one).
    pub features: usize,
    /// Outputs `O`.
    pub outputs: usize,
    /// `f32` values the buffer must hold: `P` (F x F), `W` (O x F), scratch `k` (F).
    pub len: usize,
}

impl RlsLayout {
    /// The layout for `features` inputs and `outputs` outputs.
    pub const fn new(features: usize, outputs: usize) -> Self {
        RlsLayout { features, outputs, len: features * features + outputs * features + features }
    }

    /// Bytes of the buffer.
    ///
    /// ```
    /// assert_eq!(neuroloop_core::control::RlsLayout::new(10, 1).bytes(), (100 + 10 + 10) * 4);
    /// ```
    pub const fn bytes(&self) -> usize {
        self.len * 4
    }
}

/// Why an RLS readout refused a call (the readout is unchanged).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RlsError {
    /// `features` or `outputs` is zero.
    EmptyLayout,
    /// The buffer's length is not [`RlsLayout::len`].
    BufferLength {
        /// Values needed.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// `delta` is not finite and positive, or `lambda` is not in `(0, 1]`.
    Parameter,
    /// A feature vector, target or output slice of the wrong length.
    Width {
        /// Values expected.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// An active-feature index not below `features`.
    FeatureIndex {
        /// The index.
        index: usize,
        /// Number of features.
        features: usize,
    },
    /// A feature or target value is NaN or infinite.
    NotFinite,
    /// The gain's denominator `lambda + x . P x` is not finite and positive: `P` has lost
    /// positive definiteness (nothing was changed; reset the readout or raise `delta`).
    Diverged,
}

impl fmt::Display for RlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RlsError::EmptyLayout => f.write_str("an RLS readout needs at least one feature and one output"),
            RlsError::BufferLength { expected, got } => {
                write!(f, "RLS buffer holds {got} values, the layout needs {expected}")
            }
            RlsError::Parameter => f.write_str("RLS needs delta > 0 (finite) and a forgetting factor in (0, 1]"),
            RlsError::Width { expected, got } => write!(f, "expected {expected} values, got {got}"),
            RlsError::FeatureIndex { index, features } => {
                write!(f, "feature index {index} out of range (the readout has {features} features)")
            }
            RlsError::NotFinite => f.write_str("a feature or target value is NaN or infinite"),
            RlsError::Diverged => f.write_str("RLS gain denominator is not positive: P lost positive definiteness"),
        }
    }
}

impl core::error::Error for RlsError {}

/// A linear readout `y = W x` learning online by recursive least squares, over a caller-owned
/// buffer.
///
/// ```
/// use neuroloop_core::control::{Rls, RlsLayout};
/// // learn y = 2 a - b + 0.5 from three exact samples (feature 2 is a bias of 1)
/// let l = RlsLayout::new(3, 1);
/// let mut rls = Rls::new(l, 1e-4, 1.0, [0.0f32; 3 * 3 + 3 + 3])?;
/// for x in [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]] {
///     let y = 2.0 * x[0] - x[1] + 0.5;
///     rls.update(&x, &[y])?;
/// }
/// let mut y = [0.0f32];
/// rls.predict(&[3.0, 1.0, 1.0], &mut y)?;
/// assert!((y[0] - 5.5).abs() < 1e-2);
/// # Ok::<(), neuroloop_core::control::RlsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Rls<S> {
    layout: RlsLayout,
    delta: f32,
    lambda: f32,
    buf: S,
}

impl<S: AsRef<[f32]> + AsMut<[f32]>> Rls<S> {
    /// A readout with zero weights and `P = I / delta`; `lambda` is the forgetting factor
    /// (1 for none, as in ridge regression; `delta` is then the ridge penalty). The buffer's
    /// previous contents are overwritten.
    pub fn new(layout: RlsLayout, delta: f32, lambda: f32, mut buf: S) -> Result<Self, RlsError> {
        if layout.features == 0 || layout.outputs == 0 {
            return Err(RlsError::EmptyLayout);
        }
        let l = RlsLayout::new(layout.features, layout.outputs);
        if buf.as_ref().len() != l.len {
            return Err(RlsError::BufferLength { expected: l.len, got: buf.as_ref().len() });
        }
        if !(delta.is_finite() && delta > 0.0 && lambda > 0.0 && lambda <= 1.0) {
            return Err(RlsError::Parameter);
        }
        buf.as_mut().fill(0.0);
        let mut rls = Rls { layout: l, delta, lambda, buf };
        rls.reset();
        Ok(rls)
    }

    /// Back to zero weights and `P = I / delta`.
    pub fn reset(&mut self) {
        let f = self.layout.features;
        let inv = 1.0 / self.delta;
        let b = self.buf.as_mut();
        b.fill(0.0);
        for i in 0..f {
            b[i * f + i] = inv;
        }
    }

    /// Its layout.
    pub fn layout(&self) -> RlsLayout {
        self.layout
    }

    /// The weights, `O` rows of `F` (row-major).
    ///
    /// ```
    /// use neuroloop_core::control::{Rls, RlsLayout};
    /// let rls = Rls::new(RlsLayout::new(2, 1), 1.0, 1.0, vec![0.0f32; 8])?;
    /// assert_eq!(rls.weights(), &[0.0, 0.0]);
    /// # Ok::<(), neuroloop_core::control::RlsError>(())
    /// ```
    pub fn weights(&self) -> &[f32] {
        let f = self.layout.features;
        &self.buf.as_ref()[f * f..f * f + self.layout.outputs * f]
    }

    /// The inverse correlation matrix `P` (`F x F`, row-major, symmetric).
    pub fn p(&self) -> &[f32] {
        let f = self.layout.features;
        &self.buf.as_ref()[..f * f]
    }

    /// `out = W x`.
    pub fn predict(&self, x: &[f32], out: &mut [f32]) -> Result<(), RlsError> {
        self.check_widths(x.len(), out.len())?;
        let f = self.layout.features;
        for (o, row) in out.iter_mut().zip(self.weights().chunks_exact(f)) {
            *o = row.iter().zip(x).fold(0.0, |s, (w, v)| s + w * v);
        }
        Ok(())
    }

    /// `out = W x` for a binary `x` whose ones are at `ones` (in any order, no repeats).
    ///
    /// ```
    /// use neuroloop_core::control::{Rls, RlsLayout};
    /// let mut rls = Rls::new(RlsLayout::new(4, 1), 1e-3, 1.0, vec![0.0f32; 24])?;
    /// rls.update_ones([0, 3].into_iter(), &[1.0])?;
    /// let (mut a, mut b) = ([0.0f32], [0.0f32]);
    /// rls.predict_ones([0, 3].into_iter(), &mut a)?;
    /// rls.predict(&[1.0, 0.0, 0.0, 1.0], &mut b)?;
    /// assert_eq!(a, b);
    /// # Ok::<(), neuroloop_core::control::RlsError>(())
    /// ```
    pub fn predict_ones(&self, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), RlsError> {
        self.check_widths(self.layout.features, out.len())?;
        self.check_ones(ones.clone())?;
        let f = self.layout.features;
        for (o, row) in out.iter_mut().zip(self.weights().chunks_exact(f)) {
            *o = ones.clone().fold(0.0, |s, i| s + row[i]);
        }
        Ok(())
    }

    /// One RLS update with features `x` and `target`; returns the squared error before the
    /// update, summed over outputs.
    pub fn update(&mut self, x: &[f32], target: &[f32]) -> Result<f32, RlsError> {
        self.check_widths(x.len(), target.len())?;
        if x.iter().chain(target).any(|v| !v.is_finite()) {
            return Err(RlsError::NotFinite);
        }
        let f = self.layout.features;
        let (p, rest) = self.buf.as_mut().split_at_mut(f * f);
        let k = &mut rest[self.layout.outputs * f..];
        // k = P x, skipping zero features
        k.fill(0.0);
        for (j, &xj) in x.iter().enumerate() {
            if xj != 0.0 {
                // P is symmetric: column j is row j, contiguous
                for (ki, pji) in k.iter_mut().zip(&p[j * f..(j + 1) * f]) {
                    *ki += pji * xj;
                }
            }
        }
        let xk = x.iter().zip(k.iter()).fold(0.0, |s, (a, b)| s + a * b);
        self.apply(xk, target, |row| row.iter().zip(x).fold(0.0, |s, (w, v)| s + w * v))
    }

    /// One RLS update for a binary feature vector whose ones are at `ones` (in any order, no
    /// repeats); the same result as [`Rls::update`] with the dense vector, in `F` times fewer
    /// operations for `k` when few features are on.
    pub fn update_ones(&mut self, ones: impl Iterator<Item = usize> + Clone, target: &[f32]) -> Result<f32, RlsError> {
        self.check_widths(self.layout.features, target.len())?;
        self.check_ones(ones.clone())?;
        if target.iter().any(|v| !v.is_finite()) {
            return Err(RlsError::NotFinite);
        }
        let f = self.layout.features;
        let (p, rest) = self.buf.as_mut().split_at_mut(f * f);
        let k = &mut rest[self.layout.outputs * f..];
        k.fill(0.0);
        for j in ones.clone() {
            for (ki, pji) in k.iter_mut().zip(&p[j * f..(j + 1) * f]) {
                *ki += pji;
            }
        }
        let xk = ones.clone().fold(0.0, |s, i| s + k[i]);
        self.apply(xk, target, |row| ones.clone().fold(0.0, |s, i| s + row[i]))
    }

    /// The shared second half of an update, once `k = P x` is in the scratch and `xk = x . k`.
    fn apply(&mut self, xk: f32, target: &[f32], dot: impl Fn(&[f32]) -> f32) -> Result<f32, RlsError> {
        let denom = self.lambda + xk;
        if !(denom.is_finite() && denom > 0.0) {
            return Err(RlsError::Diverged);
        }
        let c = 1.0 / denom;
        let f = self.layout.features;
        let (p, rest) = self.buf.as_mut().split_at_mut(f * f);
        let (w, k) = rest.split_at_mut(self.layout.outputs * f);
        let mut sq = 0.0;
        for (row, &t) in w.chunks_exact_mut(f).zip(target) {
            let e = t - dot(row);
            sq += e * e;
            let ce = c * e;
            for (wi, ki) in row.iter_mut().zip(k.iter()) {
                *wi += ce * ki;
            }
        }
        // P = (P - c k k^T) / lambda on the upper triangle, mirrored so P stays symmetric
        let inv_lambda = 1.0 / self.lambda;
        for i in 0..f {
            let cki = c * k[i];
            for j in i..f {
                let v = (p[i * f + j] - cki * k[j]) * inv_lambda;
                p[i * f + j] = v;
                p[j * f + i] = v;
            }
        }
        Ok(sq)
    }

    fn check_widths(&self, x: usize, y: usize) -> Result<(), RlsError> {
        if x != self.layout.features {
            return Err(RlsError::Width { expected: self.layout.features, got: x });
        }
        if y != self.layout.outputs {
            return Err(RlsError::Width { expected: self.layout.outputs, got: y });
        }
        Ok(())
    }

    fn check_ones(&self, mut ones: impl Iterator<Item = usize>) -> Result<(), RlsError> {
        let features = self.layout.features;
        match ones.find(|&i| i >= features) {
            Some(index) => Err(RlsError::FeatureIndex { index, features }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_layouts_and_parameters() {
        let l = RlsLayout::new(3, 2);
        assert_eq!(Rls::new(RlsLayout::new(0, 2), 1.0, 1.0, [0.0f32; 0]).err(), Some(RlsError::EmptyLayout));
        assert_eq!(Rls::new(l, 1.0, 1.0, [0.0f32; 5]).err(), Some(RlsError::BufferLength { expected: l.len, got: 5 }));
        let buf = [0.0f32; 3 * 3 + 6 + 3];
        assert_eq!(Rls::new(l, 0.0, 1.0, buf).err(), Some(RlsError::Parameter));
        assert_eq!(Rls::new(l, f32::NAN, 1.0, buf).err(), Some(RlsError::Parameter));
        assert_eq!(Rls::new(l, 1.0, 1.5, buf).err(), Some(RlsError::Parameter));
        assert_eq!(Rls::new(l, 1.0, 0.0, buf).err(), Some(RlsError::Parameter));
    }

    #[test]
    fn refused_updates_change_nothing() {
        let mut rls = Rls::new(RlsLayout::new(3, 1), 1.0, 1.0, [0.0f32; 15]).unwrap();
        rls.update(&[1.0, 0.0, 1.0], &[1.0]).unwrap();
        let before = rls.buf;
        assert_eq!(rls.update(&[1.0, 0.0], &[1.0]), Err(RlsError::Width { expected: 3, got: 2 }));
        assert_eq!(rls.update(&[1.0, f32::NAN, 0.0], &[1.0]), Err(RlsError::NotFinite));
        assert_eq!(rls.update(&[1.0, 0.0, 0.0], &[f32::INFINITY]), Err(RlsError::NotFinite));
        assert_eq!(rls.update_ones([0, 3].into_iter(), &[1.0]), Err(RlsError::FeatureIndex { index: 3, features: 3 }));
        assert_eq!(
            rls.predict_ones([7].into_iter(), &mut [0.0]),
            Err(RlsError::FeatureIndex { index: 7, features: 3 })
        );
        assert_eq!(rls.buf, before);
    }

    #[test]
    fn dense_and_binary_updates_give_the_same_bits() {
        let l = RlsLayout::new(6, 2);
        let mut a = Rls::new(l, 0.5, 0.99, [0.0f32; 6 * 6 + 12 + 6]).unwrap();
        let mut b = a.clone();
        let samples: [&[usize]; 4] = [&[0, 2, 5], &[1, 5], &[0, 1, 3, 4, 5], &[2, 5]];
        for (n, ones) in samples.iter().enumerate() {
            let mut x = [0.0f32; 6];
            ones.iter().for_each(|&i| x[i] = 1.0);
            let t = [n as f32 - 1.0, 1.0 - n as f32 * 0.5];
            let ea = a.update(&x, &t).unwrap();
            let eb = b.update_ones(ones.iter().copied(), &t).unwrap();
            assert_eq!(ea.to_bits(), eb.to_bits());
        }
        assert_eq!(a.buf[..l.len - 6], b.buf[..l.len - 6]);
    }

    #[test]
    fn p_stays_symmetric_and_its_diagonal_shrinks() {
        let mut rls = Rls::new(RlsLayout::new(4, 1), 0.1, 1.0, [0.0f32; 24]).unwrap();
        for n in 0..50u32 {
            let x = [(n % 3) as f32, 1.0, (n % 5) as f32 * 0.3, -0.5];
            rls.update(&x, &[(n % 2) as f32]).unwrap();
        }
        let p = rls.p();
        for i in 0..4 {
            assert!(p[i * 4 + i] > 0.0 && p[i * 4 + i] < 10.0, "diagonal {i}: {}", p[i * 4 + i]);
            for j in 0..4 {
                assert_eq!(p[i * 4 + j].to_bits(), p[j * 4 + i].to_bits());
            }
        }
    }

    #[test]
    fn reset_restores_the_prior() {
        let mut rls = Rls::new(RlsLayout::new(2, 1), 4.0, 1.0, [0.0f32; 8]).unwrap();
        rls.update(&[1.0, 1.0], &[3.0]).unwrap();
        assert_ne!(rls.weights(), &[0.0, 0.0]);
        rls.reset();
        assert_eq!(rls.weights(), &[0.0, 0.0]);
        assert_eq!(rls.p(), &[0.25, 0.0, 0.0, 0.25]);
    }

    #[test]
    fn one_sample_matches_the_closed_form() {
        // P0 = I / delta, x = (1, 1): W = t x^T / (delta + |x|^2)
        let mut rls = Rls::new(RlsLayout::new(2, 1), 0.5, 1.0, [0.0f32; 8]).unwrap();
        let err = rls.update(&[1.0, 1.0], &[2.5]).unwrap();
        assert_eq!(err, 6.25);
        assert_eq!(rls.weights(), &[1.0, 1.0]);
    }
}
