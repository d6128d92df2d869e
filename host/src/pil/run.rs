//! What `neuroloop pil` runs: episodes of the board's policy with the plant on the PC, and a
//! reservoir whose readout learns on the board from a teacher on the PC.

use neuroloop_core::env::{Env, EnvId};
use neuroloop_core::episode::{EpisodeSummary, TrajectoryDigest, run_episode};
use neuroloop_core::policy::Imitation;
use neuroloop_core::presets::EXPLORATION_SALT;
use neuroloop_core::rls::{self, Rls};
use neuroloop_wire::Region;

use super::client::bytes_f32;
use super::{BoardPolicy, Client, Link, OnHost, PilError};
use crate::control::sorn_controller::{RlsOptions, SornController};
use crate::control::{ReturnStats, runs_digest};
use crate::ctrnn::Model;

/// Episodes run against a board.
#[derive(Clone, Debug, PartialEq)]
pub struct BoardEpisodes {
    /// Returns, as `neuroloop eval` reports them.
    pub returns: ReturnStats,
    /// Every episode's [`TrajectoryDigest`], in seed order, digested ([`runs_digest`]).
    pub digest: u32,
    /// Control steps.
    pub steps: u64,
    /// Bytes on the wire (both ways) during the episodes.
    pub bytes: u64,
}

/// Runs `episodes` episodes (reset seeds `seed, seed + 1, ...`) of the board's policy in
/// `env`; `progress` is told after each.
pub fn run_episodes<L: Link>(
    client: &mut Client<L>,
    env: EnvId,
    episodes: u64,
    seed: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<BoardEpisodes, PilError> {
    let bytes0 = client.bytes_sent + client.bytes_received;
    let mut plant = env.make();
    let mut runs: Vec<EpisodeSummary> = Vec::new();
    let mut digests = Vec::new();
    for i in 0..episodes {
        let mut digest = TrajectoryDigest::default();
        let s =
            run_episode(&mut plant, &mut BoardPolicy::new(client), seed.wrapping_add(i), &mut digest).map_err(|e| {
                match e {
                    neuroloop_core::episode::EpisodeError::Policy(p) => p,
                    neuroloop_core::episode::EpisodeError::Env(e) => {
                        PilError::Unexpected(format!("the plant refused: {e}"))
                    }
                }
            })?;
        runs.push(s);
        digests.push(digest.finish());
        progress(i + 1);
    }
    Ok(BoardEpisodes {
        returns: ReturnStats::of(&runs),
        digest: runs_digest(digests),
        steps: runs.iter().map(|r| u64::from(r.steps)).sum(),
        bytes: client.bytes_sent + client.bytes_received - bytes0,
    })
}

/// Loads an empty RLS reservoir (the settings of `neuroloop train --controller sorn --readout
/// rls`), teaches it on the board for `o.episodes` episodes while `teacher` acts on the PC
/// (with a fraction `o.explore` of random actions), fetches the learned state and returns the
/// controller with the board's weights: the same loop as the host's
/// [`train_sorn_rls`](crate::control::sorn_controller::train_sorn_rls), one side on each
/// machine.
pub fn learn_rls<L: Link>(
    client: &mut Client<L>,
    teacher: &Model,
    env: EnvId,
    seed: u64,
    o: &RlsOptions,
    progress: &mut dyn FnMut(u64),
) -> anyhow::Result<SornController> {
    let mut ctl = SornController::blank(env, seed, o.units, "rls on the board")?;
    client.load_reservoir(&ctl, Some((o.delta, o.forgetting)))?;
    let mut plant = env.make();
    let space = plant.action_space();
    let tutor = OnHost(teacher.policy(space)?);
    let mut imitation = Imitation::new(tutor, BoardPolicy::new(client), space, o.explore, seed ^ EXPLORATION_SALT);
    for ep in 0..o.episodes {
        run_episode(&mut plant, &mut imitation, seed.wrapping_add(ep), &mut ())
            .map_err(|e| anyhow::anyhow!("teacher episode {ep}: {e}"))?;
        progress(ep + 1);
    }
    let weights = fetch_rls_weights(client, &ctl, o)?;
    let units = ctl.readout_units();
    for (row, w) in ctl.readout.iter_mut().zip(weights.chunks_exact(units + 1)) {
        row.copy_from_slice(w);
    }
    Ok(ctl)
}

/// The weights of the board's RLS readout (checked as a restore on the PC checks them).
pub fn fetch_rls_weights<L: Link>(
    client: &mut Client<L>,
    ctl: &SornController,
    o: &RlsOptions,
) -> anyhow::Result<Vec<f32>> {
    let state = client.get_state()?;
    let bytes = state
        .iter()
        .find(|(r, _)| *r == Region::Rls)
        .map(|(_, b)| b)
        .ok_or_else(|| anyhow::anyhow!("the board's policy has no RLS readout"))?;
    let units = ctl.readout_units();
    let cfg = rls::Config { features: units + 1, outputs: ctl.readout.len(), delta: o.delta, forgetting: o.forgetting };
    let r = Rls::restore(&cfg, bytes_f32(bytes)).map_err(|e| anyhow::anyhow!("the board's RLS state: {e}"))?;
    Ok(r.weights().to_vec())
}
