//! A SORN config file (TOML): refused, or a config whose network is built within a small
//! memory budget and steps.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(cfg) = neuroloop_host::sorn::parse_config(text) {
        if let Ok(mut net) = neuroloop_host::sorn::build_within(&cfg, 1, 16 << 20) {
            let _ = net.step(&vec![0.5; cfg.nu as usize]);
        }
    }
});
