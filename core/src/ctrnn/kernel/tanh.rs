//! `libm::tanhf` with every branch computed and the right one selected, so that a loop over it
//! vectorises (the AVX2 kernel's activation). Same operations in the same order as libm 0.2's
//! `tanhf` and `expm1f` for each case, so the same bits for every input: checked against
//! `libm::tanhf` for all 2^32 bit patterns (`every_input_gives_libms_bits`: ignored in the
//! debug-profile test run, where it would take many minutes; `scripts/test-all.sh` runs it in
//! release) and a spread of them in the normal test run.

// libm's expm1f constants, by their bits (libm writes them as decimals with those bits).
const LN2_HI: f32 = f32::from_bits(0x3f31_7180);
const LN2_LO: f32 = f32::from_bits(0x3717_f7d1);
const INV_LN2: f32 = f32::from_bits(0x3fb8_aa3b);
const Q1: f32 = f32::from_bits(0xbd08_8868);
const Q2: f32 = f32::from_bits(0x3acf_3010);

/// `c ? a : b` (a select, not a branch, once vectorised).
#[inline(always)]
fn sel(c: bool, a: f32, b: f32) -> f32 {
    if c { a } else { b }
}

/// `libm::tanhf(x)`, bit for bit, without branches on `x`.
#[inline(always)]
pub(super) fn tanh(x: f32) -> f32 {
    let ix = x.to_bits();
    let sign = (ix >> 31) != 0;
    let w = ix & 0x7fff_ffff;
    let ax = f32::from_bits(w);
    // expm1f's argument: 2|x|, or -2|x| for |x| <= 0.2554.
    let small = w <= 0x3e82_c578;
    let a = sel(small, -2.0 * ax, 2.0 * ax);
    let ha = a.to_bits() & 0x7fff_ffff;
    let reduce = ha > 0x3eb1_7218;
    let near = ha < 0x3f85_1592;
    let kg = (INV_LN2 * a + sel(small, -0.5, 0.5)) as i32;
    let kn = if small { -1 } else { 1 };
    let k = if !reduce {
        0
    } else if near {
        kn
    } else {
        kg
    };
    let t = k as f32;
    let hi = a - t * LN2_HI;
    let lo = t * LN2_LO;
    let xr0 = hi - lo;
    let xr = sel(reduce, xr0, a);
    let c = sel(reduce, (hi - xr0) - lo, 0.0);
    let hfx = 0.5 * xr;
    let hxs = xr * hfx;
    let r1 = 1. + hxs * (Q1 + hxs * Q2);
    let t3 = 3. - r1 * hfx;
    let e = hxs * ((r1 - t3) / (6. - xr * t3));
    let r_k0 = xr - (xr * e - hxs);
    let e2 = (xr * (e - c) - c) - hxs;
    let r_km1 = 0.5 * (xr - e2) - 0.5;
    let r_k1 = sel(xr < -0.25, -2. * (e2 - (xr + 0.5)), 1. + 2. * (xr - e2));
    // Wrapping: lanes whose k is not used (NaN, huge) may hold any k.
    let twopk = f32::from_bits((0x7f_i32.wrapping_add(k) << 23) as u32);
    let uf = f32::from_bits((0x7f_i32.wrapping_sub(k) << 23) as u32);
    let r_lt23 = (xr - e2 + (1. - uf)) * twopk;
    let r_ge23 = (xr - (e2 + uf) + 1.) * twopk;
    let tiny = !reduce && ha < 0x3300_0000;
    // tanh's arguments give k in -1..=29 (2|x| <= 20): never expm1f's k < -1 or k > 56 cases.
    let em1 = if tiny {
        a
    } else if k == 0 {
        r_k0
    } else if k == -1 {
        r_km1
    } else if k == 1 {
        r_k1
    } else if k < 23 {
        r_lt23
    } else {
        r_ge23
    };
    let tt = if w > 0x4120_0000 {
        1. + 0. / ax
    } else if w > 0x3f0c_9f54 {
        1. - 2. / (em1 + 2.)
    } else if w > 0x3e82_c578 {
        em1 / (em1 + 2.)
    } else if w >= 0x0080_0000 {
        -em1 / (em1 + 2.)
    } else {
        ax
    };
    if sign { -tt } else { tt }
}

#[cfg(test)]
mod tests {
    use super::tanh;

    fn check(bits: u32) {
        let x = f32::from_bits(bits);
        let (a, b) = (tanh(x), libm::tanhf(x));
        assert!(a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()), "x = {x:e} ({bits:#010x}): {a:e} vs {b:e}");
    }

    #[test]
    fn a_spread_of_inputs_gives_libms_bits() {
        // Every 997th bit pattern (4.3 million inputs, both signs, subnormals, NaN, infinities)
        // and every pattern around the branch boundaries of tanhf and expm1f.
        (0..=u32::MAX).step_by(997).for_each(check);
        // The specials the stride misses: zeros, infinities, NaNs, the extremes.
        let specials = [0.0f32, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::MIN_POSITIVE, f32::MAX, f32::MIN];
        specials.iter().for_each(|x| check(x.to_bits()));
        [0x7fc0_0000u32, 0x7f80_0001, 0xffc0_0000, 0xff80_0001].into_iter().for_each(check);
        // expm1f's k = 22 / 23 switch (|x| ~ 7.62) and its k = 1 sub-branch xr < -0.25.
        let around = |x: f32| (x.to_bits() - 4096..x.to_bits() + 4096).for_each(check);
        around(23.0 * core::f32::consts::LN_2 / 2.0);
        around(1.0397 / 2.0);
        // expm1f's thresholds are on 2|x|: halve them.
        let half = |b: u32| (f32::from_bits(b) * 0.5).to_bits();
        let expm1 = [half(0x3eb1_7218), half(0x3f85_1592), half(0x3300_0000), half(0x4195_b844)];
        for edge in [0x3f0c_9f54u32, 0x3e82_c578, 0x4120_0000, 0x0080_0000].into_iter().chain(expm1) {
            for b in edge.saturating_sub(4096)..edge + 4096 {
                check(b);
                check(b | 0x8000_0000);
            }
        }
    }

    #[test]
    #[ignore = "all 2^32 inputs: run in release by scripts/test-all.sh (its own step, ~1 minute on 2 cores)"]
    fn every_input_gives_libms_bits() {
        // One slice of the bit patterns per core.
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let per = (1u64 << 32).div_ceil(threads);
        std::thread::scope(|s| {
            for t in 0..threads {
                let (lo, hi) = (t * per, ((t + 1) * per).min(1 << 32));
                s.spawn(move || (lo..hi).for_each(|b| check(b as u32)));
            }
        });
    }
}
