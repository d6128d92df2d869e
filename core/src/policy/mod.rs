//! Policies: what chooses an action from an observation, on a PC or on a board.
//!
//! A [`Policy`] is reset at the start of every episode, acts on each observation and, if it
//! learns, takes the action it should have taken ([`Policy::learn`]). [`crate::episode`] runs
//! one in an environment. The policies of the core:
//!
//! | policy | what it is |
//! |---|---|
//! | [`CtrnnPolicy`] | a CTRNN controller: the observation is its input, its readout the action (argmax, or `high tanh(y)` per box dimension) |
//! | [`Reservoir`] | a frozen SORN reservoir: the observation thermometer-coded into its input channels ([`Thermometer`]), a linear [`Readout`] of its excitatory spikes and a bias, argmax; learns online with an [`Rls`](crate::rls::Rls) readout |
//! | [`Imitation`] | a teacher acts (with a fraction of random actions) while a student learns from the teacher's choices |
//! | [`Braitenberg`] | a hand-written vehicle for `DiffDrive-v0` (crossed excitatory wiring) |
//!
//! Every policy keeps its action in its own storage; [`Policy::action`] lends it out, so acting
//! never allocates.

mod braitenberg;
mod ctrnn;
mod discrete;
mod imitation;
mod reservoir;
mod thermometer;

use core::fmt;

pub use braitenberg::Braitenberg;
pub use ctrnn::CtrnnPolicy;
pub use discrete::Discrete;
pub use imitation::Imitation;
pub use reservoir::{MODE as RESERVOIR_MODE, Readout, Reservoir, Weights, spike_features};
pub use thermometer::{EncodeError, Thermometer};

use crate::env::Action;
use crate::layout::BufferError;

/// Chooses actions from observations.
///
/// ```
/// use neuroloop_core::env::{Action, CartPole, Env};
/// use neuroloop_core::policy::{Policy, PolicyError};
/// /// Pushes towards the side the pole leans to.
/// struct Lean(usize);
/// impl Policy for Lean {
///     type Error = PolicyError;
///     fn reset(&mut self, _seed: u64) -> Result<(), PolicyError> { Ok(()) }
///     fn act(&mut self, obs: &[f32]) -> Result<(), PolicyError> {
///         self.0 = usize::from(obs[2] > 0.0);
///         Ok(())
///     }
///     fn action(&self) -> Action<'_> { Action::Discrete(self.0) }
/// }
/// let mut env = CartPole::new();
/// let s = neuroloop_core::episode::run_episode(&mut env, &mut Lean(0), 1, &mut ())?;
/// assert!(s.terminated && s.total_reward >= 8.0);
/// # Ok::<(), neuroloop_core::episode::EpisodeError<PolicyError>>(())
/// ```
pub trait Policy {
    /// Why the policy could not act.
    type Error;

    /// Starts an episode (`seed` is the environment's reset seed; most policies ignore it).
    fn reset(&mut self, seed: u64) -> Result<(), Self::Error>;

    /// Chooses an action for `observation`; [`Policy::action`] then returns it.
    fn act(&mut self, observation: &[f32]) -> Result<(), Self::Error>;

    /// The action chosen by the last [`Policy::act`].
    fn action(&self) -> Action<'_>;

    /// The learning hook: after [`Policy::act`], the action that should have been taken. A
    /// policy that does not learn ignores it (the default).
    fn learn(&mut self, target: Action<'_>) -> Result<(), Self::Error> {
        let _ = target;
        Ok(())
    }
}

/// Why a policy of the core could not be built or act.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum PolicyError {
    /// The CTRNN refused (e.g. an observation of the wrong width).
    Ctrnn(crate::ctrnn::Error),
    /// The SORN refused a step.
    Sorn(crate::sorn::StepError),
    /// The observation could not be encoded.
    Encode(EncodeError),
    /// The readout refused.
    Readout(crate::rls::Error),
    /// A scratch buffer is too short.
    Buffer(BufferError),
    /// The readout has `outputs` values; the action space needs `needed`.
    Outputs {
        /// Readout values.
        outputs: usize,
        /// Values the action space needs.
        needed: usize,
    },
    /// This policy cannot act in this action space (e.g. argmax readouts need discrete
    /// actions).
    ActionSpace,
    /// A learning target of the wrong kind or width.
    Target,
    /// The readout gave NaN or an infinity (the network diverged): never turned into an
    /// action, since argmax would hide it.
    NotFinite,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Ctrnn(e) => write!(f, "CTRNN: {e}"),
            PolicyError::Sorn(e) => write!(f, "SORN: {e}"),
            PolicyError::Encode(e) => write!(f, "observation code: {e}"),
            PolicyError::Readout(e) => write!(f, "readout: {e}"),
            PolicyError::Buffer(e) => write!(f, "policy scratch: {e}"),
            PolicyError::Outputs { outputs, needed } => {
                write!(f, "the readout has {outputs} outputs; the action space needs {needed}")
            }
            PolicyError::ActionSpace => f.write_str("this policy cannot act in this action space"),
            PolicyError::Target => f.write_str("the learning target does not fit the readout"),
            PolicyError::NotFinite => f.write_str("the readout is NaN or infinite (the network diverged)"),
        }
    }
}

