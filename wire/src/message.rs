//! The messages: what the host asks ([`Request`]) and what the board answers ([`Reply`]),
//! each inside an [`Envelope`] whose sequence number the reply repeats.
//!
//! A conversation: `Hello` (the board says what it is and how much it holds), then a policy is
//! loaded (`Begin`, the bulk data in `Chunk`s in order, `Commit`), then each episode is a
//! `Reset` and one `Act` per control step (and a `Teach` after it when the board learns).
//! `StateInfo` and `GetState` read the policy's whole learning state; `Begin(Load::State)`
//! writes one back. `Stats` reports costs and refusals. Every request gets exactly one reply;
//! a request the board cannot take gets [`Reply::Refused`] and changes nothing.

use heapless::Vec;
use neuroloop_core::ctrnn::{Activation, Dims};
use neuroloop_core::env::EnvId;
use serde::{Deserialize, Serialize};

use crate::Refusal;

/// The protocol's version: a board answers `Hello` of another version with
/// [`Refusal::Version`]. Version 3: the SORN state regions of a reservoir whose config sets
/// `lambda_ie` hold E->I as lists (the core's `sorn::Layout`), no longer the dense matrix.
pub const VERSION: u16 = 3;

/// Most observation values a request carries (DiffDrive has 5, Acrobot 6).
pub const MAX_OBS: usize = 8;

/// Most values of a continuous action (DiffDrive has 2).
pub const MAX_ACTION: usize = 4;

/// Most data bytes in one `Chunk` or `State` message (128 `f32`s).
pub const CHUNK: usize = 512;

/// The sequence number of a reply to a frame whose own could not be read (damaged or not a
/// message). Hosts number requests below it.
pub const NO_SEQ: u16 = u16::MAX;

/// A message and its sequence number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// Chosen by the host, repeated in the reply.
    pub seq: u16,
    /// The message.
    pub body: T,
}

/// What the host asks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request<'a> {
    /// Who are you? (`version` is the host's [`VERSION`].)
    Hello {
        /// The host's protocol version.
        version: u16,
    },
    /// Starts loading: the current policy is dropped; `Chunk`s then fill the board's buffers
    /// in order and `Commit` checks and builds.
    Begin(Load),
    /// The next bytes of what is being loaded, at byte `offset` (the bytes so far).
    Chunk {
        /// Bytes already sent.
        offset: u32,
        /// At most [`CHUNK`] bytes.
        #[serde(borrow)]
        bytes: &'a [u8],
    },
    /// Ends a load: `crc` is the CRC-32 of all chunk bytes; the board validates everything
    /// exactly as the host does and builds the policy.
    Commit {
        /// CRC-32 ([`crate::frame::CRC`]) of the loaded bytes.
        crc: u32,
    },
    /// Starts an episode: the policy's `reset(seed)`.
    Reset {
        /// The episode's reset seed.
        seed: u64,
    },
    /// One control step: the observation in, the action out.
    Act {
        /// The plant's observation.
        observation: Vec<f32, MAX_OBS>,
    },
    /// Learn from `target` for the state of the last `Act` (RLS readouts).
    Teach {
        /// The action that should have been taken.
        target: WireAction,
    },
    /// What regions the current policy's learning state has, and their sizes.
    StateInfo,
    /// Bytes `offset .. offset + len` of a region (`len` at most [`CHUNK`]).
    GetState {
        /// Which region.
        region: Region,
        /// First byte.
        offset: u32,
        /// Bytes wanted.
        len: u16,
    },
    /// Costs and counts since the policy was loaded.
    Stats,
}

/// What a `Begin` loads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Load {
    /// A CTRNN controller for `env` (the board takes the action space from its own copy of the
    /// registry). Chunks: the core's parameter buffer ([`neuroloop_core::ctrnn::Layout`]), then
    /// `v0`, as little-endian `f32`s.
    Ctrnn {
        /// Sizes.
        dims: Dims,
        /// Nonlinearity.
        activation: Activation,
        /// The plant it controls.
        env: EnvId,
    },
    /// A frozen SORN reservoir (rebuilt from `seed` every episode) with a readout of
    /// excitatory units `0..units` and a bias, observations coded by `code`. Chunks: a fixed
    /// readout's weights (`outputs x (units + 1)` little-endian `f32`s); none for RLS.
    Reservoir {
        /// The network.
        config: neuroloop_core::sorn::Config,
        /// Its seed.
        seed: u64,
        /// The observation code.
        code: Code,
        /// Units read.
        units: u16,
        /// The plant it controls (discrete actions).
        env: EnvId,
        /// Fixed weights, or learning online.
        readout: ReadoutKind,
    },
    /// The whole learning state of the current policy, its regions in `StateInfo`'s order, as
    /// `GetState` gave them.
    State,
}

