//! `run.json` of a run directory: refused, or metadata whose segments add up.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(meta) = neuroloop_host::sorn::rundir::parse_meta(text) {
        let sum: u128 = meta.segments.iter().map(|s| u128::from(s.steps)).sum();
        assert_eq!(sum, u128::from(meta.total_steps));
    }
});
