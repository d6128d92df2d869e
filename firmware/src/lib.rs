//! # neuroloop-firmware
//!
//! What the firmware runs, as a `no_std` library: the brain that serves the wire protocol
//! ([`brain`]), the embedded models ([`models`]) and the scenarios ([`scenarios`]), plus (built
//! for boards only) the board support in `board` (serial port, cost counter, stack probe). The
//! board binaries (`src/bin/brain.rs`, `src/main.rs`) call these on a Cortex-M; the host's
//! tests call the same functions on a PC and compare bit for bit.
#![no_std]
#![deny(unsafe_code)] // allowed in `board::raw` and the RP2040 boot block (`board::rp2040`) only
#![warn(missing_docs)]

// The SORN scenarios keep 105-115 KiB of state in static RAM (BENCHMARKS.md); QEMU's Cortex-M0
// board (micro:bit) has 16 KiB. Say so before the linker fails with a bare region overflow.
// (`small_ram` is set by build.rs for thumbv6m without a board feature: the RP2040 has 264 KiB.)
#[cfg(all(small_ram, any(feature = "sorn", feature = "sorn-rls", feature = "brain")))]
compile_error!(
    "the SORN scenarios and the brain image (features `sorn`, `sorn-rls`, `brain`) need \
     105-125 KiB of RAM; the thumbv6m board (micro:bit v1, nRF51822) has 16 KiB. Build the \
     scenarios that fit: `--no-default-features --features ctrnn,cartpole`; for the Raspberry Pi \
     Pico (RP2040, 264 KiB) build `--features board-rp2040`"
);

#[cfg(target_os = "none")]
pub mod board;
pub mod brain;
pub mod models;
pub mod scenarios;

/// The `main` of a firmware binary built for the PC (as `cargo test --workspace` does): it
/// prints how to build it for a board and exits with 2.
#[macro_export]
macro_rules! host_stub {
    ($how:expr) => {
        #[cfg(not(target_os = "none"))]
        fn main() {
            eprintln!($how);
            std::process::exit(2);
        }
    };
}
