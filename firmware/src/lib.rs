//! # neuroloop-firmware
//!
//! What the firmware runs, as a `no_std` library: the embedded models ([`models`]) and the
//! scenarios ([`scenarios`]). The board binary (`src/main.rs`) calls these functions on a
//! Cortex-M; the host's parity test calls the same functions on a PC and compares the reports
//! bit for bit.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod models;
pub mod scenarios;
