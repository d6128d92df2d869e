//! A CTRNN controller: the observation is the network's input, its readout the action.

use super::{Policy, PolicyError, argmax};
use crate::ctrnn::{Activation, Ctrnn, Dims};
use crate::env::{Action, Space};
use crate::layout::{BufferError, Storage, buffer_arrays};

/// Sizes of the scratch buffer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sizes {
    hidden: usize,
    outputs: usize,
    action: usize,
}

buffer_arrays! {
    /// Where the policy's arrays lie in its scratch buffer.
    pub struct ScratchSpans, pub(crate) struct Scratch<f32> for s: Sizes {
        /// The initial pre-activation (nn4n's `v0`).
        v0: s.hidden,
        /// The network's state: `v` then `r`.
        state: s.hidden.saturating_mul(2),
        /// The readout `y`.
        readout: s.outputs,
        /// A box action, `high tanh(y)`.
        action: s.action,
    }
}

const fn sizes(dims: Dims, actions: Space) -> Sizes {
    let action = match actions {
        Space::Discrete(_) => 0,
        Space::Box { low, .. } => low.len(),
    };
    Sizes { hidden: dims.hidden, outputs: dims.outputs, action }
}

/// A CTRNN controller in one episode: its network (noise-free), its state and its action.
///
/// The action is the argmax of the readout for a discrete space (one output per action), or
/// `high_k tanh(y_k)` for each dimension of a box (one output per dimension). Reset starts
/// every episode from `v0`.
///
/// ```
/// use neuroloop_core::ctrnn::{Activation, Config, Ctrnn, Dims, Layout};
/// use neuroloop_core::env::{CartPole, Env};
/// use neuroloop_core::policy::{CtrnnPolicy, Policy};
/// const CFG: Config = Config::new(Dims { inputs: 4, hidden: 8, outputs: 2 }, Activation::Tanh);
/// const L: Layout = Layout::new(&CFG);
/// let mut params = [0.0f32; L.params_len];
/// params[L.params.alpha.start..].fill(0.5);
/// let env = CartPole::new();
/// let net = Ctrnn::new(&CFG, &mut params[..])?;
/// let mut scratch = vec![0.0f32; CtrnnPolicy::<&mut [f32], Vec<f32>>::scratch_len(CFG.dims, env.action_space())];
/// let mut policy = CtrnnPolicy::new(net, &[0.0; 8], env.action_space(), scratch)?;
/// policy.reset(0)?;
/// policy.act(&[0.0, 0.1, 0.0, -0.1])?;
/// # Ok::<(), neuroloop_core::policy::PolicyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct CtrnnPolicy<P, S> {
    net: Ctrnn<P>,
    scratch: S,
    spans: ScratchSpans,
    actions: Space,
    choice: usize,
}

impl<P: Storage<f32>, S: Storage<f32>> CtrnnPolicy<P, S> {
    /// `f32`s of scratch a controller of `dims` needs for `actions`.
    pub const fn scratch_len(dims: Dims, actions: Space) -> usize {
        ScratchSpans::new(&sizes(dims, actions)).total()
    }

    /// The controller of `net` for `actions`, starting every episode at `v0`.
    pub fn new(net: Ctrnn<P>, v0: &[f32], actions: Space, mut scratch: S) -> Result<Self, PolicyError> {
        let dims = net.dims();
        let needed = match actions {
            Space::Discrete(n) => n,
            Space::Box { low, high } if low.len() == high.len() => low.len(),
            Space::Box { .. } => return Err(PolicyError::ActionSpace),
        };
        if dims.outputs != needed {
            return Err(PolicyError::Outputs { outputs: dims.outputs, needed });
        }
        if v0.len() != dims.hidden {
            return Err(PolicyError::Ctrnn(crate::ctrnn::Error::Length {
                what: "v0",
                expected: dims.hidden,
                got: v0.len(),
            }));
        }
        let spans = ScratchSpans::new(&sizes(dims, actions));
        BufferError::check("scratch", spans.total(), scratch.as_ref().len()).map_err(PolicyError::Buffer)?;
        spans.v0.of_mut(scratch.as_mut()).copy_from_slice(v0);
        let mut policy = CtrnnPolicy { net, scratch, spans, actions, choice: 0 };
        policy.reset(0)?;
        Ok(policy)
    }
}

