//! A SORN reservoir controller: the observation is thermometer-coded into the SORN's input
//! channels, the frozen network takes one step per control step, and a linear readout of its
//! excitatory spikes (plus a bias) chooses the action by argmax.
//!
//! The readout is a [`Readout`]: fixed weights ([`Weights`]) act; an [`Rls`] also learns
//! online, one update per step, from the targets [`Policy::learn`] gives (`+1` for the action
//! that should have been taken, `-1` for the others). This is what the firmware's `sorn-rls`
//! scenario runs on a board and what `neuroloop train --controller sorn --readout rls` runs on
//! a PC.

use super::{Policy, PolicyError, Thermometer, argmax, one_hot_targets};
use crate::bits::Bits;
use crate::env::Action;
use crate::layout::{BufferError, Storage, buffer_arrays};
use crate::rls::{self, Rls, predict_rows};
use crate::sorn::{Mode, Sorn};

/// The reservoir's mode while it controls: frozen (no plasticity) and noise-free, so an episode
/// is a pure function of the reservoir's seed and the observations.
pub const MODE: Mode = Mode::training(false);

/// The readout's binary features: the excitatory units below `units` that spiked (ascending),
/// then the bias feature, index `units`. A readout over them has `units + 1` features.
///
/// ```
/// use neuroloop_core::bits::Bits;
/// use neuroloop_core::policy::spike_features;
/// let words = [0b1000_0110u32];
/// assert_eq!(spike_features(Bits::new(&words, 32), 4).collect::<Vec<_>>(), [1, 2, 4]);
/// ```
pub fn spike_features(x: Bits<'_>, units: usize) -> impl Iterator<Item = usize> + Clone + '_ {
    x.iter_ones().take_while(move |&i| i < units).chain(core::iter::once(units))
}

/// A linear readout of binary features.
pub trait Readout {
    /// Features (the bias included).
    fn features(&self) -> usize;
    /// Outputs (one per action).
    fn outputs(&self) -> usize;
    /// `out = W x` for the binary `x` whose ones are at `ones`, every row summed in the order
    /// of `ones` ([`predict_rows`]).
    fn predict_ones(&self, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), rls::Error>;
    /// Learns `targets` for the features at `ones`. A fixed readout ignores it (the default).
    fn learn_ones(&mut self, ones: impl Iterator<Item = usize> + Clone, targets: &[f32]) -> Result<(), rls::Error> {
        let _ = (ones, targets);
        Ok(())
    }
}

/// Fixed readout weights: `outputs` rows of `features`, row-major.
///
/// ```
/// use neuroloop_core::policy::{Readout, Weights};
/// let w = Weights::new(3, 2, [1.0f32, 0.5, -1.0, 0.0, 2.0, 1.0])?;
/// let mut y = [0.0f32; 2];
/// w.predict_ones([0, 2].into_iter(), &mut y)?;
/// assert_eq!(y, [0.0, 1.0]);
/// # Ok::<(), neuroloop_core::rls::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Weights<W> {
    features: usize,
    outputs: usize,
    weights: W,
}

impl<W: AsRef<[f32]>> Weights<W> {
    /// The readout; `weights` must hold at least `features * outputs` finite values.
    pub fn new(features: usize, outputs: usize, weights: W) -> Result<Self, rls::Error> {
        if features == 0 || outputs == 0 {
            return Err(rls::Error::EmptyLayout);
        }
        let needed = features.saturating_mul(outputs);
        BufferError::check("weights", needed, weights.as_ref().len()).map_err(rls::Error::Buffer)?;
        if weights.as_ref()[..needed].iter().any(|w| !w.is_finite()) {
            return Err(rls::Error::NotFinite);
        }
        Ok(Weights { features, outputs, weights })
    }

    /// The weights (`outputs` rows of `features`).
    pub fn weights(&self) -> &[f32] {
        &self.weights.as_ref()[..self.features * self.outputs]
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> W {
        self.weights
    }
}

fn check_ones(features: usize, mut ones: impl Iterator<Item = usize>) -> Result<(), rls::Error> {
    match ones.find(|&i| i >= features) {
        Some(index) => Err(rls::Error::FeatureIndex { index, features }),
        None => Ok(()),
    }
}

impl<W: AsRef<[f32]>> Readout for Weights<W> {
    fn features(&self) -> usize {
        self.features
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    fn predict_ones(&self, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), rls::Error> {
        if out.len() != self.outputs {
            return Err(rls::Error::Width { expected: self.outputs, got: out.len() });
        }
        check_ones(self.features, ones.clone())?;
        predict_rows(self.weights(), self.features, ones, out);
        Ok(())
    }
}

impl<S: Storage<f32>> Readout for Rls<S> {
    fn features(&self) -> usize {
        self.layout().features
    }

    fn outputs(&self) -> usize {
        self.layout().outputs
    }

    fn predict_ones(&self, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), rls::Error> {
        Rls::predict_ones(self, ones, out)
    }

