//! A snapshot payload behind a valid header and checksum: everything past the CRC, the
//! postcard decoding and the core's restore checks, must refuse or give a network that steps.
#![no_main]
use libfuzzer_sys::fuzz_target;
use neuroloop_host::sorn::snapshot::{MAGIC, VERSION, crc32, decode};

fuzz_target!(|data: &[u8]| {
    let (version, payload) = match data.split_first() {
        Some((v, rest)) if v & 1 == 1 => (1u32, rest),
        Some((_, rest)) => (VERSION, rest),
        None => return,
    };
    let mut file = MAGIC.to_vec();
    file.extend_from_slice(&version.to_le_bytes());
    file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    file.extend_from_slice(payload);
    let crc = crc32(&file);
    file.extend_from_slice(&crc.to_le_bytes());
    if let Ok(s) = decode(&file) {
        let mut net = s.net;
        let nu = net.config().nu as usize;
        for _ in 0..3 {
            let _ = net.step(&vec![0.5; nu]);
        }
    }
});
