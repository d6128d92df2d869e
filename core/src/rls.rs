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
//! Memory: one caller-owned `f32` buffer of [`Layout::len`] values (`F^2 + O F + F`): a
//! board sizes it at compile time with the `const fn` [`Layout::new`], the host passes a
//! `Vec`. Cost of an update: `F^2` multiply-adds for `P` plus `F` times the number of non-zero
//! features for `k`; binary features ([`Rls::update_ones`]) skip the zeros entirely.

use core::fmt;

use crate::layout::{BufferError, Storage, buffer_arrays};

/// An RLS readout's settings.
///
/// ```
/// use neuroloop_core::rls::Config;
/// const CFG: Config = Config { features: 49, outputs: 2, delta: 0.1, forgetting: 1.0 };
/// assert!(CFG.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Config {
    /// Features `F` (including a bias feature, if the caller uses one).
    pub features: usize,
    /// Outputs `O`.
    pub outputs: usize,
    /// `P(0) = I / delta` (the ridge penalty when `forgetting` is 1).
    pub delta: f32,
    /// Forgetting factor `lambda` in `(0, 1]` (1: none).
    pub forgetting: f32,
}

impl Config {
    /// Checks the settings (what [`Rls::new`] checks before it looks at the buffer).
    pub fn validate(&self) -> Result<(), Error> {
        if self.features == 0 || self.outputs == 0 {
            return Err(Error::EmptyLayout);
        }
        let (d, l) = (self.delta, self.forgetting);
        if !(d.is_finite() && d > 0.0 && l > 0.0 && l <= 1.0) {
            return Err(Error::Parameter);
        }
        Ok(())
    }
}

buffer_arrays! {
    /// Where the arrays of the buffer lie.
    pub struct Spans, pub(crate) struct Parts<f32> for c: Config {
        /// The inverse correlation matrix `P`, `F x F`, row-major, symmetric.
        p: c.features.saturating_mul(c.features),
        /// The weights, `O x F`, row-major.
        w: c.outputs.saturating_mul(c.features),
        /// Scratch: the gain vector `k`, `F`.
        k: c.features,
    }
}

/// Buffer size of an RLS readout, and where its arrays lie.
///
/// ```
/// use neuroloop_core::rls::{Config, Layout};
/// const L: Layout = Layout::new(&Config { features: 49, outputs: 2, delta: 0.1, forgetting: 1.0 });
/// assert_eq!(L.len, 49 * 49 + 2 * 49 + 49);
/// static BUF: [f32; L.len] = [0.0; L.len]; // what a board does
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Layout {
    /// Features `F`.
    pub features: usize,
    /// Outputs `O`.
    pub outputs: usize,
    /// The arrays.
    pub spans: Spans,
    /// `f32` values the buffer must hold: `P` (F x F), `W` (O x F), scratch `k` (F).
    pub len: usize,
}

impl Layout {
    /// The layout for `cfg`'s sizes.
    pub const fn new(cfg: &Config) -> Self {
        let spans = Spans::new(cfg);
        Layout { features: cfg.features, outputs: cfg.outputs, spans, len: spans.total() }
    }

    /// Bytes of the buffer.
    ///
    /// ```
    /// use neuroloop_core::rls::{Config, Layout};
    /// let l = Layout::new(&Config { features: 10, outputs: 1, delta: 1.0, forgetting: 1.0 });
    /// assert_eq!(l.bytes(), (100 + 10 + 10) * 4);
    /// ```
    pub const fn bytes(&self) -> usize {
        self.len.saturating_mul(4)
    }
}

/// Why an RLS readout refused a call (the readout is unchanged).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Error {
    /// `features` or `outputs` is zero.
    EmptyLayout,
    /// The buffer is shorter than [`Layout::len`].
    Buffer(BufferError),
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
    /// Saved state that no readout can have: a value NaN or infinite, `P` not symmetric, or a
    /// diagonal entry of `P` not positive.
    Corrupt,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::EmptyLayout => f.write_str("an RLS readout needs at least one feature and one output"),
            Error::Buffer(e) => write!(f, "RLS buffers: {e}"),
            Error::Parameter => f.write_str("RLS needs delta > 0 (finite) and a forgetting factor in (0, 1]"),
            Error::Width { expected, got } => write!(f, "expected {expected} values, got {got}"),
            Error::FeatureIndex { index, features } => {
                write!(f, "feature index {index} out of range (the readout has {features} features)")
            }
            Error::NotFinite => f.write_str("a feature or target value is NaN or infinite"),
            Error::Diverged => f.write_str("RLS gain denominator is not positive: P lost positive definiteness"),
            Error::Corrupt => f.write_str(
                "saved RLS state is inconsistent (non-finite, P not symmetric or its diagonal not positive)",
            ),
        }
    }
}