impl core::error::Error for PolicyError {}

impl From<crate::ctrnn::Error> for PolicyError {
    fn from(e: crate::ctrnn::Error) -> Self {
        PolicyError::Ctrnn(e)
    }
}

impl From<crate::sorn::StepError> for PolicyError {
    fn from(e: crate::sorn::StepError) -> Self {
        PolicyError::Sorn(e)
    }
}

impl From<EncodeError> for PolicyError {
    fn from(e: EncodeError) -> Self {
        PolicyError::Encode(e)
    }
}

impl From<crate::rls::Error> for PolicyError {
    fn from(e: crate::rls::Error) -> Self {
        PolicyError::Readout(e)
    }
}

/// Index of the largest value: the first on ties, 0 for an empty slice, NaN never wins.
///
/// ```
/// use neuroloop_core::policy::argmax;
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

/// Readout targets for a discrete action: `+1` for it, `-1` for the others.
///
/// ```
/// let mut t = [0.0f32; 3];
/// neuroloop_core::policy::one_hot_targets(2, &mut t);
/// assert_eq!(t, [-1.0, -1.0, 1.0]);
/// ```
pub fn one_hot_targets(action: usize, targets: &mut [f32]) {
    for (k, t) in targets.iter_mut().enumerate() {
        *t = if k == action { 1.0 } else { -1.0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctrnn::{Activation, Config, Ctrnn, Dims, Layout};
    use crate::env::{CartPole, Env, Pendulum, Space};
    use crate::episode::run_episode;
    use crate::presets::{CARTPOLE_CODE, reservoir_config};
    use crate::rls::{self, Rls};
    use crate::sorn::{self, Buffers, Sorn};
    use std::vec;
    use std::vec::Vec;

    type VecCtrnn = CtrnnPolicy<Vec<f32>, Vec<f32>>;

    fn ctrnn_policy(dims: Dims, actions: Space, w_out: f32) -> VecCtrnn {
        let cfg = Config::new(dims, Activation::Tanh);
        let l = Layout::new(&cfg);
        let mut p = vec![0.0f32; l.params_len];
        p[l.params.alpha.start..].fill(1.0);
        // readout = w_out * r_0 for output 0, -w_out * r_0 for the others; r_0 = tanh(u_0).
        p[l.params.w_in.start] = 1.0;
        for o in 0..dims.outputs {
            p[l.params.w_out.start + o * dims.hidden] = if o == 0 { w_out } else { -w_out };
        }
        let net = Ctrnn::new(&cfg, p).unwrap();
        let scratch = vec![0.0; VecCtrnn::scratch_len(dims, actions)];
        CtrnnPolicy::new(net, &vec![0.0; dims.hidden], actions, scratch).unwrap()
    }

    #[test]
    fn a_ctrnn_controller_maps_its_readout_to_actions() {
        let mut p = ctrnn_policy(Dims { inputs: 4, hidden: 3, outputs: 2 }, Space::Discrete(2), 1.0);
        p.act(&[0.5, 0.0, 0.0, 0.0]).unwrap();
        assert_eq!(p.action(), Action::Discrete(0), "output 0 is larger");
        p.act(&[-0.5, 0.0, 0.0, 0.0]).unwrap();
        assert_eq!(p.action(), Action::Discrete(1));
        // A box action is high * tanh(y).
        let actions = Pendulum::new().action_space();
        let mut b = ctrnn_policy(Dims { inputs: 3, hidden: 2, outputs: 1 }, actions, 1.0);
        b.act(&[0.5, 0.0, 0.0]).unwrap();
        let y = libm::tanhf(0.5);
        assert_eq!(b.action(), Action::Continuous(&[2.0 * libm::tanhf(y)]));
        // Reset goes back to v0.
        b.reset(0).unwrap();
        assert_eq!(b.state(), &[0.0; 4]);
        // Sizes that do not fit are refused at construction.
        let cfg = Config::new(Dims { inputs: 4, hidden: 3, outputs: 3 }, Activation::Tanh);
        let net = Ctrnn::new_any_alpha(&cfg, vec![0.0; Layout::new(&cfg).params_len]).unwrap();
        let e = CtrnnPolicy::new(net, &[0.0; 3], Space::Discrete(2), vec![0.0; 64]).err();
        assert_eq!(e, Some(PolicyError::Outputs { outputs: 3, needed: 2 }));
        // An observation of the wrong width is an error, not a panic.
        assert!(matches!(p.act(&[0.0; 3]), Err(PolicyError::Ctrnn(_))));
        // A readout that overflows is an error, not a quiet action 0 (argmax skips NaN).
        let cfg = Config::new(Dims { inputs: 4, hidden: 3, outputs: 2 }, Activation::Tanh);
        let l = Layout::new(&cfg);
        let mut w = vec![0.0f32; l.params_len];
        w[l.params.alpha.start..].fill(1.0);
        w[l.params.w_in.start] = 1.0;
        w[l.params.w_out.start] = f32::MAX;
        w[l.params.b_out.start] = f32::MAX; // MAX r_0 + MAX overflows once r_0 > 0
        let scratch = vec![0.0; VecCtrnn::scratch_len(cfg.dims, Space::Discrete(2))];
        let mut big = CtrnnPolicy::new(Ctrnn::new(&cfg, w).unwrap(), &[0.0; 3], Space::Discrete(2), scratch).unwrap();
        assert_eq!(big.act(&[0.5, 0.0, 0.0, 0.0]), Err(PolicyError::NotFinite));
    }

    fn reservoir<R: Readout>(readout: R) -> Reservoir<Vec<f32>, Vec<u16>, Vec<u32>, R, Vec<f32>> {
        let cfg = reservoir_config(CARTPOLE_CODE.channels() as u32);
        let l = sorn::Layout::new(&cfg);
        let net =
            Sorn::new(&cfg, 1, Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len])).unwrap();
        let outputs = readout.outputs();
        let scratch = vec![0.0; Reservoir::<Vec<f32>, Vec<u16>, Vec<u32>, R, Vec<f32>>::scratch_len(40, outputs)];
        Reservoir::new(net, 1, CARTPOLE_CODE, readout, 48, scratch).unwrap()
    }

    #[test]
    fn a_reservoir_reads_its_spikes_and_learns_online() {
        let rls_cfg = rls::Config { features: 49, outputs: 2, delta: 0.1, forgetting: 1.0 };
        let mut p = reservoir(Rls::new(&rls_cfg, vec![0.0; rls::Layout::new(&rls_cfg).len]).unwrap());
        p.reset(0).unwrap();
        assert_eq!(p.network().mode(), RESERVOIR_MODE);
        let obs = [0.3, -0.5, 0.05, 1.0];
        for _ in 0..20 {
            p.act(&obs).unwrap();
            p.learn(Action::Discrete(1)).unwrap();
        }
        p.act(&obs).unwrap();
        assert_eq!(p.action(), Action::Discrete(1), "it learned the target");
        assert_eq!(p.learn(Action::Discrete(2)), Err(PolicyError::Target));
        assert!(matches!(p.act(&[0.0; 3]), Err(PolicyError::Encode(_))));
        // Every episode starts from the same fresh reservoir.
        p.reset(0).unwrap();
        p.act(&obs).unwrap();
        let first: Vec<u32> = p.network().x().words().to_vec();
        p.reset(5).unwrap();
        p.act(&obs).unwrap();
        assert_eq!(p.network().x().words(), &first[..]);
        // A readout that does not fit the reservoir is refused.
        let cfg = reservoir_config(40);
        let l = sorn::Layout::new(&cfg);
        let net =
            Sorn::new(&cfg, 1, Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len])).unwrap();
        let w = Weights::new(10, 2, vec![0.0; 20]).unwrap();
        assert!(Reservoir::new(net, 1, CARTPOLE_CODE, w, 48, vec![0.0; 100]).is_err());
    }

    /// Counts what it is taught.
    #[derive(Default)]
    struct Pupil(Vec<usize>);

    impl Policy for Pupil {
        type Error = PolicyError;
        fn reset(&mut self, _seed: u64) -> Result<(), PolicyError> {
            Ok(())
        }
        fn act(&mut self, _obs: &[f32]) -> Result<(), PolicyError> {
            Ok(())
        }
        fn action(&self) -> Action<'_> {
            Action::Discrete(0)
        }
        fn learn(&mut self, target: Action<'_>) -> Result<(), PolicyError> {
            if let Action::Discrete(a) = target {
                self.0.push(a);
            }
            Ok(())
        }
    }

    #[test]
    fn imitation_explores_at_its_rate_and_teaches_every_step() {
        let mut p = Imitation::new(Discrete::new(|_: &[f32]| 1), Pupil::default(), Space::Discrete(2), 0.3, 9);
        let mut env = CartPole::new();
        let (mut steps, mut random) = (0, 0);
        for ep in 0..200 {
            env.reset(ep);
            p.reset(ep).unwrap();
            for _ in 0..20 {
                p.act(env.observation()).unwrap();
                steps += 1;
                random += usize::from(p.action() == Action::Discrete(0));
                if env.step(p.action()).unwrap().done() {
                    break;
                }
            }
        }
        // Random actions are 0 half of the time: ~15 % of the steps.
        let share = random as f64 / steps as f64;
        assert!((0.12..0.18).contains(&share), "{share}");
        let taught = &p.student().0;
        assert!(taught.len() == steps && taught.iter().all(|&a| a == 1), "the teacher's action, every step");
        // Through the one episode loop too.
        let s = run_episode(&mut env, &mut p, 3, &mut ()).unwrap();
        assert!(s.steps > 0);
    }
}
