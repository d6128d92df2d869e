//! The CSV input of `neuroloop ctrnn run`: refused or rows of exactly the width, all finite.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&w, text)) = data.split_first() else { return };
    let width = usize::from(w % 8) + 1;
    if let Ok(rows) = neuroloop_host::ctrnn::read_input_csv(text, width) {
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.len() == width && r.iter().all(|x| x.is_finite())));
    }
});
