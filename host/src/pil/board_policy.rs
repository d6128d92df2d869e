//! A board as a [`Policy`]: `reset`, `act` and `learn` become requests, so the one episode
//! loop ([`neuroloop_core::episode::run_episode`]) runs a plant on the PC against a policy on
//! the board, unchanged.

use neuroloop_core::env::Action;
use neuroloop_core::policy::{Policy, PolicyError};
use neuroloop_wire::{MAX_ACTION, Request, WireAction};

use super::client::{Client, Response};
use super::{Link, PilError};

/// The policy on the board behind `client`.
pub struct BoardPolicy<'c, L> {
    client: &'c mut Client<L>,
    discrete: usize,
    continuous: Vec<f32>,
    is_discrete: bool,
}

impl<'c, L: Link> BoardPolicy<'c, L> {
    /// The board's current policy.
    pub fn new(client: &'c mut Client<L>) -> Self {
        BoardPolicy { client, discrete: 0, continuous: Vec::new(), is_discrete: true }
    }

    /// The client, for requests between episodes.
    pub fn client(&mut self) -> &mut Client<L> {
        self.client
    }
}

impl<L: Link> Policy for BoardPolicy<'_, L> {
    type Error = PilError;

    fn reset(&mut self, seed: u64) -> Result<(), PilError> {
        self.client.expect_ok(&Request::Reset { seed })
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), PilError> {
        let observation = neuroloop_wire::heapless::Vec::from_slice(observation).map_err(|_| {
            PilError::Unexpected(format!("{} observation values: the wire carries at most 8", observation.len()))
        })?;
        match self.client.call(&Request::Act { observation })? {
            Response::Action(WireAction::Discrete(a)) => {
                self.discrete = a as usize;
                self.is_discrete = true;
            }
            Response::Action(WireAction::Continuous(v)) => {
                self.continuous.clear();
                self.continuous.extend_from_slice(&v);
                self.is_discrete = false;
            }
            other => return Err(PilError::Unexpected(format!("{other:?} to act"))),
        }
        Ok(())
    }

    fn action(&self) -> Action<'_> {
        if self.is_discrete { Action::Discrete(self.discrete) } else { Action::Continuous(&self.continuous) }
    }

    fn learn(&mut self, target: Action<'_>) -> Result<(), PilError> {
        let target = match target {
            Action::Discrete(a) => WireAction::Discrete(u32::try_from(a).unwrap_or(u32::MAX)),
            Action::Continuous(v) => {
                WireAction::Continuous(neuroloop_wire::heapless::Vec::from_slice(v).map_err(|_| {
                    PilError::Unexpected(format!("a target of {} values: at most {MAX_ACTION}", v.len()))
                })?)
            }
        };
        self.client.expect_ok(&Request::Teach { target })
    }
}

/// A host policy whose errors become [`PilError`]s, so it can teach a board (both sides of
/// an [`Imitation`](neuroloop_core::policy::Imitation) share one error type).
pub struct OnHost<P>(pub P);

impl<P: Policy<Error = PolicyError>> Policy for OnHost<P> {
    type Error = PilError;

    fn reset(&mut self, seed: u64) -> Result<(), PilError> {
        self.0.reset(seed).map_err(PilError::Host)
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), PilError> {
        self.0.act(observation).map_err(PilError::Host)
    }

    fn action(&self) -> Action<'_> {
        self.0.action()
    }

    fn learn(&mut self, target: Action<'_>) -> Result<(), PilError> {
        self.0.learn(target).map_err(PilError::Host)
    }
}
