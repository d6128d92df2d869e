//! The episode loop: the only one in neuroloop. Host training, evaluation, recording,
//! rendering, vectorised environments, the benches, the firmware and the tests all run
//! episodes through [`run_episode`].
//!
//! ```text
//! env.reset(seed); policy.reset(seed); observer.reset(..)
//! loop {
//!     policy.act(env.observation())          // the policy may learn here (Imitation)
//!     env.step(policy.action())
//!     observer.step(..)                       // recording, digests
//!     stop when terminated or truncated
//! }
//! ```
//!
//! Every environment has a time limit, so the loop always ends.

use core::fmt;

use crate::digest::Fnv1a;
use crate::env::{Action, Env, EnvError, Transition};
use crate::policy::Policy;

/// One step as an [`Observer`] sees it (the environment, passed beside it, is already at the
/// step's end: its observation and state are those after the step).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step<'a> {
    /// Index of the step in the episode (0 for the first).
    pub t: u32,
    /// The action taken.
    pub action: Action<'a>,
    /// What the step did.
    pub transition: Transition,
}

/// Watches an episode: recorders, digests, progress. Both methods do nothing by default.
pub trait Observer<E: ?Sized, P: ?Sized> {
    /// After the reset: `env` holds the first observation.
    fn reset(&mut self, env: &E, policy: &P) {
        let _ = (env, policy);
    }

    /// After every step.
    fn step(&mut self, env: &E, policy: &P, step: &Step<'_>) {
        let _ = (env, policy, step);
    }
}

/// No observer.
impl<E: ?Sized, P: ?Sized> Observer<E, P> for () {}

/// An observer borrowed.
impl<E: ?Sized, P: ?Sized, O: Observer<E, P> + ?Sized> Observer<E, P> for &mut O {
    fn reset(&mut self, env: &E, policy: &P) {
        (**self).reset(env, policy);
    }

    fn step(&mut self, env: &E, policy: &P, step: &Step<'_>) {
        (**self).step(env, policy, step);
    }
}

/// Two observers, in order.
impl<E: ?Sized, P: ?Sized, A: Observer<E, P>, B: Observer<E, P>> Observer<E, P> for (A, B) {
    fn reset(&mut self, env: &E, policy: &P) {
        self.0.reset(env, policy);
        self.1.reset(env, policy);
    }

    fn step(&mut self, env: &E, policy: &P, step: &Step<'_>) {
        self.0.step(env, policy, step);
        self.1.step(env, policy, step);
    }
}

/// How an episode went.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct EpisodeSummary {
    /// Sum of the rewards.
    pub total_reward: f64,
    /// Steps taken.
    pub steps: u32,
    /// Ended by the task itself (a goal reached, or a failure such as a fallen pole).
    pub terminated: bool,
    /// Ended at the time limit.
    pub truncated: bool,
}

/// Why an episode stopped early.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum EpisodeError<P> {
    /// The environment refused an action.
    Env(EnvError),
    /// The policy could not act.
    Policy(P),
}

impl<P: fmt::Display> fmt::Display for EpisodeError<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EpisodeError::Env(e) => write!(f, "environment: {e}"),
            EpisodeError::Policy(e) => write!(f, "policy: {e}"),
        }
    }
}

impl<P: fmt::Debug + fmt::Display> core::error::Error for EpisodeError<P> {}

/// Runs one episode of `policy` in `env` from reset seed `seed`, showing every step to
/// `observer` (`&mut ()` for none).
///
/// ```
/// use neuroloop_core::env::{Acrobot, Action};
/// use neuroloop_core::episode::{TrajectoryDigest, run_episode};
/// # use neuroloop_core::policy::Policy;
/// # struct Zero;
/// # impl Policy for Zero {
/// #     type Error = core::convert::Infallible;
/// #     fn reset(&mut self, _: u64) -> Result<(), Self::Error> { Ok(()) }
/// #     fn act(&mut self, _: &[f32]) -> Result<(), Self::Error> { Ok(()) }
/// #     fn action(&self) -> Action<'_> { Action::Discrete(1) }
/// # }
/// let mut digest = TrajectoryDigest::default();
/// let s = run_episode(&mut Acrobot::new(), &mut Zero, 3, &mut digest)?;
/// assert_eq!((s.steps, s.truncated, s.total_reward), (500, true, -500.0));
/// # Ok::<(), neuroloop_core::episode::EpisodeError<core::convert::Infallible>>(())
/// ```
pub fn run_episode<E, P, O>(
    env: &mut E,
    policy: &mut P,
    seed: u64,
    observer: &mut O,
) -> Result<EpisodeSummary, EpisodeError<P::Error>>
where
    E: Env + ?Sized,
    P: Policy + ?Sized,
    O: Observer<E, P> + ?Sized,
{
    env.reset(seed);
    policy.reset(seed).map_err(EpisodeError::Policy)?;
    observer.reset(env, policy);
    let mut summary = EpisodeSummary::default();
    loop {
        policy.act(env.observation()).map_err(EpisodeError::Policy)?;
        let action = policy.action();
        let transition = env.step(action).map_err(EpisodeError::Env)?;
        observer.step(env, policy, &Step { t: summary.steps, action, transition });
        summary.total_reward += transition.reward;
        summary.steps += 1;
        if transition.done() {
            summary.terminated = transition.terminated;
            summary.truncated = transition.truncated;
            return Ok(summary);
        }
    }
}

