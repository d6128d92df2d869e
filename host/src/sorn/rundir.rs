//! Run directories: everything a recorded SORN run leaves behind, so it can be inspected,
//! reported on and resumed.
//!
//! | file | content |
//! |---|---|
//! | `config.toml` | the SORN config used (readable by `--config`) |
//! | `run.json` | [`RunMeta`]: version, seed, input, every segment's steps, mode and timing, the last summary |
//! | `state.nlsnap` | the final [`super::snapshot`] (network and input generator) |
//! | `initial.nlsnap` | the snapshot before the first step (the report replays from it) |
//! | `recordings/seg-NNN/` | what `--record` asked for, one folder per segment |
//! | `report/` | `neuroloop sorn report`'s figures and `index.html` |

use std::path::Path;

use anyhow::{Context, bail};
use neuroloop_core::sorn::{Freeze, Mode, Phase};
use serde::{Deserialize, Serialize};

use super::Summary;
use super::snapshot::{self, Snapshot};

/// File names inside a run directory.
pub const CONFIG: &str = "config.toml";
/// See [`RunMeta`].
pub const META: &str = "run.json";
/// The final snapshot.
pub const STATE: &str = "state.nlsnap";

/// One continuous stretch of steps (a run, or a resume).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Segment {
    /// Steps in this segment.
    pub steps: u64,
    /// `plasticity` or `training`.
    pub phase: Phase,
    /// Frozen rules (a list of names in the file).
    pub freeze: Freeze,
    /// Noise on.
    pub noise: bool,
    /// Wall time of the steps.
    pub elapsed_s: f64,
}

/// `run.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RunMeta {
    /// Version of neuroloop that wrote the directory.
    pub neuroloop_version: String,
    /// Seed of the network and its input.
    pub seed: u64,
    /// How the input was made.
    pub input: String,
    /// Steps over all segments.
    pub total_steps: u64,
    /// Every segment, oldest first.
    pub segments: Vec<Segment>,
    /// Summary of the last segment.
    pub last_summary: Summary,
}

/// A description of the README input, stored in `run.json`.
pub const INPUT_DESCRIPTION: &str =
    "uniform [0, 1) on every input channel, from the seed's xoshiro128++ stream jumped 2^64 draws";

impl Segment {
    /// The segment that `mode` ran for `summary`.
    pub fn new(mode: Mode, summary: &Summary) -> Segment {
        Segment {
            steps: summary.steps,
            phase: mode.phase,
            freeze: mode.freeze,
            noise: mode.noise,
            elapsed_s: summary.elapsed_s,
        }
    }

    /// The mode the segment ran in.
    pub fn mode(&self) -> Mode {
        Mode { phase: self.phase, freeze: self.freeze, noise: self.noise }
    }
}

/// Prepares `dir` for a new run: creates it, or, when it exists and is not empty, refuses unless
/// `force` is given and it is a run directory (has `run.json`), whose files are then removed.
pub fn prepare(dir: &Path, force: bool) -> anyhow::Result<()> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            if !force {
                bail!(
                    "{} already exists and is not empty: choose another --out, or pass --force to overwrite a run directory",
                    dir.display()
                );
            }
            if !dir.join(META).exists() {
                bail!(
                    "{} is not a run directory (no {META}): refusing to overwrite it even with --force",
                    dir.display()
                );
            }
            for name in [CONFIG, META, STATE, super::report::INITIAL] {
                let p = dir.join(name);
                if p.exists() {
                    std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
                }
            }
            for sub in ["recordings", "report"] {
                let p = dir.join(sub);
                if p.is_dir() {
                    std::fs::remove_dir_all(&p).with_context(|| format!("cannot remove {}", p.display()))?;
                }
            }
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

/// Writes the config, metadata and final snapshot of a run.
pub fn write(dir: &Path, meta: &RunMeta, snap: &Snapshot) -> anyhow::Result<()> {
    let cfg_text = toml::to_string(snap.net.config()).context("config to TOML")?;
    std::fs::write(dir.join(CONFIG), cfg_text)
        .with_context(|| format!("cannot write {}", dir.join(CONFIG).display()))?;
    snapshot::save(&dir.join(STATE), snap).with_context(|| format!("cannot write {}", dir.join(STATE).display()))?;
    let json = serde_json::to_string_pretty(meta)?;
    let tmp = dir.join("run.json.tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, dir.join(META))?;
    Ok(())
}

/// Reads a run directory's metadata and final snapshot.
pub fn read(dir: &Path) -> anyhow::Result<(RunMeta, Snapshot)> {
    let meta_path = dir.join(META);
    let text = std::fs::read_to_string(&meta_path)
        .with_context(|| format!("{} is not a run directory: cannot read {}", dir.display(), meta_path.display()))?;
    let meta: RunMeta =
        crate::json::from_str(&text).with_context(|| format!("{} is not valid", meta_path.display()))?;
    let snap =
        snapshot::load(&dir.join(STATE)).with_context(|| format!("cannot load {}", dir.join(STATE).display()))?;
    Ok((meta, snap))
}
