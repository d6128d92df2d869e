//! A snapshot file as it comes from disk: refused or a valid network that steps.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = neuroloop_host::sorn::snapshot::decode(data) {
        let mut net = s.net;
        let nu = net.config().nu as usize;
        let _ = net.step(&vec![0.5; nu]);
    }
});
