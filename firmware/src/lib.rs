//! # neuroloop-firmware
//!
//! What the firmware runs, as a `no_std` library: the embedded models ([`models`]) and the
//! scenarios ([`scenarios`]). The board binary (`src/main.rs`) calls these functions on a
//! Cortex-M; the host's parity test calls the same functions on a PC and compares the reports
//! bit for bit.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The SORN scenarios keep 105-115 KiB of state in static RAM (BENCHMARKS.md); the Cortex-M0
// board here has 16 KiB. Say so before the linker fails with a bare region overflow.
#[cfg(all(small_ram, any(feature = "sorn", feature = "sorn-rls")))]
compile_error!(
    "the SORN scenarios (features `sorn`, `sorn-rls`) need 105-115 KiB of RAM; the thumbv6m \
     board (micro:bit v1, nRF51822) has 16 KiB. Build the scenarios that fit: \
     `--no-default-features --features ctrnn,cartpole`"
);

pub mod models;
pub mod scenarios;
