//! # neuroloop
//!
//! Biologically plausible recurrent networks for robots and microcontrollers. This root crate
//! only gathers the workspace's members for its top-level `tests/` and `benches/`:
//!
//! - [`neuroloop_core`]: the `no_std`, heap-free networks (SORN, CTRNN) that run on a board.
//! - [`neuroloop_host`]: the std harness and the `neuroloop` command-line tool.
#![forbid(unsafe_code)]

pub use neuroloop_core;
pub use neuroloop_host;

/// The README's Rust examples, compiled and run as doctests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
