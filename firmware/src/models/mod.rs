//! Models embedded in the firmware, each a Rust module `neuroloop ctrnn embed` wrote and the
//! little-endian `f32` blob beside it.

/// The CTRNN of the nn4n parity fixture (`tests/fixtures/ctrnn_tanh_nn4n.json`): I 3, H 16,
/// O 2, tanh.
pub mod ctrnn_fixture;

/// The CartPole-v1 controller trained on the host (`tests/fixtures/cartpole_controller.json`:
/// `neuroloop train --env CartPole-v1 --controller ctrnn --seed 1 --generations 40`).
pub mod cartpole_controller;
