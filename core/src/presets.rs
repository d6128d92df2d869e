//! Application presets: the settings of the project's own controllers, in one named place, so
//! that the host's `neuroloop train`, the firmware's scenarios and the tests use the same
//! numbers.

use crate::policy::Thermometer;
use crate::sorn::Config;

/// The observation code of CartPole-v1 for the SORN reservoir controller: scales (cart
/// position, cart velocity, pole angle, pole angular velocity) near the edges of what a
/// balancing policy sees, 5 copies per variable and sign (40 channels), gain 2.
pub const CARTPOLE_CODE: Thermometer = match Thermometer::new(&[2.4, 2.0, 0.21, 2.0], 5, 2.0) {
    Ok(code) => code,
    Err(_) => panic!("four variables fit a code"), // evaluated at compile time
};

/// The reservoir of the SORN controller: the package's default network with `nu` input
/// channels and an intrinsic-plasticity target rate of 0.1 (the default would follow `nu`).
///
/// ```
/// let cfg = neuroloop_core::presets::reservoir_config(40);
/// assert_eq!((cfg.ne, cfg.nu, cfg.h_ip()), (200, 40, 0.1));
/// assert!(cfg.validate().is_ok());
/// ```
pub const fn reservoir_config(nu: u32) -> Config {
    Config { nu, h_ip: Some(0.1), ..Config::DEFAULT }
}

/// How the SORN controller's readout learns online by RLS from a teacher.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OnlineReadout {
    /// Teacher episodes (reset seeds `seed..`).
    pub episodes: u64,
    /// Fraction of random actions while learning.
    pub explore: f32,
    /// Excitatory units read (`0..units`; the input-driven units are `0..nu`).
    pub units: u32,
    /// `P(0) = I / delta` (the ridge penalty when `forgetting` is 1).
    pub delta: f32,
    /// Forgetting factor in `(0, 1]`.
    pub forgetting: f32,
}

/// The online readout of `neuroloop train --controller sorn --readout rls` and of the
/// firmware's `sorn-rls` scenario: 6 teacher episodes, 30 % random actions, units `0..48` (a
/// 49 x 49 `P`, 9.6 KB), `delta` 0.1, no forgetting.
pub const ONLINE_READOUT: OnlineReadout =
    OnlineReadout { episodes: 6, explore: 0.3, units: 48, delta: 0.1, forgetting: 1.0 };

impl Default for OnlineReadout {
    /// [`ONLINE_READOUT`].
    fn default() -> Self {
        ONLINE_READOUT
    }
}

/// XORed into the reservoir's seed to seed the teacher's exploration (an independent stream).
pub const EXPLORATION_SALT: u64 = 0x0050_524e;
