//! Angle wrapping, the two ways gymnasium does it.

use core::f64::consts::PI;

/// `((a + pi) mod 2 pi) - pi` with Python's floor modulo: an angle in `[-pi, pi)` (Pendulum's
/// `angle_normalize`; the robot's heading).
pub(crate) fn normalize(a: f64) -> f64 {
    let m = 2.0 * PI;
    let r = (a + PI) % m;
    (if r < 0.0 { r + m } else { r }) - PI
}

/// Periods past which [`wrap`] reduces by `fmod` instead of stepping (keeps the loop bounded).
const STEPS: f64 = 4.0;

/// Acrobot's `wrap(x, lo, hi)`: add or subtract `hi - lo` until `x` is in `[lo, hi]`, exactly
/// as gymnasium does (one subtraction per period, the same rounding). An `x` more than a few
/// periods away (only a replayed state can be that far) is first reduced by `fmod`, so the
/// loop always ends; NaN and infinities come back as NaN.
pub(crate) fn wrap(x: f64, lo: f64, hi: f64) -> f64 {
    let diff = hi - lo;
    let mut x = x;
    if !x.is_finite() {
        return f64::NAN;
    }
    if x > hi + STEPS * diff || x < lo - STEPS * diff {
        x = lo + libm::fmod(x - lo, diff);
    }
    while x > hi {
        x -= diff;
    }
    while x < lo {
        x += diff;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_maps_into_minus_pi_to_pi() {
        assert_eq!(normalize(0.0), 0.0);
        assert_eq!(normalize(PI), -PI, "pi maps to -pi (half-open)");
        assert!((normalize(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-15);
        assert!((normalize(-7.0) - (-7.0 + 2.0 * PI)).abs() < 1e-15);
    }

    #[test]
    fn wrap_steps_like_gymnasium_and_always_ends() {
        // One subtraction, bit for bit what the loop gives.
        assert_eq!(wrap(4.0, -PI, PI), 4.0 - 2.0 * PI);
        assert_eq!(wrap(-4.0, -PI, PI), -4.0 + 2.0 * PI);
        assert_eq!(wrap(PI, -PI, PI), PI, "closed at both ends");
        // Far away: reduced, in range, no hang.
        for x in [1e16, -1e17, 1e300, f64::MAX] {
            let w = wrap(x, -PI, PI);
            assert!((-PI..=PI).contains(&w), "{x} -> {w}");
        }
        assert!(wrap(f64::INFINITY, -PI, PI).is_nan());
        assert!(wrap(f64::NAN, -PI, PI).is_nan());
    }
}
