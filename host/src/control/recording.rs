//! Episode recording: an [`Observer`] that keeps every step's observation, action, reward and
//! plant state, exported as `.npy` (numpy) and CSV, and the input of [`super::render`].

use std::path::Path;

use anyhow::Context;
use neuroloop_core::env::{Action, Env, EnvId};
use neuroloop_core::episode::{Observer, Step};
use npyz::WriterBuilder;

/// One recorded episode. Step `t` (0-based) took `actions[t]` in `states[t]` /
/// `observations[t]`, earned `rewards[t]` and led to `states[t + 1]`.
///
/// ```
/// use neuroloop_core::env::EnvId;
/// use neuroloop_core::episode::run_episode;
/// use neuroloop_core::policy::Braitenberg;
/// use neuroloop_host::control::recording::EpisodeRecord;
/// let mut rec = EpisodeRecord::new(EnvId::DiffDrive, 3);
/// let s = run_episode(&mut EnvId::DiffDrive.make(), &mut Braitenberg::default(), 3, &mut rec)?;
/// assert_eq!(rec.len(), s.steps as usize);
/// assert_eq!(rec.states.len(), rec.len() + 1);
/// assert_eq!(rec.total_reward(), s.total_reward);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct EpisodeRecord {
    /// Environment.
    pub env: EnvId,
    /// Reset seed.
    pub seed: u64,
    /// `T + 1` observations (after reset, then after each step).
    pub observations: Vec<Vec<f32>>,
    /// `T + 1` plant states ([`Env::state`]: f64, the plant's own variables).
    pub states: Vec<Vec<f64>>,
    /// `T` actions (a discrete action as one value).
    pub actions: Vec<Vec<f32>>,
    /// `T` rewards.
    pub rewards: Vec<f64>,
    /// The episode ended by the task's own termination.
    pub terminated: bool,
    /// The episode ended at the time limit.
    pub truncated: bool,
}

impl EpisodeRecord {
    /// An empty record of an episode of `env` from reset seed `seed`, to be filled by
    /// [`neuroloop_core::episode::run_episode`].
    pub fn new(env: EnvId, seed: u64) -> Self {
        EpisodeRecord {
            env,
            seed,
            observations: Vec::new(),
            states: Vec::new(),
            actions: Vec::new(),
            rewards: Vec::new(),
            terminated: false,
            truncated: false,
        }
    }

    /// Steps taken.
    pub fn len(&self) -> usize {
        self.rewards.len()
    }

    /// True for an episode without steps.
    pub fn is_empty(&self) -> bool {
        self.rewards.is_empty()
    }

    /// Total reward.
    pub fn total_reward(&self) -> f64 {
        self.rewards.iter().sum()
    }

    /// Writes `observations.npy` `(T+1, obs_dim)` f32, `states.npy` `(T+1, state_dim)` f64,
    /// `actions.npy` `(T, action_dim)` f32 and `rewards.npy` `(T,)` f64 into `dir` (created).
    pub fn write_npy(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_matrix(&dir.join("observations.npy"), &self.observations)?;
        write_matrix(&dir.join("states.npy"), &self.states)?;
        write_matrix(&dir.join("actions.npy"), &self.actions)?;
        let f = std::io::BufWriter::new(std::fs::File::create(dir.join("rewards.npy"))?);
        let mut w =
            npyz::WriteOptions::new().default_dtype().shape(&[self.rewards.len() as u64]).writer(f).begin_nd()?;
        w.extend(self.rewards.iter().copied())?;
        w.finish()?;
        Ok(())
    }

    /// One CSV row per step: `t`, the observation before the step (`obs0..`), the action
    /// (`action0..`), `reward`, and `terminated`/`truncated` (1 on the last row when it ended so).
    pub fn write_csv(&self, path: &Path) -> anyhow::Result<()> {
        let od = self.observations.first().map_or(0, Vec::len);
        let ad = self.actions.first().map_or(0, Vec::len);
        let mut w = csv::Writer::from_path(path).with_context(|| format!("cannot write {}", path.display()))?;
        let mut header = vec!["t".to_string()];
        header.extend((0..od).map(|k| format!("obs{k}")));
        header.extend((0..ad).map(|k| format!("action{k}")));
        header.extend(["reward", "terminated", "truncated"].map(String::from));
        w.write_record(&header)?;
        for t in 0..self.len() {
            let last = t + 1 == self.len();
            let flag = |b: bool| u8::from(last && b).to_string();
            let mut row = vec![t.to_string()];
            row.extend(self.observations[t].iter().map(f32::to_string));
            row.extend(self.actions[t].iter().map(f32::to_string));
            row.extend([self.rewards[t].to_string(), flag(self.terminated), flag(self.truncated)]);
            w.write_record(&row)?;
        }
        w.flush().with_context(|| format!("cannot write {}", path.display()))
    }
}

/// The values of an action in a flat row (a discrete action as one value).
fn action_values(a: Action<'_>) -> Vec<f32> {
    match a {
        Action::Discrete(k) => vec![k as f32],
        Action::Continuous(v) => v.to_vec(),
    }
}

impl<E: Env + ?Sized, P: ?Sized> Observer<E, P> for EpisodeRecord {
    fn reset(&mut self, env: &E, _policy: &P) {
        self.observations = vec![env.observation().to_vec()];
        self.states = vec![env.state().to_vec()];
        self.actions.clear();
        self.rewards.clear();
        self.terminated = false;
        self.truncated = false;
    }

    fn step(&mut self, env: &E, _policy: &P, step: &Step<'_>) {
        self.actions.push(action_values(step.action));
        self.rewards.push(step.transition.reward);
        self.observations.push(env.observation().to_vec());
        self.states.push(env.state().to_vec());
        self.terminated = step.transition.terminated;
        self.truncated = step.transition.truncated;
    }
}

fn write_matrix<T: npyz::AutoSerialize + Copy>(path: &Path, rows: &[Vec<T>]) -> anyhow::Result<()> {
    let cols = rows.first().map_or(0, Vec::len);
    let f = std::io::BufWriter::new(std::fs::File::create(path).with_context(|| format!("{}", path.display()))?);
    let mut w =
        npyz::WriteOptions::new().default_dtype().shape(&[rows.len() as u64, cols as u64]).writer(f).begin_nd()?;
    w.extend(rows.iter().flatten().copied())?;
    w.finish()?;
    Ok(())
}
