//! # neuroloop-host
//!
//! The std side of neuroloop: it wraps [`neuroloop_core`] (it never re-implements a model) with
//! what a workstation user needs: configuration files, owned buffers sized at run time, run
//! summaries and the `neuroloop` command-line tool ([`cli`]).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
pub mod control;
pub mod ctrnn;
pub mod env;
pub mod episode;
pub mod figures;
pub mod record;
pub mod render;
pub mod report;
pub mod rundir;
pub mod snapshot;
pub mod sorn;
pub mod sorn_control;
pub mod statistics;
pub mod vec_env;