/// A digest of a trajectory: after every step, the plant's state (`f64`s) and the action (a
/// discrete action as one word, a continuous one as its `f32`s). Two runs with the same digest
/// visited the same states bit for bit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TrajectoryDigest(pub Fnv1a);

impl TrajectoryDigest {
    /// The digest so far.
    pub const fn finish(&self) -> u32 {
        self.0.finish()
    }

    /// Adds one step: the state after it and the action taken.
    pub fn add(&mut self, state: &[f64], action: Action<'_>) {
        self.0.write_f64s(state);
        match action {
            Action::Discrete(a) => self.0.write_u32(a as u32),
            Action::Continuous(v) => self.0.write_f32s(v),
        }
    }
}

impl<E: Env + ?Sized, P: ?Sized> Observer<E, P> for TrajectoryDigest {
    fn step(&mut self, env: &E, _policy: &P, step: &Step<'_>) {
        self.add(env.state(), step.action);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::{CartPole, MountainCar};
    use crate::policy::Braitenberg;
    use std::vec::Vec;

    /// Pushes right for `n` steps, then fails.
    struct Right(u32);

    impl Policy for Right {
        type Error = &'static str;
        fn reset(&mut self, _seed: u64) -> Result<(), Self::Error> {
            Ok(())
        }
        fn act(&mut self, _obs: &[f32]) -> Result<(), Self::Error> {
            if self.0 == 0 {
                return Err("tired");
            }
            self.0 -= 1;
            Ok(())
        }
        fn action(&self) -> Action<'_> {
            Action::Discrete(1)
        }
    }

    /// Keeps every step's index and reward.
    #[derive(Default)]
    struct Log(Vec<(u32, f64)>, u32);

    impl<E: ?Sized, P: ?Sized> Observer<E, P> for Log {
        fn reset(&mut self, _env: &E, _policy: &P) {
            self.1 += 1;
        }
        fn step(&mut self, _env: &E, _policy: &P, step: &Step<'_>) {
            self.0.push((step.t, step.transition.reward));
        }
    }

    #[test]
    fn the_loop_sums_rewards_until_the_end_and_shows_every_step() {
        let mut log = Log::default();
        let s = run_episode(&mut CartPole::new(), &mut Right(1000), 3, &mut log).unwrap();
        assert!(s.terminated && !s.truncated);
        assert_eq!((s.total_reward, log.1), (f64::from(s.steps), 1));
        assert_eq!(log.0.len(), s.steps as usize);
        assert!(log.0.iter().enumerate().all(|(k, &(t, r))| t as usize == k && r == 1.0));
        // Time limit: MountainCar never reaches the goal pushing right only.
        let s = run_episode(&mut MountainCar::new(), &mut Right(1000), 3, &mut ()).unwrap();
        assert_eq!((s.steps, s.truncated, s.total_reward), (200, true, -200.0));
    }

    #[test]
    fn a_policy_error_stops_the_episode() {
        let e = run_episode(&mut CartPole::new(), &mut Right(2), 3, &mut ()).unwrap_err();
        assert_eq!(e, EpisodeError::Policy("tired"));
    }

    #[test]
    fn trajectory_digests_pin_episodes() {
        let mut a = TrajectoryDigest::default();
        let mut b = TrajectoryDigest::default();
        let mut env = crate::env::DiffDrive::new();
        run_episode(&mut env, &mut Braitenberg::default(), 2, &mut a).unwrap();
        run_episode(&mut env, &mut Braitenberg::default(), 2, &mut (&mut b, ())).unwrap();
        assert_eq!(a, b);
        let mut c = TrajectoryDigest::default();
        run_episode(&mut env, &mut Braitenberg::default(), 3, &mut c).unwrap();
        assert_ne!(a, c);
        assert_eq!(a.finish(), 0x3ecf23c4, "pinned: DiffDrive-v0 from seed 2 with the Braitenberg vehicle");
    }
}
