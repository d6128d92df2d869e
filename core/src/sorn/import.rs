//! A network's state from the Python package's dense arrays (its `state` dict): how a state
//! the package returned, or one edited by hand, continues in neuroloop.

use core::fmt;

/// The package's state arrays, row-major `f32`: `wee` N_E x N_E `[pre][post]`, `wei` N_I x N_E,
/// `wie` N_E x N_I, thresholds, and the spike vectors x(t), x(t-1), y(t), y(t-1) (0 or 1).
#[derive(Clone, Copy, Debug)]
pub struct DenseState<'a> {
    /// E->E weights `[pre][post]`.
    pub wee: &'a [f32],
    /// I->E weights `[pre inhibitory][post excitatory]`.
    pub wei: &'a [f32],
    /// E->I weights `[pre excitatory][post inhibitory]`.
    pub wie: &'a [f32],
    /// Excitatory thresholds.
    pub te: &'a [f32],
    /// Inhibitory thresholds.
    pub ti: &'a [f32],
    /// x(t) (the package's `X[:, 1]`).
    pub x: &'a [f32],
    /// x(t-1) (`X[:, 0]`).
    pub x_prev: &'a [f32],
    /// y(t) (`Y[:, 1]`).
    pub y: &'a [f32],
    /// y(t-1) (`Y[:, 0]`).
    pub y_prev: &'a [f32],
}

/// Why dense arrays were refused (the network is unchanged).
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ImportError {
    /// An array has the wrong number of values.
    Length {
        /// Which array.
        what: &'static str,
        /// Values the network's sizes need.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A value is NaN or infinite, a weight is negative or above `w_max`, or a spike is not
    /// 0 or 1.
    Value {
        /// Which array.
        what: &'static str,
        /// Flat index of the first such value.
        index: usize,
        /// The value.
        value: f32,
    },
    /// An excitatory unit synapses onto itself (the package never makes one).
    SelfSynapse {
        /// The unit.
        unit: usize,
    },
    /// More synapses than the matrix's capacity (raise `lambda_ee` / `lambda_ei`).
    Capacity {
        /// Which matrix.
        what: &'static str,
        /// Synapses given.
        synapses: usize,
        /// Capacity of the layout.
        capacity: usize,
    },
    /// The buffers changed length since the network was built.
    BufferChanged,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ImportError::Length { what, expected, got } => {
                write!(f, "{what} has {got} values; the network's sizes need {expected}")
            }
            ImportError::Value { what, index, value } => write!(
                f,
                "{what}[{index}] = {value} is out of range (weights in [0, w_max], thresholds finite, spikes 0 or 1)"
            ),
            ImportError::SelfSynapse { unit } => {
                write!(f, "Wee[{unit}][{unit}] is not 0: an excitatory unit cannot synapse onto itself")
            }
            ImportError::Capacity { what, synapses, capacity } => {
                write!(f, "{what} has {synapses} synapses but the layout holds {capacity}: raise its lambda")
            }
            ImportError::BufferChanged => f.write_str("the network's buffers changed length after it was built"),
        }
    }
}

impl core::error::Error for ImportError {}

