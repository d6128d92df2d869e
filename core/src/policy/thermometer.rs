//! Observations into SORN input channels: a signed, copied code whose copies the excitatory
//! units' random thresholds turn into a thermometer code of each variable's magnitude.
//!
//! Variable `o_k`, scaled as `v = o_k / scale_k`, drives `2 copies` channels:
//! channels `2 k copies .. (2 k + 1) copies` carry `gain max(0, v)` and the next `copies` carry
//! `gain max(0, -v)`. SORN adds channel `c` to excitatory unit `c`, so each channel excites one
//! unit; with thresholds spread over `[0, T_max)` the number of copies that fire grows with
//! `|v|`.

use core::fmt;

/// Why an observation could not be encoded.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EncodeError {
    /// The observation or channel slice has the wrong length.
    Width {
        /// Values expected.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// An observation value is NaN or infinite.
    NotFinite,
    /// More observation variables than a code holds ([`Thermometer::MAX_VARS`]).
    TooManyVariables {
        /// Variables given.
        got: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            EncodeError::Width { expected, got } => write!(f, "expected {expected} values, got {got}"),
            EncodeError::NotFinite => f.write_str("an observation value is NaN or infinite"),
            EncodeError::TooManyVariables { got } => {
                write!(f, "{got} observation variables: a code holds at most {}", Thermometer::MAX_VARS)
            }
        }
    }
}

impl core::error::Error for EncodeError {}

/// The encoding: one scale per observation variable (at most [`Thermometer::MAX_VARS`], held
/// by value so a code needs no storage of its own), `copies` channels per variable and sign.
///
/// ```
/// use neuroloop_core::policy::Thermometer;
/// let code = Thermometer::new(&[2.0, 0.5], 2, 2.0)?;
/// assert_eq!((code.scales(), code.channels()), (&[2.0, 0.5][..], 8));
/// let mut u = [0.0f32; 8];
/// code.encode(&[1.0, -0.25], &mut u)?;
/// assert_eq!(u, [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
/// assert!(Thermometer::new(&[1.0; 9], 2, 2.0).is_err());
/// # Ok::<(), neuroloop_core::policy::EncodeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Thermometer {
    scales: [f32; Thermometer::MAX_VARS],
    vars: usize,
    /// Channels per variable and sign.
    pub copies: usize,
    /// Input per unit of scaled magnitude.
    pub gain: f32,
}

impl Thermometer {
    /// Most observation variables a code holds (DiffDrive has 5, Acrobot 6).
    pub const MAX_VARS: usize = 8;

    /// A code with one scale per variable (`scales[k]` is variable k's typical magnitude).
    pub const fn new(scales: &[f32], copies: usize, gain: f32) -> Result<Thermometer, EncodeError> {
        if scales.len() > Self::MAX_VARS {
            return Err(EncodeError::TooManyVariables { got: scales.len() });
        }
        let mut held = [0.0f32; Self::MAX_VARS];
        let mut k = 0;
        while k < scales.len() {
            held[k] = scales[k];
            k += 1;
        }
        Ok(Thermometer { scales: held, vars: scales.len(), copies, gain })
    }

    /// The scales, one per variable.
    pub fn scales(&self) -> &[f32] {
        &self.scales[..self.vars]
    }

    /// Channels the code needs (the SORN's `nu`): `2 copies` per variable.
    pub const fn channels(&self) -> usize {
        2 * self.copies * self.vars
    }

    /// Writes the channels for observation `obs` into `u`.
    pub fn encode(&self, obs: &[f32], u: &mut [f32]) -> Result<(), EncodeError> {
        if obs.len() != self.vars {
            return Err(EncodeError::Width { expected: self.vars, got: obs.len() });
        }
        if u.len() != self.channels() {
            return Err(EncodeError::Width { expected: self.channels(), got: u.len() });
        }
        if obs.iter().any(|o| !o.is_finite()) {
            return Err(EncodeError::NotFinite);
        }
        let c = self.copies;
        for (k, (&o, &s)) in obs.iter().zip(self.scales()).enumerate() {
            let v = o / s;
            let pos = if v > 0.0 { self.gain * v } else { 0.0 };
            let neg = if v < 0.0 { -self.gain * v } else { 0.0 };
            u[2 * k * c..(2 * k + 1) * c].fill(pos);
            u[(2 * k + 1) * c..(2 * k + 2) * c].fill(neg);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_widths_and_values() {
        let code = Thermometer::new(&[1.0, 1.0], 3, 2.0).unwrap();
        let mut u = [0.0f32; 12];
        assert_eq!(code.encode(&[1.0], &mut u), Err(EncodeError::Width { expected: 2, got: 1 }));
        assert_eq!(code.encode(&[1.0, 2.0], &mut u[..5]), Err(EncodeError::Width { expected: 12, got: 5 }));
        assert_eq!(code.encode(&[1.0, f32::NAN], &mut u), Err(EncodeError::NotFinite));
        assert_eq!(u, [0.0; 12]);
    }

    #[test]
    fn zero_drives_nothing_and_signs_split() {
        let code = Thermometer::new(&[2.4, 0.21], 5, 2.0).unwrap();
        let mut u = [9.0f32; 20];
        code.encode(&[0.0, -0.21], &mut u).unwrap();
        assert_eq!(u[..15], [0.0; 15]);
        assert_eq!(u[15..], [2.0; 5]);
    }
}