/// The scratch cut into its arrays (its length was checked when the policy was built).
fn split<'a>(spans: &ScratchSpans, scratch: &'a mut [f32]) -> Result<Scratch<'a>, PolicyError> {
    let got = scratch.len();
    spans.split(scratch).ok_or(PolicyError::Buffer(BufferError { buffer: "scratch", needed: spans.total(), got }))
}

impl<P: AsRef<[f32]>, S: AsRef<[f32]>> CtrnnPolicy<P, S> {
    /// The network.
    pub fn network(&self) -> &Ctrnn<P> {
        &self.net
    }

    /// The network's state (`v` then `r`).
    pub fn state(&self) -> &[f32] {
        self.spans.state.of(self.scratch.as_ref())
    }

    /// The readout of the last step.
    pub fn readout(&self) -> &[f32] {
        self.spans.readout.of(self.scratch.as_ref())
    }

    /// Gives the network and the scratch buffer back.
    pub fn into_parts(self) -> (Ctrnn<P>, S) {
        (self.net, self.scratch)
    }
}

impl<P: AsRef<[f32]>, S: Storage<f32>> CtrnnPolicy<P, S> {
    /// Puts the network in `state` (`v` then `r`, as [`CtrnnPolicy::state`] gives it): `2 H`
    /// finite values, or an error and nothing changes.
    ///
    /// ```
    /// # use neuroloop_core::ctrnn::{Activation, Config, Ctrnn, Dims, Layout};
    /// # use neuroloop_core::env::Space;
    /// # use neuroloop_core::policy::CtrnnPolicy;
    /// # const CFG: Config = Config::new(Dims { inputs: 1, hidden: 2, outputs: 2 }, Activation::Tanh);
    /// # let mut params = vec![0.0f32; Layout::new(&CFG).params_len];
    /// # params[Layout::new(&CFG).params.alpha.start..].fill(0.5);
    /// # let net = Ctrnn::new(&CFG, params)?;
    /// # let scratch = vec![0.0f32; CtrnnPolicy::<Vec<f32>, Vec<f32>>::scratch_len(CFG.dims, Space::Discrete(2))];
    /// let mut p = CtrnnPolicy::new(net, &[0.0, 0.0], Space::Discrete(2), scratch)?;
    /// p.set_state(&[0.5, -0.5, 0.25, 0.0])?;
    /// assert_eq!(p.state(), &[0.5, -0.5, 0.25, 0.0]);
    /// assert!(p.set_state(&[f32::NAN, 0.0, 0.0, 0.0]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_state(&mut self, state: &[f32]) -> Result<(), PolicyError> {
        let expected = self.spans.state.len;
        if state.len() != expected {
            return Err(PolicyError::Ctrnn(crate::ctrnn::Error::Length { what: "state", expected, got: state.len() }));
        }
        if let Some(index) = state.iter().position(|x| !x.is_finite()) {
            return Err(PolicyError::Ctrnn(crate::ctrnn::Error::NotFinite { field: "state", index }));
        }
        self.spans.state.of_mut(self.scratch.as_mut()).copy_from_slice(state);
        Ok(())
    }
}

impl<P: Storage<f32>, S: Storage<f32>> Policy for CtrnnPolicy<P, S> {
    type Error = PolicyError;

    /// Back to `v = v0`, `r = phi(v0)`.
    fn reset(&mut self, _seed: u64) -> Result<(), PolicyError> {
        let p = split(&self.spans, self.scratch.as_mut())?;
        self.net.init_state(p.v0, p.state)?;
        Ok(())
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), PolicyError> {
        let p = split(&self.spans, self.scratch.as_mut())?;
        self.net.step(p.state, observation, p.readout, None)?;
        if p.readout.iter().any(|y| !y.is_finite()) {
            return Err(PolicyError::NotFinite);
        }
        match self.actions {
            Space::Discrete(_) => self.choice = argmax(p.readout),
            Space::Box { high, .. } => {
                for ((a, &y), &h) in p.action.iter_mut().zip(p.readout.iter()).zip(high) {
                    *a = h * Activation::Tanh.apply(y);
                }
            }
        }
        Ok(())
    }

    fn action(&self) -> Action<'_> {
        match self.actions {
            Space::Discrete(_) => Action::Discrete(self.choice),
            Space::Box { .. } => Action::Continuous(self.spans.action.of(self.scratch.as_ref())),
        }
    }
}
