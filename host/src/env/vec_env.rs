//! Vectorised environments: `n` copies of one environment stepped together, gymnasium's
//! `SyncVectorEnv` contract with its default autoreset mode (`NextStep`, gymnasium 1.x), and
//! whole episodes of a policy on every copy in parallel.
//!
//! - `reset(seed)` resets copy `i` with seed `seed + i` and returns the `n x obs_dim`
//!   observations, row-major.
//! - `step(actions)` steps every copy. A copy whose episode ended at the previous step is reset
//!   instead (its action is ignored; reward 0, neither terminated nor truncated), as gymnasium's
//!   `NextStep` autoreset does. gymnasium reseeds nothing on autoreset; here the `k`-th
//!   autoreset of copy `i` uses seed `seed + i + n k`, so every episode has its own seed and a
//!   vectorised run is a pure function of `seed`.
//! - [`VecEnv::step_parallel`] steps the copies on rayon's threads; the results are the same
//!   bits as [`VecEnv::step`] (each copy is independent). The plants are so cheap that threads
//!   rarely pay: on the 2-core reference machine 64 copies of CartPole take 6.3 us a step
//!   sequentially and 18 us on rayon, 64 Acrobots 18.5 us and 27 us (`cargo bench --bench env
//!   -- vec_env`); it is there for expensive plants and many-core machines.
//! - [`VecEnv::run_episodes`] runs one whole episode on every copy (copy `i` from seed
//!   `seed + i`) through the core's [`run_episode`], in parallel: how the host evaluates a
//!   controller.

use anyhow::bail;
use neuroloop_core::env::{Action, AnyEnv, Env, EnvError, EnvId, Space};
use neuroloop_core::episode::{EpisodeSummary, Observer, run_episode};
use neuroloop_core::policy::Policy;
use rayon::prelude::*;

/// The actions of one vectorised step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Actions<'a> {
    /// One discrete action per copy.
    Discrete(&'a [usize]),
    /// `n x action_dim` values, row-major.
    Continuous(&'a [f32]),
}

/// What one vectorised step returned, copy by copy.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VecStep {
    /// `n x obs_dim` observations, row-major.
    pub observations: Vec<f32>,
    /// Rewards.
    pub rewards: Vec<f64>,
    /// The task's own end.
    pub terminated: Vec<bool>,
    /// The time limit.
    pub truncated: Vec<bool>,
}

#[derive(Clone, Debug)]
struct Slot {
    env: AnyEnv,
    needs_reset: bool,
    resets: u64,
}

/// `n` copies of one environment.
///
/// ```
/// use neuroloop_host::env::{Actions, EnvId, VecEnv};
/// let mut envs = VecEnv::new(EnvId::CartPole, 4)?;
/// let obs = envs.reset(10);
/// assert_eq!(obs.len(), 4 * 4);
/// let out = envs.step(Actions::Discrete(&[0, 1, 0, 1]))?;
/// assert_eq!(out.rewards, [1.0; 4]);
/// # Ok::<(), anyhow::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct VecEnv {
    copies: Vec<Slot>,
    seed: u64,
    obs_dim: usize,
    action_space: Space,
}

impl VecEnv {
    /// `n` (at least 1) copies of `id`.
    pub fn new(id: EnvId, n: usize) -> anyhow::Result<VecEnv> {
        if n == 0 {
            bail!("a vectorised environment needs at least one copy");
        }
        let env = id.make();
        let Space::Box { low, .. } = env.observation_space() else {
            bail!("{id}: discrete observations are not supported")
        };
        let (obs_dim, action_space) = (low.len(), env.action_space());
        let copies = vec![Slot { env, needs_reset: true, resets: 0 }; n];
        Ok(VecEnv { copies, seed: 0, obs_dim, action_space })
    }

    /// Number of copies.
    pub fn len(&self) -> usize {
        self.copies.len()
    }

    /// Always false (there is at least one copy).
    pub fn is_empty(&self) -> bool {
        self.copies.is_empty()
    }

    /// Values per observation.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// Resets copy `i` with seed `seed + i`; the `n x obs_dim` observations.
    pub fn reset(&mut self, seed: u64) -> Vec<f32> {
        self.seed = seed;
        let mut obs = Vec::with_capacity(self.len() * self.obs_dim);
        for (i, c) in self.copies.iter_mut().enumerate() {
            obs.extend_from_slice(c.env.reset(seed.wrapping_add(i as u64)));
            c.needs_reset = false;
            c.resets = 1;
        }
        obs
    }

