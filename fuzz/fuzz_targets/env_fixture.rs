//! A gymnasium fixture: refused, or replayed to the end (no hang; NaN never passes).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(r) = neuroloop_host::env::fixture::check_env_fixture(text) {
        assert!(!(r.passes() && (r.max_state_diff.is_nan() || r.max_obs_diff.is_nan())));
    }
});
