// Settings of the `sorn-rls` scenario (shared with the host's parity test).

/// Reservoir seed (also seeds the exploration and the reset seeds `SEED..`).
pub const SEED: u64 = 1;
/// Teacher episodes.
pub const EPISODES: u64 = 6;
/// Fraction of random actions while learning.
pub const EXPLORE: f32 = 0.3;
/// Excitatory units read.
pub const UNITS: usize = 48;
/// `P(0) = I / DELTA`.
pub const DELTA: f32 = 0.1;
/// Reset seed of the episode the readout acts alone.
pub const TEST_SEED: u64 = 7;
