//! Sparsity masks and Dale's-law signs, enforced as nn4n does (spec §8): first zero every
//! pruned synapse, then clamp by sign (`max(w, 0)` where the sign is +1, `min(w, 0)` where it
//! is -1). A clamp, not an absolute value: a weight pushed across zero becomes exactly 0.

/// How many entries an enforcement changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EnforceCount {
    /// Non-zero weights zeroed by the sparsity mask.
    pub pruned: usize,
    /// Weights of the wrong sign clamped to 0.
    pub clamped: usize,
}

/// Enforces `sparsity` (0 = pruned, anything else = present) and `sign` (> 0: weight >= 0,
/// otherwise weight <= 0) on `w`, all of the same length (shorter masks apply to their prefix).
///
/// ```
/// use neuroloop_core::ctrnn::enforce;
/// let mut w = [0.5f32, -0.5, 0.3, -0.2];
/// let c = enforce(&mut w, Some(&[1.0, 1.0, 0.0, 1.0]), Some(&[1.0, 1.0, 1.0, -1.0]));
/// assert_eq!(w, [0.5, 0.0, 0.0, -0.2]);
/// assert_eq!((c.pruned, c.clamped), (1, 1));
/// ```
pub fn enforce(w: &mut [f32], sparsity: Option<&[f32]>, sign: Option<&[f32]>) -> EnforceCount {
    let mut c = EnforceCount::default();
    if let Some(m) = sparsity {
        for (x, &keep) in w.iter_mut().zip(m) {
            if keep == 0.0 && *x != 0.0 {
                *x = 0.0;
                c.pruned += 1;
            }
        }
    }
    if let Some(s) = sign {
        for (x, &sg) in w.iter_mut().zip(s) {
            let wrong = if sg > 0.0 { *x < 0.0 } else { *x > 0.0 };
            if wrong {
                *x = 0.0;
                c.clamped += 1;
            }
        }
    }
    c
}