    /// Steps every copy (sequentially). An error for actions of the wrong count or width,
    /// and for an action a copy refuses (which copy, and why); no copy has been stepped then.
    pub fn step(&mut self, actions: Actions<'_>) -> anyhow::Result<VecStep> {
        self.check(actions)?;
        let (n, seed) = (self.len() as u64, self.seed);
        let outs: Vec<_> = self.copies.iter_mut().enumerate().map(|(i, c)| step_copy(c, i, n, seed, actions)).collect();
        self.gather(outs)
    }

    /// As [`VecEnv::step`], the copies on rayon's threads; the same results.
    pub fn step_parallel(&mut self, actions: Actions<'_>) -> anyhow::Result<VecStep> {
        self.check(actions)?;
        let (n, seed) = (self.len() as u64, self.seed);
        let outs: Vec<_> =
            self.copies.par_iter_mut().enumerate().map(|(i, c)| step_copy(c, i, n, seed, actions)).collect();
        self.gather(outs)
    }

    /// One episode on every copy, in parallel: copy `i` runs the policy `make(i)` returns
    /// from reset seed `seed + i` through the core's [`run_episode`], shown to the observer
    /// `make` returns with it. Results in copy order; the first error stops nothing else but
    /// is returned.
    ///
    /// ```
    /// use neuroloop_core::policy::Braitenberg;
    /// use neuroloop_host::env::{EnvId, VecEnv};
    /// let mut envs = VecEnv::new(EnvId::DiffDrive, 8)?;
    /// let runs = envs.run_episodes(1, |_| Ok((Braitenberg::default(), ())))?;
    /// assert_eq!(runs.len(), 8);
    /// assert!(runs.iter().filter(|(s, _)| s.terminated).count() >= 6);
    /// # Ok::<(), anyhow::Error>(())
    /// ```
    pub fn run_episodes<P, O, F>(&mut self, seed: u64, make: F) -> anyhow::Result<Vec<(EpisodeSummary, O)>>
    where
        P: Policy,
        P::Error: std::fmt::Display,
        O: Observer<AnyEnv, P> + Send,
        F: Fn(usize) -> anyhow::Result<(P, O)> + Sync,
    {
        let runs: Vec<anyhow::Result<(EpisodeSummary, O)>> = self
            .copies
            .par_iter_mut()
            .enumerate()
            .map(|(i, c)| {
                let (mut policy, mut observer) = make(i)?;
                let s = run_episode(&mut c.env, &mut policy, seed.wrapping_add(i as u64), &mut observer)
                    .map_err(|e| anyhow::anyhow!("episode {i} (reset seed {}): {e}", seed.wrapping_add(i as u64)))?;
                c.needs_reset = true;
                Ok((s, observer))
            })
            .collect();
        runs.into_iter().collect()
    }

    /// Validates the actions' shape and values before any copy moves.
    fn check(&self, actions: Actions<'_>) -> anyhow::Result<()> {
        if self.copies.iter().any(|c| c.resets == 0) {
            bail!("call reset before step");
        }
        let n = self.len();
        match (actions, self.action_space) {
            (Actions::Discrete(a), Space::Discrete(k)) => {
                if a.len() != n {
                    bail!("{} actions for {n} copies", a.len());
                }
                if let Some((i, &v)) = a.iter().enumerate().find(|(_, v)| **v >= k) {
                    bail!("copy {i}: {}", EnvError::ActionOutOfRange { action: v, n: k });
                }
            }
            (Actions::Continuous(a), Space::Box { low, .. }) => {
                let dim = low.len();
                if a.len() != n * dim {
                    bail!("{} action values for {n} copies of {dim}", a.len());
                }
                if let Some(i) = a.iter().position(|v| !v.is_finite()) {
                    bail!("copy {}: action value {} is not finite", i / dim, i % dim);
                }
                // values outside the box are clipped by the plant, as gymnasium's are
            }
            (Actions::Discrete(_), Space::Box { .. }) => bail!("this environment takes continuous actions"),
            (Actions::Continuous(_), Space::Discrete(_)) => bail!("this environment takes discrete actions"),
        }
        Ok(())
    }

    fn gather(&self, outs: Vec<Result<Transitioned, EnvError>>) -> anyhow::Result<VecStep> {
        let n = outs.len();
        let mut s = VecStep {
            observations: Vec::with_capacity(n * self.obs_dim),
            rewards: Vec::with_capacity(n),
            terminated: Vec::with_capacity(n),
            truncated: Vec::with_capacity(n),
        };
        for (i, o) in outs.into_iter().enumerate() {
            let (r, term, trunc) = o.map_err(|e| anyhow::anyhow!("copy {i}: {e}"))?;
            s.observations.extend_from_slice(self.copies[i].env.observation());
            s.rewards.push(r);
            s.terminated.push(term);
            s.truncated.push(trunc);
        }
        Ok(s)
    }
}

