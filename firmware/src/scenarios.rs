//! The firmware's scenarios, as plain functions over caller-owned buffers: the board binary
//! (`main.rs`) runs them on a Cortex-M and prints their reports; `tests/firmware_parity.rs`
//! runs the very same functions on the PC and compares the reports with the board's output.
//!
//! | scenario | what runs | report (`Display`) |
//! |---|---|---|
//! | [`sorn()`] | the default SORN, plasticity on, seed 1, 200 steps of the README input | synapse counts, a digest of every step's spike words |
//! | [`ctrnn`] | the nn4n fixture's CTRNN ([`crate::models::ctrnn_fixture`]), 100 steps of a fixed input | the last readout's first value, a digest of every step's state and readout |
//! | [`cartpole`] | closed loop: CartPole-v1 from reset seed 7 and the host-trained controller ([`crate::models::cartpole_controller`]), one episode | steps, return, a digest of every state and action ([`TrajectoryDigest`]) |
//! | [`sorn_rls`] | a SORN reservoir whose readout learns online by RLS while the controller teaches (30 % random actions) for 6 CartPole episodes, then one episode acting alone | steps, a digest of the learned weights, a digest of every step's spikes and actions, the return |
//!
//! Every episode runs through the core's [`run_episode`]. Instruction counts come from a
//! [`Counter`] (the board's SysTick under QEMU's `-icount`; [`NoCounter`] on a PC) and are
//! reported on their own lines, so the parity lines do not depend on them.

use core::fmt;

use neuroloop_core::ctrnn::{Ctrnn, Error as CtrnnError};
use neuroloop_core::digest::Fnv1a;
use neuroloop_core::env::{Action, CartPole, Env};
use neuroloop_core::episode::{EpisodeError, Observer, Step, TrajectoryDigest, run_episode};
use neuroloop_core::policy::{CtrnnPolicy, Imitation, Policy, PolicyError, Reservoir};
use neuroloop_core::presets::{CARTPOLE_CODE, EXPLORATION_SALT, ONLINE_READOUT, reservoir_config};
use neuroloop_core::rls::{self, Rls};
use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{self, Buffers, Config, Layout, Sorn};

use crate::models::{cartpole_controller, ctrnn_fixture};

/// Counts the instructions a piece of code takes.
pub trait Counter {
    /// Runs `f`; its result and the instructions it took.
    fn count<R>(&mut self, f: impl FnOnce() -> R) -> (R, u32);
}

/// A counter that counts nothing (on a PC, where instructions are measured by callgrind).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoCounter;

impl Counter for NoCounter {
    fn count<R>(&mut self, f: impl FnOnce() -> R) -> (R, u32) {
        (f(), 0)
    }
}

/// Why a scenario stopped (the board prints it and exits with failure).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ScenarioError {
    /// A SORN could not be built.
    Sorn(sorn::Error),
    /// A SORN refused a step.
    Step(sorn::StepError),
    /// A CTRNN refused.
    Ctrnn(CtrnnError),
    /// An RLS readout could not be built.
    Rls(rls::Error),
    /// A policy could not be built or act.
    Policy(PolicyError),
    /// An episode stopped.
    Episode(EpisodeError<PolicyError>),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Sorn(e) => write!(f, "{e}"),
            ScenarioError::Step(e) => write!(f, "SORN step: {e}"),
            ScenarioError::Ctrnn(e) => write!(f, "CTRNN: {e}"),
            ScenarioError::Rls(e) => write!(f, "RLS: {e}"),
            ScenarioError::Policy(e) => write!(f, "policy: {e}"),
            ScenarioError::Episode(e) => write!(f, "episode: {e}"),
        }
    }
}

impl ScenarioError {
    /// Which part refused, without the details: what the board prints. The details (the
    /// `Display` above) format `f32` values, and float formatting costs ~19 KB of flash; the
    /// host runs the very same scenario and prints them (`tests/firmware_parity.rs`).
    pub const fn part(&self) -> &'static str {
        match self {
            ScenarioError::Sorn(_) => "SORN (config or buffers)",
            ScenarioError::Step(_) => "SORN step",
            ScenarioError::Ctrnn(_) => "CTRNN",
            ScenarioError::Rls(_) => "RLS readout",
            ScenarioError::Policy(_) => "policy",
            ScenarioError::Episode(_) => "episode",
        }
    }
}

