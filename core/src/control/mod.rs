//! Pieces of controllers that run on a board: the observation code that feeds a SORN
//! reservoir ([`Thermometer`]), the online readout learning by recursive least squares
//! ([`Rls`], fixed memory), and the action choice of a discrete readout ([`argmax`]).
//!
//! A SORN reservoir controller is these three around a frozen [`crate::sorn::Sorn`]: encode the
//! observation, step the reservoir, read the excitatory spikes (plus a bias feature) out with
//! the readout, act by argmax; while learning, update the readout towards `+1` for the teacher's
//! action and `-1` for the others. `firmware/src/main.rs` (scenario `sorn-rls`) and
//! `neuroloop_host::sorn_control` run exactly this loop.

mod rls;
mod thermometer;

pub use rls::{Rls, RlsError, RlsLayout};
pub use thermometer::{EncodeError, Thermometer};

use crate::bits::Bits;
use crate::sorn::{Config, Mode};

/// The observation code of CartPole-v1 for the SORN controller: scales (cart position, cart
/// velocity, pole angle, pole angular velocity) near the edges of what a balancing policy sees,
/// 5 copies per variable and sign (40 channels), gain 2.
pub const CARTPOLE_CODE: Thermometer<'static> = Thermometer { scales: &[2.4, 2.0, 0.21, 2.0], copies: 5, gain: 2.0 };

/// The reservoir of the SORN controller: the package's default network with `nu` input
/// channels and an intrinsic-plasticity target rate of 0.1 (the default would follow `nu`).
///
/// ```
/// let cfg = neuroloop_core::control::reservoir_config(40);
/// assert_eq!((cfg.ne, cfg.nu, cfg.h_ip()), (200, 40, 0.1));
/// assert!(cfg.validate().is_ok());
/// ```
pub const fn reservoir_config(nu: u32) -> Config {
    Config { nu, h_ip: Some(0.1), ..Config::DEFAULT }
}

/// The reservoir's mode while it controls: frozen (no plasticity), no noise, so an episode is
/// a pure function of the reservoir's seed and the observations.
pub const RESERVOIR_MODE: Mode = Mode::training(false);

/// The readout's binary features: the excitatory units below `units` that spiked (ascending),
/// then the bias feature, index `units`. A readout over them has `units + 1` features.
///
/// ```
/// use neuroloop_core::bits::Bits;
/// use neuroloop_core::control::spike_features;
/// let words = [0b1000_0110u32];
/// assert_eq!(spike_features(Bits::new(&words, 32), 4).collect::<Vec<_>>(), [1, 2, 4]);
/// ```
pub fn spike_features(x: Bits<'_>, units: usize) -> impl Iterator<Item = usize> + Clone + '_ {
    x.iter_ones().take_while(move |&i| i < units).chain(core::iter::once(units))
}

/// Readout targets for a teacher's discrete action: `+1` for it, `-1` for the others.
///
/// ```
/// let mut t = [0.0f32; 3];
/// neuroloop_core::control::one_hot_targets(2, &mut t);
/// assert_eq!(t, [-1.0, -1.0, 1.0]);
/// ```
pub fn one_hot_targets(action: usize, targets: &mut [f32]) {
    for (k, t) in targets.iter_mut().enumerate() {
        *t = if k == action { 1.0 } else { -1.0 };
    }
}

/// Index of the largest value: the first on ties, 0 for an empty slice, NaN never wins.
///
/// ```
/// use neuroloop_core::control::argmax;
/// assert_eq!(argmax(&[0.1, 0.7, 0.7]), 1);
/// assert_eq!(argmax(&[f32::NAN, -1.0]), 1);
/// assert_eq!(argmax(&[]), 0);
/// ```
pub fn argmax(values: &[f32]) -> usize {
    let mut best = (0, f32::NEG_INFINITY);
    for (i, &v) in values.iter().enumerate() {
        if v > best.1 {
            best = (i, v);
        }
    }
    best.0
}
