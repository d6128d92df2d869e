//! A CTRNN model file: refused with a typed error, or a model that runs a few steps.
#![no_main]
use libfuzzer_sys::fuzz_target;
use neuroloop_host::ctrnn::{LoadOptions, Model};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for opts in [LoadOptions::default(), LoadOptions { clamp_on_load: true, allow_any_alpha: true }] {
        if let Ok(loaded) = Model::from_json(text, opts) {
            let m = loaded.model;
            let _ = m.run(&vec![vec![0.5; m.dims.inputs]; 3]);
            let _ = Model::from_json(&m.to_json(), opts).expect("what neuroloop writes, it reads");
        }
    }
});