macro_rules! from {
    ($($t:ty => $v:ident),*) => {
        $(impl From<$t> for ScenarioError {
            fn from(e: $t) -> Self {
                ScenarioError::$v(e)
            }
        })*
    };
}
from!(sorn::Error => Sorn, sorn::StepError => Step, CtrnnError => Ctrnn, rls::Error => Rls,
    PolicyError => Policy, EpisodeError<PolicyError> => Episode);

/// The SORN of the `sorn` scenario: the package's default network.
pub const SORN: Config = Config::DEFAULT;
/// The reservoir of the `sorn-rls` scenario.
pub const RESERVOIR: Config = reservoir_config(CARTPOLE_CODE.channels() as u32);
/// Reservoir seed of `sorn-rls` (also its teacher episodes' first reset seed).
pub const RLS_SEED: u64 = 1;
/// Reset seed of the episode the learned readout acts alone in.
pub const RLS_TEST_SEED: u64 = 7;
/// The `sorn-rls` readout: units `0..48` and a bias, two actions.
pub const RLS: rls::Config = rls::Config {
    features: ONLINE_READOUT.units as usize + 1,
    outputs: 2,
    delta: ONLINE_READOUT.delta,
    forgetting: ONLINE_READOUT.forgetting,
};

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Buffer lengths that hold either scenario's network (they run one after the other in the
/// same buffers).
pub const SORN_F32: usize = max(Layout::new(&SORN).f32_len, Layout::new(&RESERVOIR).f32_len);
/// See [`SORN_F32`].
pub const SORN_U16: usize = max(Layout::new(&SORN).u16_len, Layout::new(&RESERVOIR).u16_len);
/// See [`SORN_F32`].
pub const SORN_U32: usize = max(Layout::new(&SORN).u32_len, Layout::new(&RESERVOIR).u32_len);
/// The RLS readout's buffer.
pub const RLS_LEN: usize = rls::Layout::new(&RLS).len;

/// A board's SORN buffers.
pub type SornBuffers<'a> = Buffers<&'a mut [f32], &'a mut [u16], &'a mut [u32]>;

/// What the `sorn` scenario printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SornReport {
    /// Steps run.
    pub steps: u32,
    /// E->E synapses at the end.
    pub ee: u32,
    /// I->E synapses at the end.
    pub ei: u32,
    /// Digest of every step's excitatory and inhibitory spike words.
    pub digest: u32,
    /// Mean instructions of a plastic step.
    pub step_instructions: u32,
}

impl fmt::Display for SornReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sorn steps={} ee={} ei={} digest={:#010x}", self.steps, self.ee, self.ei, self.digest)
    }
}

/// The default SORN, plasticity on, seed 1, 200 steps of the README input (uniform [0, 1) on
/// the 10 channels from the seed's stream jumped 2^64 draws).
#[inline(never)] // own stack frame: the board's stack reading after it is this scenario's
pub fn sorn<'a>(
    bufs: SornBuffers<'a>,
    counter: &mut impl Counter,
) -> Result<(SornReport, SornBuffers<'a>), ScenarioError> {
    const STEPS: u32 = 200;
    let mut net = Sorn::new(&SORN, 1, bufs)?;
    let mut inputs = NetRng::seed_from_u64(1);
    inputs.jump();
    let mut u = [0.0f32; SORN.nu as usize];
    let (mut digest, mut instructions) = (Fnv1a::new(), 0u32);
    for _ in 0..STEPS {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        let (done, n) = counter.count(|| net.step(&u));
        done?;
        instructions = instructions.saturating_add(n);
        digest.write_words(net.x().words().iter().chain(net.y().words()).copied());
    }
    let report = SornReport {
        steps: STEPS,
        ee: net.ee_count(),
        ei: net.ei_count(),
        digest: digest.finish(),
        step_instructions: instructions / STEPS,
    };
    Ok((report, net.into_buffers()))
}

/// What the `ctrnn` scenario printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CtrnnReport {
    /// Steps run.
    pub steps: u32,
    /// Bits of the last readout's first value.
    pub y0: u32,
    /// Digest of every step's state and readout bits.
    pub digest: u32,
    /// Mean instructions of a step.
    pub step_instructions: u32,
}

impl fmt::Display for CtrnnReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ctrnn steps={} y0={:#010x} digest={:#010x}", self.steps, self.y0, self.digest)
    }
}