/// A thermometer observation code ([`neuroloop_core::policy::Thermometer`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Code {
    /// One scale per observation variable.
    pub scales: Vec<f32, MAX_OBS>,
    /// Channels per variable and sign.
    pub copies: u16,
    /// Input per unit of scaled magnitude.
    pub gain: f32,
}

/// How a reservoir's readout gets its weights.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum ReadoutKind {
    /// Loaded and fixed.
    Fixed,
    /// Learned on the board by RLS from `Teach` targets.
    Rls {
        /// `P(0) = I / delta`.
        delta: f32,
        /// Forgetting factor in `(0, 1]`.
        forgetting: f32,
    },
}

/// An action on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WireAction {
    /// Index into a discrete space.
    Discrete(u32),
    /// Values of a box.
    Continuous(Vec<f32, MAX_ACTION>),
}

/// A part of a policy's learning state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Region {
    /// A SORN's `f32` buffer (weights, thresholds, targets).
    SornF32,
    /// A SORN's `u16` buffer (synapse lists).
    SornU16,
    /// A SORN's `u32` buffer (offsets, spikes).
    SornU32,
    /// A SORN's scalars ([`neuroloop_core::sorn::Scalars`], postcard).
    SornScalars,
    /// An RLS readout's buffer (P, W, scratch).
    Rls,
    /// A CTRNN controller's state (`v` then `r`).
    CtrnnState,
}

/// A region and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// Which.
    pub region: Region,
    /// Bytes.
    pub bytes: u32,
}

/// What the board counts its costs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CostUnit {
    /// Instructions (QEMU with `-icount`).
    Instructions,
    /// Core clock cycles (a real board's cycle counter).
    Cycles,
    /// Not counted.
    None,
}

/// What a board is and holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardInfo<'a> {
    /// Its [`VERSION`].
    pub version: u16,
    /// Which board (e.g. `qemu-mps2-an386`, `stm32f411`).
    pub board: &'a str,
    /// The firmware's package version.
    pub firmware: &'a str,
    /// `f32`s of network storage (a SORN's `f32` buffer, or a CTRNN's parameters and state).
    pub f32_capacity: u32,
    /// `u16`s of SORN synapse lists.
    pub u16_capacity: u32,
    /// `u32`s of SORN offsets and spikes.
    pub u32_capacity: u32,
    /// `f32`s of readout storage (fixed weights or RLS).
    pub readout_capacity: u32,
    /// Largest payload the board takes ([`crate::frame::MAX_PAYLOAD`] of its build).
    pub max_payload: u16,
    /// What [`Stats`] costs count.
    pub cost_unit: CostUnit,
}

/// Costs of one kind of request: the last one and the mean.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// Requests counted.
    pub count: u32,
    /// The last one's cost.
    pub last: u32,
    /// Mean cost (rounded down).
    pub mean: u32,
}

/// Costs and counts since the policy was loaded (frames and bytes since start-up).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// What `act` and `teach` count.
    pub unit: CostUnit,
    /// `Act` requests (the policy's step).
    pub act: Cost,
    /// `Teach` requests (the readout's update).
    pub teach: Cost,
    /// Deepest stack use since start-up, bytes (0 if not measured).
    pub stack_bytes: u32,
    /// Bytes the stack may use.
    pub stack_room: u32,
    /// Frames answered.
    pub frames: u32,
    /// Frames refused (damaged, not a message, or not valid now).
    pub refused: u32,
    /// Bytes received.
    pub bytes_in: u32,
    /// Bytes sent.
    pub bytes_out: u32,
}

/// What the board answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply<'a> {
    /// To `Hello`.
    #[serde(borrow)]
    Hello(BoardInfo<'a>),
    /// Done (`Begin`, `Chunk`, `Commit`, `Reset`, `Teach`).
    Ok,
    /// To `Act`.
    Action(WireAction),
    /// To `StateInfo`.
    StateInfo(Vec<RegionInfo, 6>),
    /// To `GetState`.
    State {
        /// Bytes of the region from the asked offset.
        #[serde(borrow)]
        bytes: &'a [u8],
    },
    /// To `Stats`.
    Stats(Stats),
    /// The request was not taken; nothing changed.
    Refused(Refusal),
}
