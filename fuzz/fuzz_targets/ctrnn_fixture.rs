//! An nn4n parity fixture: refused, or replayed (a replay that produces NaN fails).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(r) = neuroloop_host::ctrnn::check_fixture(text, data.len() % 2 == 0) {
        assert!(!(r.passes() && (r.max_hidden_diff.is_nan() || r.max_output_diff.is_nan())));
    }
});