impl core::error::Error for Error {}

/// A linear readout `y = W x` learning online by recursive least squares, over a caller-owned
/// buffer.
///
/// ```
/// use neuroloop_core::rls::{Config, Layout, Rls};
/// // learn y = 2 a - b + 0.5 from three exact samples (feature 2 is a bias of 1)
/// const CFG: Config = Config { features: 3, outputs: 1, delta: 1e-4, forgetting: 1.0 };
/// let mut rls = Rls::new(&CFG, [0.0f32; Layout::new(&CFG).len])?;
/// for x in [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 1.0]] {
///     let y = 2.0 * x[0] - x[1] + 0.5;
///     rls.update(&x, &[y])?;
/// }
/// let mut y = [0.0f32];
/// rls.predict(&[3.0, 1.0, 1.0], &mut y)?;
/// assert!((y[0] - 5.5).abs() < 1e-2);
/// # Ok::<(), neuroloop_core::rls::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Rls<S> {
    cfg: Config,
    layout: Layout,
    buf: S,
}

impl<S: Storage<f32>> Rls<S> {
    /// A readout with zero weights and `P = I / delta`. The buffer must hold at least
    /// [`Layout::len`] values; their previous contents are overwritten.
    pub fn new(cfg: &Config, buf: S) -> Result<Self, Error> {
        cfg.validate()?;
        let layout = Layout::new(cfg);
        BufferError::check("f32", layout.len, buf.as_ref().len()).map_err(Error::Buffer)?;
        let mut rls = Rls { cfg: *cfg, layout, buf };
        rls.reset();
        Ok(rls)
    }

    /// A readout from saved state: `buf` holds what [`Rls::buffer`] gave for `cfg` (P, W and
    /// the gain scratch). Checked, since it comes from outside: every value finite, `P`
    /// symmetric (the updates keep it exactly so) with a positive diagonal.
    ///
    /// ```
    /// use neuroloop_core::rls::{Config, Rls};
    /// let cfg = Config { features: 2, outputs: 1, delta: 0.5, forgetting: 1.0 };
    /// let mut a = Rls::new(&cfg, vec![0.0f32; 8])?;
    /// a.update(&[1.0, 0.5], &[2.0])?;
    /// let b = Rls::restore(&cfg, a.buffer().to_vec())?;
    /// assert_eq!(b.weights(), a.weights());
    /// let mut bad = a.buffer().to_vec();
    /// bad[1] += 1.0; // P[0][1] != P[1][0]
    /// assert!(Rls::restore(&cfg, bad).is_err());
    /// # Ok::<(), neuroloop_core::rls::Error>(())
    /// ```
    pub fn restore(cfg: &Config, buf: S) -> Result<Self, Error> {
        cfg.validate()?;
        let layout = Layout::new(cfg);
        BufferError::check("f32", layout.len, buf.as_ref().len()).map_err(Error::Buffer)?;
        let f = layout.features;
        let all = &buf.as_ref()[..layout.len];
        let p = layout.spans.p.of(all);
        let symmetric = (0..f).all(|i| p[i * f + i] > 0.0 && (0..i).all(|j| p[i * f + j] == p[j * f + i]));
        if all.iter().any(|v| !v.is_finite()) || !symmetric {
            return Err(Error::Corrupt);
        }
        Ok(Rls { cfg: *cfg, layout, buf })
    }

    /// Gives the buffer back.
    pub fn into_buffer(self) -> S {
        self.buf
    }

    /// Back to zero weights and `P = I / delta`.
    pub fn reset(&mut self) {
        let f = self.layout.features;
        let inv = 1.0 / self.cfg.delta;
        let b = self.layout.spans.p.of_mut(self.buf.as_mut());
        b.fill(0.0);
        b.iter_mut().step_by(f + 1).for_each(|d| *d = inv);
        self.layout.spans.w.of_mut(self.buf.as_mut()).fill(0.0);
        self.layout.spans.k.of_mut(self.buf.as_mut()).fill(0.0);
    }

