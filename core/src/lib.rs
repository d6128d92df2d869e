//! # neuroloop-core
//!
//! Biologically plausible recurrent networks that run the same on a PC and on a Cortex-M board:
//! `#![no_std]`, no heap, fixed buffers, `libm` math.
//!
//! - [`sorn`]: the self-organising recurrent network (binary threshold units, STDP, inhibitory
//!   STDP, intrinsic plasticity, synaptic normalisation, structural plasticity).
//! - [`ctrnn`]: continuous-time RNNs with nn4n's update, Dale's law and masks.
//! - [`rls`]: an online recursive-least-squares readout in fixed memory.
//! - [`env`](mod@env): plants (gymnasium's classic control and a differential-drive robot),
//!   the [`env::Env`] trait and the registry of ids.
//! - [`policy`]: what acts in a plant ([`policy::Policy`]): CTRNN controllers, SORN reservoirs
//!   with readouts, learning from a teacher, a Braitenberg vehicle.
//! - [`episode`]: [`episode::run_episode`], the one episode loop, and its observers.
//! - [`presets`]: the settings of the project's own controllers.
//! - [`layout`]: how every model's buffers are declared once; [`digest`]: trajectory digests.
//! - [`rng`]: the one random number generator every stochastic part draws from, and its
//!   reproducibility rules.
//! - [`math`]: the only place floating-point functions come from (`libm`, or `micromath` with
//!   the `fast-math` feature).
//!
//! ## Promises
//!
//! **No panics on user input.** Configurations, buffers and inputs are validated and bad ones
//! return a typed error (`enum`s implementing `Display`, and `defmt::Format` with the `defmt`
//! feature). Indexing inside a validated network is by construction in bounds. Without the
//! `std` feature (every board build) the crate has no `unsafe` code; with it, the one
//! `unsafe` is the call of the AVX2-compiled CTRNN kernel after the CPU was found to have AVX2
//! (`ctrnn/kernel/avx.rs`, explained there; `#![deny(unsafe_code)]` everywhere else).
//!
//! **Determinism.** A run is a pure function of (configuration, seed, inputs). The crate never
//! calls `std` float methods (glibc and the board's soft-float differ by an ulp on some
//! arguments); every transcendental function comes from [`math`], every random number from
//! [`rng::NetRng`], and no computation depends on hash-map order or on the platform's word size.
//! The same seed gives the same spikes on x86-64 and on thumbv6m/v7m/v7em, bit for bit.
//!
//! **No allocation.** The crate does not link `alloc`. Sizes are chosen at run time on a host and
//! at compile time on a board; both hand the network caller-owned buffers whose lengths a
//! `const fn` computes (see [`sorn::Layout`]).
//!
//! ## Features
//!
//! | feature | effect |
//! |---|---|
//! | `defmt` | `defmt::Format` for errors and reports |
//! | `serde` | `Serialize`/`Deserialize` for configurations (the RNG's state is [`rng::NetRng::state`]) |
//! | `std` | run-time CPU-feature dispatch (AVX2) of the CTRNN kernels on a PC; the same bits |
//! | `fast-math` | `micromath` approximations instead of `libm` in [`math`] (other numbers, still identical on host and board) |
#![no_std]
#![deny(unsafe_code)] // allowed in one module only: ctrnn/kernel/avx.rs (see there)
#![warn(missing_docs)]

// Unit tests may use std (formatting, collections); the library uses it only for CPU-feature
// detection with the `std` feature.
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod bits;
pub mod ctrnn;
pub mod digest;
pub mod env;
pub mod episode;
pub mod layout;
pub mod math;
pub mod policy;
pub mod presets;
pub mod rls;
pub mod rng;
pub mod sorn;
