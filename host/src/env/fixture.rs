//! Replays of gymnasium fixtures (`neuroloop-env-fixture`, version 1; `neuroloop env check`):
//! every episode from its recorded initial state, the recorded actions in order, compared step
//! by step with gymnasium's observations, states, rewards and terminations.

use anyhow::{Context, bail};
use neuroloop_core::env::{Action, Env, EnvId};
use serde::Deserialize;

use crate::json;

/// A fixture file (unknown keys, such as the recording's package versions, are allowed).
#[derive(Clone, Debug, Deserialize)]
struct FixtureFile {
    format: String,
    version: u32,
    env: EnvId,
    episodes: Vec<FixtureEpisode>,
}

#[derive(Clone, Debug, Deserialize)]
struct FixtureEpisode {
    initial_state: Vec<f64>,
    steps: Vec<FixtureStep>,
}

#[derive(Clone, Debug, Deserialize)]
struct FixtureStep {
    action: FixtureAction,
    obs: Vec<f64>,
    reward: f64,
    terminated: bool,
    state: Vec<f64>,
}

/// An integer for a discrete action space, a list of float32 values for a box.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged, expecting = "an action: a non-negative integer (discrete) or a list of numbers (box)")]
enum FixtureAction {
    Discrete(u64),
    Continuous(Vec<f32>),
}

/// Result of replaying an environment fixture.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvReport {
    /// Environment.
    pub env: EnvId,
    /// Episodes replayed.
    pub episodes: usize,
    /// Steps replayed.
    pub steps: usize,
    /// Largest |difference| of the internal state.
    pub max_state_diff: f64,
    /// Largest |difference| of the observation.
    pub max_obs_diff: f64,
    /// Steps whose reward or terminated flag differ (must be 0).
    pub mismatches: usize,
}

impl EnvReport {
    /// The replay tolerance of the spec for state and observation.
    pub const TOLERANCE: f64 = 1e-6;

    /// True when within tolerance and rewards/terminations are exact.
    pub fn passes(&self) -> bool {
        self.max_state_diff <= Self::TOLERANCE && self.max_obs_diff <= Self::TOLERANCE && self.mismatches == 0
    }
}

/// The largest of `acc` and `ds`; NaN if any is NaN (a replay that produces NaN fails).
fn nan_max(acc: f64, ds: impl Iterator<Item = f64>) -> f64 {
    ds.fold(acc, |m, d| if d.is_nan() || m.is_nan() { f64::NAN } else { m.max(d) })
}

/// Replays a `neuroloop-env-fixture` (JSON text): each episode from its initial state, the
/// listed actions in order. The time limit does not apply (the spec: episodes end at
/// termination or at their length).
pub fn check_env_fixture(text: &str) -> anyhow::Result<EnvReport> {
    let file: FixtureFile = json::from_str(text)?;
    if file.format != "neuroloop-env-fixture" {
        bail!("format is {:?}: must be \"neuroloop-env-fixture\"", file.format);
    }
    if file.version != 1 {
        bail!("version is {}: this build reads version 1", file.version);
    }
    if file.episodes.is_empty() || file.episodes.iter().any(|e| e.steps.is_empty()) {
        bail!("the fixture replays nothing: it needs at least one episode of at least one step");
    }
    let mut env = file.env.make();
    let (mut ds, mut dobs, mut mism, mut steps) = (0.0f64, 0.0f64, 0usize, 0usize);
    for (k, ep) in file.episodes.iter().enumerate() {
        env.set_state(&ep.initial_state).with_context(|| format!("episodes[{k}].initial_state"))?;
        for (t, st) in ep.steps.iter().enumerate() {
            let at = || format!("episodes[{k}].steps[{t}]");
            let action = match &st.action {
                FixtureAction::Discrete(a) => Action::Discrete(usize::try_from(*a).unwrap_or(usize::MAX)),
                FixtureAction::Continuous(v) => Action::Continuous(v),
            };
            let tr = env.step(action).with_context(at)?;
            let (o, s) = (env.observation(), env.state());
            if st.obs.len() != o.len() || st.state.len() != s.len() {
                bail!("{}: observation or state has the wrong length", at());
            }
            dobs = nan_max(dobs, o.iter().zip(&st.obs).map(|(a, b)| (f64::from(*a) - b).abs()));
            ds = nan_max(ds, s.iter().zip(&st.state).map(|(a, b)| (a - b).abs()));
            // A NaN reward never equals the recorded one: counted as a mismatch.
            if tr.reward != st.reward || tr.terminated != st.terminated {
                mism += 1;
            }
            steps += 1;
            if tr.truncated {
                // The fixture runs past the registered time limit: continue from here.
                let here = env.state().to_vec();
                env.set_state(&here).with_context(at)?;
            }
        }
    }
    Ok(EnvReport {
        env: file.env,
        episodes: file.episodes.len(),
        steps,
        max_state_diff: ds,
        max_obs_diff: dobs,
        mismatches: mism,
    })
}
