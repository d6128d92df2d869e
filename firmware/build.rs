//! Adds the memory map and cortex-m-rt's linker script, for bare-metal targets only (host
//! builds of this package compile a stub). thumbv6m (Cortex-M0) gets the micro:bit map, the
//! other targets the mps2 map QEMU's `mps2-an385`/`mps2-an386` boards share.
fn main() {
    println!("cargo:rerun-if-changed=memory");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("none") {
        return;
    }
    let target = std::env::var("TARGET").unwrap_or_default();
    let map = if target.starts_with("thumbv6m") { "memory/microbit.x" } else { "memory/mps2.x" };
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::copy(map, out.join("memory.x")).expect("the memory maps are in the package");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg=-Tlink.x");
}
