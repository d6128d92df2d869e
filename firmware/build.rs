//! Adds the memory map and the linker scripts, for bare-metal targets only (host builds of this
//! package compile a stub).
//!
//! * A board feature (`board-stm32f411`, `board-nrf52840`, `board-rp2040`) picks that part's map
//!   (`memory/<part>.x`) and adds defmt's linker script: nothing to edit by hand.
//! * Without one the images are QEMU's: thumbv6m (Cortex-M0) gets the micro:bit map, the other
//!   targets the mps2 map QEMU's `mps2-an385`/`mps2-an386` boards share.
use std::process::exit;

/// Board feature (as cargo names it in `CARGO_FEATURE_*`), its map, the target it needs.
const BOARDS: [(&str, &str, &str); 3] = [
    ("BOARD_STM32F411", "memory/stm32f411.x", "thumbv7em-none-eabihf"),
    ("BOARD_NRF52840", "memory/nrf52840.x", "thumbv7em-none-eabihf"),
    ("BOARD_RP2040", "memory/rp2040.x", "thumbv6m-none-eabi"),
];

fn main() {
    println!("cargo:rerun-if-changed=memory");
    // `small_ram`: the target's board (micro:bit v1, 16 KiB) is too small for the SORN
    // scenarios; `src/lib.rs` then stops the build with a message naming what fits.
    println!("cargo::rustc-check-cfg=cfg(small_ram)");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    let target = std::env::var("TARGET").unwrap_or_default();
    let boards: Vec<_> =
        BOARDS.iter().filter(|(feature, ..)| std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some()).collect();
    let name = |f: &str| f.to_lowercase().replace('_', "-");
    let map = match boards.as_slice() {
        [] => {
            let small = target.starts_with("thumbv6m");
            if small {
                println!("cargo:rustc-cfg=small_ram");
            }
            if small { "memory/microbit.x" } else { "memory/mps2.x" }
        }
        [(feature, map, needs)] => {
            if target != *needs {
                eprintln!("error: feature `{}` builds for --target {needs}, not {target}", name(feature));
                exit(1);
            }
            map
        }
        more => {
            let names: Vec<_> = more.iter().map(|(f, ..)| name(f)).collect();
            eprintln!("error: one board feature at a time, got {}", names.join(", "));
            exit(1);
        }
    };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::copy(map, out.join("memory.x")).expect("the memory maps are in the package");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg=-Tlink.x");
    if !boards.is_empty() {
        // Real boards log with defmt (over RTT), whose linker script comes after cortex-m-rt's.
        println!("cargo:rustc-link-arg=-Tdefmt.x");
    }
}