/// The nn4n fixture's CTRNN, 100 steps of the input `(t mod 10) / 10, -0.3, 1`.
#[inline(never)] // own stack frame: the board's stack reading after it is this scenario's
pub fn ctrnn(counter: &mut impl Counter) -> Result<CtrnnReport, ScenarioError> {
    use ctrnn_fixture::{CONFIG, PARAMS};
    const STEPS: u32 = 100;
    let mut params = PARAMS;
    let net = Ctrnn::new(&CONFIG, &mut params[..])?;
    let mut state = [0.0f32; 2 * CONFIG.dims.hidden];
    let mut y = [0.0f32; CONFIG.dims.outputs];
    let (mut digest, mut instructions) = (Fnv1a::new(), 0u32);
    for t in 0..STEPS {
        let u = [(t % 10) as f32 * 0.1, -0.3, 1.0];
        let (done, n) = counter.count(|| net.step(&mut state, &u, &mut y, None));
        done?;
        instructions = instructions.saturating_add(n);
        digest.write_f32s(&state);
        digest.write_f32s(&y);
    }
    Ok(CtrnnReport {
        steps: STEPS,
        y0: y[0].to_bits(),
        digest: digest.finish(),
        step_instructions: instructions / STEPS,
    })
}

/// A policy whose acting (and learning) is counted.
pub struct Counted<'c, P, C> {
    inner: P,
    counter: &'c mut C,
    instructions: u32,
    steps: u32,
}

impl<'c, P, C> Counted<'c, P, C> {
    /// `inner`, counted by `counter`.
    pub fn new(inner: P, counter: &'c mut C) -> Self {
        Counted { inner, counter, instructions: 0, steps: 0 }
    }

    /// The policy.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    /// Mean instructions per step (acting and learning).
    pub fn mean(&self) -> u32 {
        self.instructions.checked_div(self.steps).unwrap_or(0)
    }
}

impl<P: Policy, C: Counter> Policy for Counted<'_, P, C> {
    type Error = P::Error;

    fn reset(&mut self, seed: u64) -> Result<(), P::Error> {
        self.inner.reset(seed)
    }

    fn act(&mut self, observation: &[f32]) -> Result<(), P::Error> {
        let inner = &mut self.inner;
        let (r, n) = self.counter.count(|| inner.act(observation));
        self.instructions = self.instructions.saturating_add(n);
        self.steps = self.steps.saturating_add(1);
        r
    }

    fn action(&self) -> Action<'_> {
        self.inner.action()
    }

    fn learn(&mut self, target: Action<'_>) -> Result<(), P::Error> {
        let inner = &mut self.inner;
        let (r, n) = self.counter.count(|| inner.learn(target));
        self.instructions = self.instructions.saturating_add(n);
        r
    }
}

/// What the `cartpole` scenario printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CartPoleReport {
    /// Steps of the episode.
    pub steps: u32,
    /// Its return.
    pub total: u32,
    /// [`TrajectoryDigest`] of the episode.
    pub digest: u32,
    /// Mean instructions of a controller step.
    pub step_instructions: u32,
}

impl fmt::Display for CartPoleReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cartpole steps={} return={} digest={:#010x}", self.steps, self.total, self.digest)
    }
}

/// A board's CTRNN controller.
type BoardCtrnn<'a> = CtrnnPolicy<&'a mut [f32], &'a mut [f32]>;
/// The scratch of the CartPole controller.
const CONTROLLER_SCRATCH: usize =
    BoardCtrnn::scratch_len(cartpole_controller::CONFIG.dims, neuroloop_core::env::Space::Discrete(2));

/// The CartPole controller over `params` and `scratch`.
fn controller<'a>(params: &'a mut [f32], scratch: &'a mut [f32]) -> Result<BoardCtrnn<'a>, ScenarioError> {
    use cartpole_controller::{CONFIG, V0};
    let net = Ctrnn::new(&CONFIG, params)?;
    Ok(CtrnnPolicy::new(net, &V0, CartPole::new().action_space(), scratch)?)
}

/// Closed loop: CartPole-v1 from reset seed 7 and the host-trained controller, one episode
/// (at most 500 steps).
#[inline(never)] // own stack frame: the board's stack reading after it is this scenario's
pub fn cartpole(counter: &mut impl Counter) -> Result<CartPoleReport, ScenarioError> {
    let (mut params, mut scratch) = (cartpole_controller::PARAMS, [0.0f32; CONTROLLER_SCRATCH]);
    let mut policy = Counted::new(controller(&mut params, &mut scratch)?, counter);
    let mut digest = TrajectoryDigest::default();
    let s = run_episode(&mut CartPole::new(), &mut policy, 7, &mut digest)?;
    Ok(CartPoleReport {
        steps: s.steps,
        total: s.total_reward as u32,
        digest: digest.finish(),
        step_instructions: policy.mean(),
    })
}

