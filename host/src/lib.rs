//! # neuroloop-host
//!
//! The std side of neuroloop: it wraps [`neuroloop_core`] (it never re-implements a model) with
//! what a workstation user needs: configuration files, owned buffers sized at run time, run
//! summaries and the `neuroloop` command-line tool ([`cli`]).
//!
//! | module | what it holds |
//! |---|---|
//! | [`sorn`] | SORN networks in `Vec` buffers, TOML configs, runs with recorders, snapshots, run directories, reports and the package's statistics |
//! | [`ctrnn`] | the CTRNN model file, nn4n parity fixtures, nn4n's initialisation and mask builders, embedding in firmware |
//! | [`env`](mod@env) | the core's plants by id, vectorised environments, gymnasium fixture replays |
//! | [`control`] | closed loop: loaded controllers as policies, evaluation, the evolution strategy, the SORN controller and its readouts, episode recording and rendering |
//! | [`pil`] | processor in the loop: a board (QEMU or serial) as a policy, the wire protocol's host side, starting QEMU |
//! | [`cli`] | the `neuroloop` command line |
//! | [`figures`], [`json`], [`budget`] | plotting, JSON reading and memory budgets shared by the above |
//!
//! Every episode anywhere runs through the core's one loop, [`neuroloop_core::episode::run_episode`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod budget;
pub mod cli;
pub mod control;
pub mod ctrnn;
pub mod env;
pub mod figures;
pub mod json;
pub mod pil;
pub mod sorn;