/// One copy's reward, terminated and truncated (its observation stays in the copy).
type Transitioned = (f64, bool, bool);

/// One copy's step (or its autoreset).
fn step_copy(c: &mut Slot, i: usize, n: u64, seed: u64, actions: Actions<'_>) -> Result<Transitioned, EnvError> {
    if c.needs_reset {
        let s = seed.wrapping_add(i as u64).wrapping_add(n.wrapping_mul(c.resets));
        c.resets += 1;
        c.needs_reset = false;
        c.env.reset(s);
        return Ok((0.0, false, false));
    }
    let t = match actions {
        Actions::Discrete(a) => c.env.step(Action::Discrete(a[i]))?,
        Actions::Continuous(a) => {
            let dim = a.len() / n as usize;
            c.env.step(Action::Continuous(&a[i * dim..(i + 1) * dim]))?
        }
    };
    c.needs_reset = t.done();
    Ok((t.reward, t.terminated, t.truncated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_follow_single_environments_and_autoreset_next_step() {
        let n = 3;
        let mut v = VecEnv::new(EnvId::CartPole, n).unwrap();
        let obs = v.reset(5);
        let mut singles: Vec<AnyEnv> = (0..n).map(|_| EnvId::CartPole.make()).collect();
        for (i, e) in singles.iter_mut().enumerate() {
            assert_eq!(e.reset(5 + i as u64), &obs[i * 4..(i + 1) * 4]);
        }
        // Always push right: every copy falls within ~10-60 steps.
        let mut ended = vec![None; n];
        for t in 0..200 {
            let out = v.step(Actions::Discrete(&[1; 3])).unwrap();
            for i in 0..n {
                match ended[i] {
                    None => {
                        let s = singles[i].step(Action::Discrete(1)).unwrap();
                        assert_eq!(out.rewards[i], s.reward);
                        assert_eq!(&out.observations[i * 4..(i + 1) * 4], singles[i].observation());
                        if s.terminated {
                            ended[i] = Some(t);
                        }
                    }
                    Some(te) if te + 1 == t => {
                        // the autoreset step: seed 5 + i + n, reward 0, action ignored
                        let mut fresh = EnvId::CartPole.make();
                        assert_eq!(&out.observations[i * 4..(i + 1) * 4], fresh.reset(5 + i as u64 + n as u64));
                        assert_eq!((out.rewards[i], out.terminated[i], out.truncated[i]), (0.0, false, false));
                    }
                    Some(_) => {}
                }
            }
        }
        assert!(ended.iter().all(Option::is_some));
    }

    #[test]
    fn parallel_steps_equal_sequential_steps() {
        let mut a = VecEnv::new(EnvId::Acrobot, 8).unwrap();
        let mut b = a.clone();
        assert_eq!(a.reset(1), b.reset(1));
        for t in 0..600 {
            let acts: Vec<usize> = (0..8).map(|i| (i + t) % 3).collect();
            assert_eq!(a.step(Actions::Discrete(&acts)).unwrap(), b.step_parallel(Actions::Discrete(&acts)).unwrap());
        }
    }

    #[test]
    fn bad_actions_are_refused_before_any_copy_moves() {
        let mut v = VecEnv::new(EnvId::Pendulum, 2).unwrap();
        assert!(v.step(Actions::Continuous(&[0.0, 0.0])).unwrap_err().to_string().contains("reset"));
        v.reset(0);
        let before = v.clone();
        assert!(v.step(Actions::Continuous(&[0.0])).unwrap_err().to_string().contains("1 action values for 2"));
        assert!(v.step(Actions::Continuous(&[0.0, f32::NAN])).unwrap_err().to_string().contains("copy 1"));
        assert!(v.step(Actions::Discrete(&[0, 1])).unwrap_err().to_string().contains("continuous"));
        assert_eq!(format!("{:?}", v.copies), format!("{:?}", before.copies));
        let mut d = VecEnv::new(EnvId::CartPole, 2).unwrap();
        d.reset(0);
        assert!(d.step(Actions::Discrete(&[0, 2])).unwrap_err().to_string().contains("copy 1"));
        assert!(VecEnv::new(EnvId::CartPole, 0).is_err());
    }
}
