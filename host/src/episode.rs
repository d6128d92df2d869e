//! Episode recording: every step's observation, action, reward and plant state of one episode,
//! exported as `.npy` (numpy) and CSV, and the input of [`crate::render`].

use std::path::Path;

use anyhow::Context;
use neuroloop_core::env::Action;
use npyz::WriterBuilder;

use crate::env::AnyEnv;

/// An owned action (what a policy returns).
#[derive(Clone, Debug, PartialEq)]
pub enum ActionBuf {
    /// A discrete action.
    Discrete(usize),
    /// Continuous action values.
    Continuous(Vec<f32>),
}

impl ActionBuf {
    /// The borrowed form environments take.
    pub fn as_action(&self) -> Action<'_> {
        match self {
            ActionBuf::Discrete(a) => Action::Discrete(*a),
            ActionBuf::Continuous(v) => Action::Continuous(v),
        }
    }

    fn values(&self) -> Vec<f32> {
        match self {
            ActionBuf::Discrete(a) => vec![*a as f32],
            ActionBuf::Continuous(v) => v.clone(),
        }
    }
}

/// One recorded episode. Step `t` (0-based) took `actions[t]` in `states[t]` /
/// `observations[t]`, earned `rewards[t]` and led to `states[t + 1]`.
#[derive(Clone, Debug, PartialEq)]
pub struct EpisodeRecord {
    /// Environment id.
    pub env: String,
    /// Reset seed.
    pub seed: u64,
    /// `T + 1` observations (after reset, then after each step).
    pub observations: Vec<Vec<f32>>,
    /// `T + 1` plant states (`AnyEnv::state`: f64, the plant's own variables).
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
        let mut s = String::from("t");
        (0..od).for_each(|k| s.push_str(&format!(",obs{k}")));
        (0..ad).for_each(|k| s.push_str(&format!(",action{k}")));
        s.push_str(",reward,terminated,truncated\n");
        for t in 0..self.len() {
            let last = t + 1 == self.len();
            s.push_str(&t.to_string());
            self.observations[t].iter().for_each(|v| s.push_str(&format!(",{v}")));
            self.actions[t].iter().for_each(|v| s.push_str(&format!(",{v}")));
            let flag = |b: bool| u8::from(last && b);
            s.push_str(&format!(",{},{},{}\n", self.rewards[t], flag(self.terminated), flag(self.truncated)));
        }
        std::fs::write(path, s).with_context(|| format!("cannot write {}", path.display()))
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

/// Runs one episode of `policy` in `env` from reset seed `seed` and records it.
///
/// ```
/// use neuroloop_host::env::AnyEnv;
/// use neuroloop_host::episode::{ActionBuf, record_episode};
/// let mut env = AnyEnv::new("CartPole-v1")?;
/// let ep = record_episode(&mut env, 3, |_obs| Ok(ActionBuf::Discrete(1)))?;
/// assert!(ep.terminated && ep.len() < 100);
/// assert_eq!(ep.states.len(), ep.len() + 1);
/// # Ok::<(), anyhow::Error>(())
/// ```
pub fn record_episode(
    env: &mut AnyEnv,
    seed: u64,
    mut policy: impl FnMut(&[f32]) -> anyhow::Result<ActionBuf>,
) -> anyhow::Result<EpisodeRecord> {
    let mut rec = EpisodeRecord {
        env: env.id().to_string(),
        seed,
        observations: vec![env.reset(seed)],
        states: vec![env.state()],
        actions: Vec::new(),
        rewards: Vec::new(),
        terminated: false,
        truncated: false,
    };
    loop {
        let obs = rec.observations.last().expect("at least the reset observation");
        let action = policy(obs)?;
        let t = env.step(action.as_action())?;
        rec.actions.push(action.values());
        rec.rewards.push(t.reward);
        rec.observations.push(env.observation());
        rec.states.push(env.state());
        if t.terminated || t.truncated {
            rec.terminated = t.terminated;
            rec.truncated = t.truncated;
            return Ok(rec);
        }
    }
}
