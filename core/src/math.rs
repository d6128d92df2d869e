//! The floating-point functions the core uses, in one place.
//!
//! Everything goes through the `libm` crate, a pure-software port of musl's libm, so the host
//! and every Cortex-M target compute the same bits. `std`'s float methods are never used: they
//! call the platform's C library, which rounds differently on some arguments (glibc's
//! `tanh(0.5)` is one ulp away from libm's).
//!
//! With the `fast-math` feature, [`exp`] and [`ln`] use `micromath`'s approximations instead
//! (a few 1e-3 relative error, faster on an M0/M3 without an FPU). The results change, but they
//! are still the same on every target.

/// `e^x` in `f32`.
#[inline]
pub fn exp(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        micromath::F32Ext::exp(x)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        libm::expf(x)
    }
}

/// Natural logarithm in `f32`.
#[inline]
pub fn ln(x: f32) -> f32 {
    #[cfg(feature = "fast-math")]
    {
        micromath::F32Ext::ln(x)
    }
    #[cfg(not(feature = "fast-math"))]
    {
        libm::logf(x)
    }
}

/// Round toward positive infinity (exact; no approximation exists or is needed).
#[inline]
pub fn ceil(x: f32) -> f32 {
    libm::ceilf(x)
}

/// Square root in `f32` (correctly rounded in `libm`).
#[inline]
pub fn sqrt(x: f32) -> f32 {
    libm::sqrtf(x)
}