/// Checks one array's length and values (`ok` decides which values are allowed).
pub(crate) fn check(
    what: &'static str,
    v: &[f32],
    expected: usize,
    ok: impl Fn(f32) -> bool,
) -> Result<(), ImportError> {
    if v.len() != expected {
        return Err(ImportError::Length { what, expected, got: v.len() });
    }
    match v.iter().position(|&x| !x.is_finite() || !ok(x)) {
        Some(index) => Err(ImportError::Value { what, index, value: v[index] }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bits::Bits;
    use crate::sorn::{Config, Mode};
    use std::vec;
    use std::vec::Vec;

    use crate::sorn::testing::{VecSorn, build as net};

    fn bits(b: Bits<'_>, n: usize) -> Vec<f32> {
        (0..n).map(|i| f32::from(u8::from(b.get(i)))).collect()
    }

    struct Dense {
        wee: Vec<f32>,
        wei: Vec<f32>,
        wie: Vec<f32>,
        x: Vec<f32>,
        xp: Vec<f32>,
        y: Vec<f32>,
        yp: Vec<f32>,
    }

    fn dense(a: &VecSorn) -> Dense {
        let (ne, ni) = (a.config().ne as usize, a.config().ni as usize);
        let (mut wee, mut wei) = (vec![0.0; ne * ne], vec![0.0; ni * ne]);
        a.wee().write_dense(&mut wee);
        a.wei().write_dense(&mut wei);
        let mut wie = vec![0.0; ne * ni];
        a.wie().write_dense(&mut wie);
        Dense {
            wee,
            wei,
            wie,
            x: bits(a.x(), ne),
            xp: bits(a.x_prev(), ne),
            y: bits(a.y(), ni),
            yp: bits(a.y_prev(), ni),
        }
    }

    fn state<'a>(a: &'a VecSorn, d: &'a Dense) -> DenseState<'a> {
        DenseState {
            wee: &d.wee,
            wei: &d.wei,
            wie: &d.wie,
            te: a.te(),
            ti: a.ti(),
            x: &d.x,
            x_prev: &d.xp,
            y: &d.y,
            y_prev: &d.yp,
        }
    }

    #[test]
    fn an_imported_state_continues_like_the_original() {
        let cfg = Config::with_size(60, 10);
        let mut a = net(&cfg, 3);
        let quiet = Mode { noise: false, ..Mode::default() };
        a.set_mode(quiet);
        let u = [0.7f32; 10];
        for _ in 0..30 {
            a.step(&u).unwrap();
        }
        let d = dense(&a);
        let mut b = net(&cfg, 99);
        b.import_dense(&state(&a, &d)).unwrap();
        b.set_mode(quiet);
        for _ in 0..40 {
            // Structural plasticity draws from each network's own stream; freeze it.
            let m = Mode { freeze: crate::sorn::Freeze::NONE.with(crate::sorn::Rule::Sp), ..quiet };
            a.set_mode(m);
            b.set_mode(m);
            a.step(&u).unwrap();
            b.step(&u).unwrap();
            assert_eq!(a.x(), b.x());
            assert_eq!(a.y(), b.y());
        }
        assert_eq!((a.ee_count(), a.ei_count()), (b.ee_count(), b.ei_count()));
        let (da, db) = (dense(&a), dense(&b));
        let worst = da.wee.iter().zip(&db.wee).map(|(p, q)| (p - q).abs()).fold(0.0f32, f32::max);
        // Normalisation of every row after the import differs from the original only by rounding.
        assert!(worst < 1e-5, "{worst}");
    }

    #[test]
    fn bad_arrays_are_refused_and_change_nothing() {
        let cfg = Config::with_size(40, 5);
        let a = net(&cfg, 1);
        let mut d = dense(&a);
        let mut b = net(&cfg, 2);
        let before = b.buffers().f32s.to_vec();
        d.wee[3 * 40 + 3] = 0.5;
        assert_eq!(b.import_dense(&state(&a, &d)), Err(ImportError::SelfSynapse { unit: 3 }));
        d.wee[3 * 40 + 3] = 0.0;
        d.wee[7] = f32::NAN;
        assert!(matches!(b.import_dense(&state(&a, &d)), Err(ImportError::Value { what: "Wee", index: 7, .. })));
        d.wee[7] = 0.0;
        d.x[0] = 0.5;
        assert!(matches!(b.import_dense(&state(&a, &d)), Err(ImportError::Value { what: "X", .. })));
        d.x[0] = 0.0;
        d.wee.pop();
        assert!(matches!(b.import_dense(&state(&a, &d)), Err(ImportError::Length { what: "Wee", .. })));
        d.wee = vec![0.01; 40 * 40];
        (0..40).for_each(|i| d.wee[i * 40 + i] = 0.0);
        let e = b.import_dense(&state(&a, &d)).unwrap_err();
        assert!(matches!(e, ImportError::Capacity { what: "Wee", synapses: 1560, .. }), "{e}");
        assert_eq!(b.buffers().f32s, &before[..]);
    }
}