    /// The arrays, cut from the buffer (checked when the readout was built).
    fn parts(&mut self) -> Result<Parts<'_>, Error> {
        let got = self.buf.as_ref().len();
        self.layout.spans.split(self.buf.as_mut()).ok_or(Error::Buffer(BufferError {
            buffer: "f32",
            needed: self.layout.len,
            got,
        }))
    }

    /// One RLS update with features `x` and `target`; returns the squared error before the
    /// update, summed over outputs.
    pub fn update(&mut self, x: &[f32], target: &[f32]) -> Result<f32, Error> {
        self.check_widths(x.len(), target.len())?;
        if x.iter().chain(target).any(|v| !v.is_finite()) {
            return Err(Error::NotFinite);
        }
        let (f, lambda) = (self.layout.features, self.cfg.forgetting);
        let Parts { p, w, k } = self.parts()?;
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
        apply(lambda, p, w, k, f, xk, target, |row| row.iter().zip(x).fold(0.0, |s, (w, v)| s + w * v))
    }

    /// One RLS update for a binary feature vector whose ones are at `ones` (in any order, no
    /// repeats); the same result as [`Rls::update`] with the dense vector, in `F` times fewer
    /// operations for `k` when few features are on.
    pub fn update_ones(&mut self, ones: impl Iterator<Item = usize> + Clone, target: &[f32]) -> Result<f32, Error> {
        self.check_widths(self.layout.features, target.len())?;
        self.check_ones(ones.clone())?;
        if target.iter().any(|v| !v.is_finite()) {
            return Err(Error::NotFinite);
        }
        let (f, lambda) = (self.layout.features, self.cfg.forgetting);
        let Parts { p, w, k } = self.parts()?;
        k.fill(0.0);
        for j in ones.clone() {
            for (ki, pji) in k.iter_mut().zip(&p[j * f..(j + 1) * f]) {
                *ki += pji;
            }
        }
        let xk = ones.clone().fold(0.0, |s, i| s + k[i]);
        apply(lambda, p, w, k, f, xk, target, |row| ones.clone().fold(0.0, |s, i| s + row[i]))
    }
}

