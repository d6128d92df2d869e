//! A policy from a function: a hand-written controller in one line.

use super::{Policy, PolicyError};
use crate::env::Action;

/// A discrete policy from a function of the observation to the action's index.
///
/// ```
/// use neuroloop_core::env::CartPole;
/// use neuroloop_core::episode::run_episode;
/// use neuroloop_core::policy::Discrete;
/// // Push towards the side the pole leans and falls to.
/// let mut lean = Discrete::new(|obs: &[f32]| usize::from(obs[2] + 0.5 * obs[3] > 0.0));
/// let s = run_episode(&mut CartPole::new(), &mut lean, 1, &mut ())?;
/// assert!(s.total_reward > 100.0, "{}", s.total_reward);
/// # Ok::<(), neuroloop_core::episode::EpisodeError<neuroloop_core::policy::PolicyError>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Discrete<F> {
    choose: F,
    action: usize,
}

impl<F: FnMut(&[f32]) -> usize> Discrete<F> {
    /// The policy that acts `choose(observation)`.
    pub fn new(choose: F) -> Self {
        Discrete { choose, action: 0 }
    }
}

impl<F: FnMut(&[f32]) -> usize> Policy for Discrete<F> {
    type Error = PolicyError;

    fn reset(&mut self, _seed: u64) -> Result<(), PolicyError> {
        Ok(())
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), PolicyError> {
        self.action = (self.choose)(observation);
        Ok(())
    }

    fn action(&self) -> Action<'_> {
        Action::Discrete(self.action)
    }
}
