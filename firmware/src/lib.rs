//! # neuroloop-firmware
//!
//! What the firmware runs, as a `no_std` library: the embedded models ([`models`]) and the
//! scenarios ([`scenarios`]). The board binary (`src/main.rs`) calls these functions on a
//! Cortex-M; the host's parity test calls the same functions on a PC and compares the reports
//! bit for bit.
#![no_std]
#![deny(unsafe_code)] // allowed in `board::raw` only
#![warn(missing_docs)]

// The SORN scenarios keep 105-115 KiB of state in static RAM (BENCHMARKS.md); the Cortex-M0
// board here has 16 KiB. Say so before the linker fails with a bare region overflow.
#[cfg(all(small_ram, any(feature = "sorn", feature = "sorn-rls", feature = "brain")))]
compile_error!(
    "the SORN scenarios and the brain image (features `sorn`, `sorn-rls`, `brain`) need \
     105-125 KiB of RAM; the thumbv6m board (micro:bit v1, nRF51822) has 16 KiB. Build the \
     scenarios that fit: `--no-default-features --features ctrnn,cartpole`"
);

#[cfg(target_os = "none")]
pub mod board;
pub mod brain;
pub mod models;
pub mod scenarios;
