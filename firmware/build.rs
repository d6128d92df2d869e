//! Adds the memory map and cortex-m-rt's linker script, for bare-metal targets only (host
//! builds of this package compile a stub). thumbv6m (Cortex-M0) gets the micro:bit map, the
//! other targets the mps2 map QEMU's `mps2-an385`/`mps2-an386` boards share.
fn main() {
    println!("cargo:rerun-if-changed=memory");
    // `small_ram`: the target's board (micro:bit v1, 16 KiB) is too small for the SORN
    // scenarios; `src/lib.rs` then stops the build with a message naming what fits.
    println!("cargo::rustc-check-cfg=cfg(small_ram)");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    let target = std::env::var("TARGET").unwrap_or_default();
    let small = target.starts_with("thumbv6m");
    if small {
        println!("cargo:rustc-cfg=small_ram");
    }
    let map = if small { "memory/microbit.x" } else { "memory/mps2.x" };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::copy(map, out.join("memory.x")).expect("the memory maps are in the package");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg=-Tlink.x");
}
