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

use std::path::{Path, PathBuf};

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

/// Prepares `dir` for a new run: creates it, or, when it exists and is not empty, refuses
/// unless `force` is given and it is a run directory ([`read`] verifies its files agree),
/// whose files, the ones neuroloop writes, are then removed. Anything else in it stays; the
/// paths kept are returned.
pub fn prepare(dir: &Path, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut kept = Vec::new();
    if dir.exists() && !dir.is_dir() {
        bail!("--out {} is a file, not a directory: choose another --out", dir.display());
    }
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        if entries.next().is_some() {
            if !force {
                bail!(
                    "{} already exists and is not empty: choose another --out, or pass --force to overwrite a run directory",
                    dir.display()
                );
            }
            if let Err(e) = read(dir) {
                bail!("{} is not a run directory ({e:#}): refusing to overwrite it even with --force", dir.display());
            }
            remove_known(dir, &mut kept)?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(kept)
}

/// Removes the files neuroloop writes into a run directory (and the folders that are empty
/// afterwards); everything else is left and listed in `kept`.
fn remove_known(dir: &Path, kept: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let remove = |p: &Path| std::fs::remove_file(p).with_context(|| format!("cannot remove {}", p.display()));
    for name in [CONFIG, META, STATE, super::report::INITIAL] {
        let p = dir.join(name);
        if p.is_file() {
            remove(&p)?;
        }
    }
    let report_files = super::report::files();
    let recording_files = super::record::files();
    let sub = |path: PathBuf, known: &dyn Fn(&str) -> bool, kept: &mut Vec<PathBuf>| -> anyhow::Result<()> {
        for e in std::fs::read_dir(&path).with_context(|| format!("cannot read {}", path.display()))? {
            let p = e?.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            if p.is_file() && known(&name) { remove(&p)? } else { kept.push(p) }
        }
        let _ = std::fs::remove_dir(&path); // only when empty
        Ok(())
    };
    let report = dir.join("report");
    if report.is_dir() {
        sub(report, &|n| report_files.iter().any(|f| f == n), kept)?;
    }
    let recordings = dir.join("recordings");
    if recordings.is_dir() {
        for e in std::fs::read_dir(&recordings)? {
            let seg = e?.path();
            let is_segment = seg.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("seg-"));
            if seg.is_dir() && is_segment {
                sub(seg, &|n| recording_files.iter().any(|f| f == n), kept)?;
            } else {
                kept.push(seg);
            }
        }
        let _ = std::fs::remove_dir(&recordings);
    }
    Ok(())
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

/// Parses `run.json` and checks that its segments add up to `total_steps`.
pub fn parse_meta(text: &str) -> anyhow::Result<RunMeta> {
    let meta: RunMeta = crate::json::from_str(text)?;
    let sum = meta.segments.iter().try_fold(0u64, |acc, s| acc.checked_add(s.steps));
    if sum != Some(meta.total_steps) {
        bail!("total_steps {} is not the sum of its segments' steps", meta.total_steps);
    }
    Ok(meta)
}

/// Reads a run directory's metadata and final snapshot, and checks that they belong together:
/// the segments add up to `total_steps`, and the snapshot holds the seed, the step count and
/// the config (`config.toml`) that `run.json` and the directory say.
pub fn read(dir: &Path) -> anyhow::Result<(RunMeta, Snapshot)> {
    let meta_path = dir.join(META);
    let text = std::fs::read_to_string(&meta_path)
        .with_context(|| format!("{} is not a run directory: cannot read {}", dir.display(), meta_path.display()))?;
    let meta = parse_meta(&text).with_context(|| format!("{} is not valid", meta_path.display()))?;
    let snap =
        snapshot::load(&dir.join(STATE)).with_context(|| format!("cannot load {}", dir.join(STATE).display()))?;
    if snap.seed != meta.seed || snap.net.counters().steps != meta.total_steps {
        bail!(
            "{} (seed {}, {} steps) does not belong to {} (seed {}, {} steps)",
            STATE,
            snap.seed,
            snap.net.counters().steps,
            META,
            meta.seed,
            meta.total_steps
        );
    }
    let config = super::load_config(&dir.join(CONFIG))?;
    if config != *snap.net.config() {
        bail!("{} does not hold the config of {}", CONFIG, STATE);
    }
    Ok((meta, snap))
}