/// The shared second half of an update, once `k = P x` is in the scratch and `xk = x . k`.
#[allow(clippy::too_many_arguments)]
fn apply(
    lambda: f32,
    p: &mut [f32],
    w: &mut [f32],
    k: &[f32],
    f: usize,
    xk: f32,
    target: &[f32],
    dot: impl Fn(&[f32]) -> f32,
) -> Result<f32, Error> {
    let denom = lambda + xk;
    if !(denom.is_finite() && denom > 0.0) {
        return Err(Error::Diverged);
    }
    let c = 1.0 / denom;
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
    let inv_lambda = 1.0 / lambda;
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

impl<S: AsRef<[f32]>> Rls<S> {
    /// Its settings.
    pub fn config(&self) -> Config {
        self.cfg
    }

    /// Its layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// The weights, `O` rows of `F` (row-major).
    ///
    /// ```
    /// use neuroloop_core::rls::{Config, Rls};
    /// let rls = Rls::new(&Config { features: 2, outputs: 1, delta: 1.0, forgetting: 1.0 }, vec![0.0f32; 8])?;
    /// assert_eq!(rls.weights(), &[0.0, 0.0]);
    /// # Ok::<(), neuroloop_core::rls::Error>(())
    /// ```
    pub fn weights(&self) -> &[f32] {
        self.layout.spans.w.of(self.buf.as_ref())
    }

    /// The whole state (the used part of the buffer): what [`Rls::restore`] takes back.
    pub fn buffer(&self) -> &[f32] {
        let b = self.buf.as_ref();
        b.get(..self.layout.len).unwrap_or(b)
    }

    /// The inverse correlation matrix `P` (`F x F`, row-major, symmetric).
    pub fn p(&self) -> &[f32] {
        self.layout.spans.p.of(self.buf.as_ref())
    }

    /// `out = W x`.
    pub fn predict(&self, x: &[f32], out: &mut [f32]) -> Result<(), Error> {
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
    /// use neuroloop_core::rls::{Config, Rls};
    /// let mut rls = Rls::new(&Config { features: 4, outputs: 1, delta: 1e-3, forgetting: 1.0 }, vec![0.0f32; 24])?;
    /// rls.update_ones([0, 3].into_iter(), &[1.0])?;
    /// let (mut a, mut b) = ([0.0f32], [0.0f32]);
    /// rls.predict_ones([0, 3].into_iter(), &mut a)?;
    /// rls.predict(&[1.0, 0.0, 0.0, 1.0], &mut b)?;
    /// assert_eq!(a, b);
    /// # Ok::<(), neuroloop_core::rls::Error>(())
    /// ```
    pub fn predict_ones(&self, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), Error> {
        self.check_widths(self.layout.features, out.len())?;
        self.check_ones(ones.clone())?;
        predict_rows(self.weights(), self.layout.features, ones, out);
        Ok(())
    }

    fn check_widths(&self, x: usize, y: usize) -> Result<(), Error> {
        if x != self.layout.features {
            return Err(Error::Width { expected: self.layout.features, got: x });
        }
        if y != self.layout.outputs {
            return Err(Error::Width { expected: self.layout.outputs, got: y });
        }
        Ok(())
    }

    fn check_ones(&self, mut ones: impl Iterator<Item = usize>) -> Result<(), Error> {
        let features = self.layout.features;
        match ones.find(|&i| i >= features) {
            Some(index) => Err(Error::FeatureIndex { index, features }),
            None => Ok(()),
        }
    }
}

/// `out[o] = sum of row o's weights at the ones`, each row summed in the order of `ones`: the
/// one readout sum every binary readout (RLS or fixed weights, host or board) computes.
pub fn predict_rows(weights: &[f32], features: usize, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) {
    for (o, row) in out.iter_mut().zip(weights.chunks_exact(features.max(1))) {
        *o = ones.clone().fold(0.0, |s, i| s + row.get(i).copied().unwrap_or(0.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(features: usize, outputs: usize, delta: f32, forgetting: f32) -> Config {
        Config { features, outputs, delta, forgetting }
    }

    #[test]
    fn refuses_bad_layouts_and_parameters() {
        let c = cfg(3, 2, 1.0, 1.0);
        assert_eq!(Rls::new(&cfg(0, 2, 1.0, 1.0), [0.0f32; 0]).err(), Some(Error::EmptyLayout));
        let short = Error::Buffer(BufferError { buffer: "f32", needed: Layout::new(&c).len, got: 5 });
        assert_eq!(Rls::new(&c, [0.0f32; 5]).err(), Some(short));
        let buf = [0.0f32; 3 * 3 + 6 + 3];
        assert_eq!(Rls::new(&cfg(3, 2, 0.0, 1.0), buf).err(), Some(Error::Parameter));
        assert_eq!(Rls::new(&cfg(3, 2, f32::NAN, 1.0), buf).err(), Some(Error::Parameter));
        assert_eq!(Rls::new(&cfg(3, 2, 1.0, 1.5), buf).err(), Some(Error::Parameter));
        assert_eq!(Rls::new(&cfg(3, 2, 1.0, 0.0), buf).err(), Some(Error::Parameter));
        // Longer buffers are fine (the core's buffer rule); the tail is never touched.
        let mut long = [7.0f32; 20];
        let rls = Rls::new(&c, &mut long[..]).unwrap();
        assert_eq!(rls.weights(), &[0.0; 6]);
        assert_eq!(long[18..], [7.0, 7.0]);
    }

    #[test]
    fn refused_updates_change_nothing() {
        let mut rls = Rls::new(&cfg(3, 1, 1.0, 1.0), [0.0f32; 15]).unwrap();
        rls.update(&[1.0, 0.0, 1.0], &[1.0]).unwrap();
        let before = rls.buf;
        assert_eq!(rls.update(&[1.0, 0.0], &[1.0]), Err(Error::Width { expected: 3, got: 2 }));
        assert_eq!(rls.update(&[1.0, f32::NAN, 0.0], &[1.0]), Err(Error::NotFinite));
        assert_eq!(rls.update(&[1.0, 0.0, 0.0], &[f32::INFINITY]), Err(Error::NotFinite));
        assert_eq!(rls.update_ones([0, 3].into_iter(), &[1.0]), Err(Error::FeatureIndex { index: 3, features: 3 }));
        assert_eq!(rls.predict_ones([7].into_iter(), &mut [0.0]), Err(Error::FeatureIndex { index: 7, features: 3 }));
        assert_eq!(rls.buf, before);
    }

    #[test]
    fn dense_and_binary_updates_give_the_same_bits() {
        let l = Layout::new(&cfg(6, 2, 0.5, 0.99));
        let mut a = Rls::new(&cfg(6, 2, 0.5, 0.99), [0.0f32; 6 * 6 + 12 + 6]).unwrap();
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
        let mut rls = Rls::new(&cfg(4, 1, 0.1, 1.0), [0.0f32; 24]).unwrap();
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
        let mut rls = Rls::new(&cfg(2, 1, 4.0, 1.0), [0.0f32; 8]).unwrap();
        rls.update(&[1.0, 1.0], &[3.0]).unwrap();
        assert_ne!(rls.weights(), &[0.0, 0.0]);
        rls.reset();
        assert_eq!(rls.weights(), &[0.0, 0.0]);
        assert_eq!(rls.p(), &[0.25, 0.0, 0.0, 0.25]);
    }

    #[test]
    fn one_sample_matches_the_closed_form() {
        // P0 = I / delta, x = (1, 1): W = t x^T / (delta + |x|^2)
        let mut rls = Rls::new(&cfg(2, 1, 0.5, 1.0), [0.0f32; 8]).unwrap();
        let err = rls.update(&[1.0, 1.0], &[2.5]).unwrap();
        assert_eq!(err, 6.25);
        assert_eq!(rls.weights(), &[1.0, 1.0]);
    }
}