/// What the `sorn-rls` scenario printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SornRlsReport {
    /// Teacher episodes.
    pub episodes: u64,
    /// Learning steps in all.
    pub steps: u32,
    /// Digest of the learned readout weights.
    pub weights: u32,
    /// Digest of every learning step's spikes, the teacher's action and the action taken.
    pub digest: u32,
    /// Return of the episode the readout acts alone in.
    pub total: u32,
    /// Mean instructions of a learning step (reservoir step, readout, RLS update).
    pub step_instructions: u32,
}

impl fmt::Display for SornRlsReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "sorn_rls episodes={} steps={} weights={:#010x} digest={:#010x} return={}",
            self.episodes, self.steps, self.weights, self.digest, self.total
        )
    }
}

/// Digest of a learning step: the reservoir's spikes, the teacher's action, the action taken.
#[derive(Default)]
struct LearningDigest {
    digest: Fnv1a,
    steps: u32,
}

/// The board's reservoir (network buffers `'n`) with its learning readout (readout and scratch
/// buffers `'r`).
type BoardReservoir<'n, 'r> = Reservoir<&'n mut [f32], &'n mut [u16], &'n mut [u32], Rls<&'r mut [f32]>, &'r mut [f32]>;

impl<E: ?Sized, T: Policy, C> Observer<E, Imitation<T, Counted<'_, BoardReservoir<'_, '_>, C>>> for LearningDigest {
    fn step(&mut self, _env: &E, p: &Imitation<T, Counted<'_, BoardReservoir<'_, '_>, C>>, step: &Step<'_>) {
        self.digest.write_words(p.student().inner().network().x().words().iter().copied());
        for a in [p.teacher().action(), step.action] {
            if let Action::Discrete(k) = a {
                self.digest.write_u32(k as u32);
            }
        }
        self.steps += 1;
    }
}

/// A SORN reservoir whose readout learns online by RLS on the board, taught by the CartPole
/// controller (with 30 % random actions) for 6 episodes, then acting alone from reset seed 7.
#[inline(never)] // own stack frame: the board's stack reading after it is this scenario's
pub fn sorn_rls<'a>(
    bufs: SornBuffers<'a>,
    rls_buf: &mut [f32],
    counter: &mut impl Counter,
) -> Result<(SornRlsReport, SornBuffers<'a>), ScenarioError> {
    const CHANNELS: usize = CARTPOLE_CODE.channels();
    const SCRATCH: usize = BoardReservoir::scratch_len(CHANNELS, RLS.outputs);
    let (mut params, mut scratch) = (cartpole_controller::PARAMS, [0.0f32; CONTROLLER_SCRATCH]);
    let teacher = controller(&mut params, &mut scratch)?;
    let net = Sorn::new(&RESERVOIR, RLS_SEED, bufs)?;
    let readout = Rls::new(&RLS, rls_buf)?;
    let mut student_scratch = [0.0f32; SCRATCH];
    let units = ONLINE_READOUT.units as usize;
    let student = Reservoir::new(net, RLS_SEED, CARTPOLE_CODE, readout, units, &mut student_scratch[..])?;
    let actions = CartPole::new().action_space();
    let mut imitation = Imitation::new(
        teacher,
        Counted::new(student, counter),
        actions,
        ONLINE_READOUT.explore,
        RLS_SEED ^ EXPLORATION_SALT,
    );
    let mut env = CartPole::new();
    let mut learning = LearningDigest::default();
    for ep in 0..ONLINE_READOUT.episodes {
        run_episode(&mut env, &mut imitation, RLS_SEED.wrapping_add(ep), &mut learning)?;
    }
    let step_instructions = imitation.student().mean();
    let mut student = imitation.into_student().inner;
    let mut weights = Fnv1a::new();
    weights.write_f32s(student.readout().weights());
    // The readout alone, from a fresh reservoir.
    let s = run_episode(&mut env, &mut student, RLS_TEST_SEED, &mut ())?;
    let report = SornRlsReport {
        episodes: ONLINE_READOUT.episodes,
        steps: learning.steps,
        weights: weights.finish(),
        digest: learning.digest.finish(),
        total: s.total_reward as u32,
        step_instructions,
    };
    Ok((report, student.into_parts().0.into_buffers()))
}