    fn learn_ones(&mut self, ones: impl Iterator<Item = usize> + Clone, targets: &[f32]) -> Result<(), rls::Error> {
        self.update_ones(ones, targets).map(|_| ())
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    channels: usize,
    outputs: usize,
}

buffer_arrays! {
    /// Where the reservoir policy's arrays lie in its scratch buffer.
    pub struct ScratchSpans, pub(crate) struct Scratch<f32> for s: Sizes {
        /// The encoded observation (the SORN's input).
        input: s.channels,
        /// The readout's scores.
        scores: s.outputs,
        /// Learning targets.
        targets: s.outputs,
    }
}

/// A frozen SORN reservoir with a readout of excitatory units `0..units` and a bias.
///
/// ```
/// use neuroloop_core::presets::{CARTPOLE_CODE, reservoir_config};
/// use neuroloop_core::policy::{Policy, Reservoir, Weights};
/// use neuroloop_core::sorn::{Buffers, Layout, Sorn};
/// let cfg = reservoir_config(CARTPOLE_CODE.channels() as u32);
/// let l = Layout::new(&cfg);
/// let net = Sorn::new(&cfg, 1, Buffers::new(vec![0.0f32; l.f32_len], vec![0u16; l.u16_len], vec![0u32; l.u32_len]))?;
/// let readout = Weights::new(49, 2, vec![0.0f32; 98])?;
/// let scratch = vec![0.0f32; Reservoir::<Vec<f32>, Vec<u16>, Vec<u32>, Weights<Vec<f32>>, Vec<f32>>::scratch_len(40, 2)];
/// let mut policy = Reservoir::new(net, 1, CARTPOLE_CODE, readout, 48, scratch)?;
/// policy.reset(0)?;
/// policy.act(&[0.0, 0.1, 0.02, -0.1])?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Reservoir<F, H, W, R, U> {
    net: Sorn<F, H, W>,
    seed: u64,
    code: Thermometer,
    readout: R,
    units: usize,
    scratch: U,
    spans: ScratchSpans,
    choice: usize,
}

/// The scratch cut into its arrays (its length was checked when the policy was built).
fn split<'a>(spans: &ScratchSpans, scratch: &'a mut [f32]) -> Result<Scratch<'a>, PolicyError> {
    let got = scratch.len();
    spans.split(scratch).ok_or(PolicyError::Buffer(BufferError { buffer: "scratch", needed: spans.total(), got }))
}

impl<F: Storage<f32>, H: Storage<u16>, W: Storage<u32>, R: Readout, U: Storage<f32>> Reservoir<F, H, W, R, U> {
    /// `f32`s of scratch for a code of `channels` and a readout of `outputs`.
    pub const fn scratch_len(channels: usize, outputs: usize) -> usize {
        ScratchSpans::new(&Sizes { channels, outputs }).total()
    }

    /// The controller: `net` (rebuilt from `seed` at every episode and run in [`MODE`]),
    /// `code` for its input channels (`code.channels()` must be the SORN's `nu`), `readout`
    /// over units `0..units` and a bias (`units + 1` features).
    pub fn new(
        mut net: Sorn<F, H, W>,
        seed: u64,
        code: Thermometer,
        readout: R,
        units: usize,
        scratch: U,
    ) -> Result<Self, PolicyError> {
        let nu = net.config().nu as usize;
        if code.channels() != nu {
            return Err(PolicyError::Encode(super::EncodeError::Width { expected: nu, got: code.channels() }));
        }
        let ne = net.config().ne as usize;
        if units == 0 || units > ne || readout.features() != units + 1 {
            return Err(PolicyError::Readout(rls::Error::Width { expected: units + 1, got: readout.features() }));
        }
        let spans = ScratchSpans::new(&Sizes { channels: nu, outputs: readout.outputs() });
        BufferError::check("scratch", spans.total(), scratch.as_ref().len()).map_err(PolicyError::Buffer)?;
        net.set_mode(MODE);
        Ok(Reservoir { net, seed, code, readout, units, scratch, spans, choice: 0 })
    }

    /// The readout's features of the reservoir's current state.
    pub fn features(&self) -> impl Iterator<Item = usize> + Clone + '_ {
        spike_features(self.net.x(), self.units)
    }

    /// The reservoir.
    pub fn network(&self) -> &Sorn<F, H, W> {
        &self.net
    }

    /// The readout.
    pub fn readout(&self) -> &R {
        &self.readout
    }

    /// The readout, to change (a board writes saved state into it).
    pub fn readout_mut(&mut self) -> &mut R {
        &mut self.readout
    }

    /// Gives the network, the readout and the scratch buffer back.
    pub fn into_parts(self) -> (Sorn<F, H, W>, R, U) {
        (self.net, self.readout, self.scratch)
    }
}

impl<F: Storage<f32>, H: Storage<u16>, W: Storage<u32>, R: Readout, U: Storage<f32>> Policy
    for Reservoir<F, H, W, R, U>
{
    type Error = PolicyError;

    /// A fresh reservoir from the controller's seed (the episode's seed is not used).
    fn reset(&mut self, _seed: u64) -> Result<(), PolicyError> {
        self.net.reset(self.seed);
        self.net.set_mode(MODE);
        Ok(())
    }

    /// Encode, one reservoir step, readout, argmax.
    fn act(&mut self, observation: &[f32]) -> Result<(), PolicyError> {
        let p = split(&self.spans, self.scratch.as_mut())?;
        self.code.encode(observation, p.input)?;
        self.net.step(p.input)?;
        let ones = spike_features(self.net.x(), self.units);
        self.readout.predict_ones(ones, p.scores)?;
        if p.scores.iter().any(|y| !y.is_finite()) {
            return Err(PolicyError::NotFinite);
        }
        self.choice = argmax(p.scores);
        Ok(())
    }

    fn action(&self) -> Action<'_> {
        Action::Discrete(self.choice)
    }

    /// One readout update towards `target` for the current state: `+1` for a discrete
    /// target's action and `-1` for the others, or a continuous target's values.
    fn learn(&mut self, target: Action<'_>) -> Result<(), PolicyError> {
        let p = split(&self.spans, self.scratch.as_mut())?;
        match target {
            Action::Discrete(a) if a < p.targets.len() => one_hot_targets(a, p.targets),
            Action::Continuous(v) if v.len() == p.targets.len() => p.targets.copy_from_slice(v),
            _ => return Err(PolicyError::Target),
        }
        let ones = spike_features(self.net.x(), self.units);
        self.readout.learn_ones(ones, p.targets)?;
        Ok(())
    }
}
