//! A SORN controller file: refused, or a controller whose policy is built within a small
//! memory budget.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(c) = neuroloop_host::control::sorn_controller::SornController::from_json(text) {
        if neuroloop_core::sorn::Layout::new(&c.config).bytes() < 16 << 20 {
            let _ = c.policy();
        }
    }
});
