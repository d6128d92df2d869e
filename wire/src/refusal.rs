//! Why the board did not take a request. Small and `Copy`, with no floating-point payload: the
//! board only serializes it (formatting floats would cost it ~19 KB of flash); the host
//! formats it ([`core::fmt::Display`]) and, for a model or state the core refused, validates the
//! same bytes with the same core code to name the field.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::frame::FrameError;
use crate::message::Region;

/// Which part of a load, or of a step, the core refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Part {
    /// The CTRNN's sizes or parameters (`ctrnn::Ctrnn::new`).
    CtrnnModel,
    /// The SORN's config (`sorn::Config::validate`).
    SornConfig,
    /// The readout (sizes, weights, RLS settings).
    Readout,
    /// The observation code against the reservoir (channels must equal `nu`).
    Code,
    /// The environment's action space does not suit the policy.
    ActionSpace,
    /// Saved state that does not restore (`Sorn::restore`, `Rls::restore`).
    State,
    /// An observation the policy cannot take (width, NaN or infinity).
    Observation,
    /// A teaching target that does not fit the readout.
    Target,
    /// The readout gave NaN or infinity (the network diverged).
    Diverged,
}

/// A buffer of the board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Buffer {
    /// Network `f32`s.
    F32,
    /// SORN `u16`s.
    U16,
    /// SORN `u32`s.
    U32,
    /// Readout `f32`s.
    Readout,
}

/// Why a request was refused. The board's state is as it was before the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Refusal {
    /// The frame was damaged (its sequence number is unknown: the reply carries
    /// [`crate::NO_SEQ`]).
    Frame(FrameError),
    /// The frame is intact but not a request of this protocol version (an unknown message,
    /// a malformed one, or bytes after it).
    NotARequest,
    /// `Hello` from another protocol version.
    Version {
        /// The board's version.
        board: u16,
    },
    /// No policy is loaded (`Reset`, `Act`, `Teach`, state requests).
    NoPolicy,
    /// `Act` is needed first (`Teach` learns for the last action's state).
    NoAction,
    /// A `Chunk` or `Commit` without a `Begin`.
    NotLoading,
    /// A chunk at another offset than the bytes loaded so far.
    OutOfOrder {
        /// Bytes loaded so far.
        expected: u32,
        /// The chunk's offset.
        got: u32,
    },
    /// A chunk that cuts an element (an `f32`, `u16` or `u32`) of what it fills in two.
    Misaligned,
    /// More bytes than the load needs.
    Overrun {
        /// Bytes the load needs.
        needed: u32,
    },
    /// `Commit` before every byte arrived.
    Incomplete {
        /// Bytes the load needs.
        needed: u32,
        /// Bytes received.
        got: u32,
    },
    /// `Commit`'s CRC differs from the loaded bytes'.
    Checksum,
    /// The load does not fit the board's buffers.
    Capacity {
        /// Which buffer.
        buffer: Buffer,
        /// Elements needed.
        needed: u32,
        /// Elements the board has.
        capacity: u32,
    },
    /// The core refused it (see [`Part`]).
    Invalid(Part),
    /// The policy has no such state region, or the range is outside it.
    Region(Region),
    /// The policy cannot do this (`Teach` to a fixed readout).
    Unsupported,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::Frame(e) => write!(f, "damaged frame: {e}"),
            Refusal::NotARequest => f.write_str("not a request of this protocol version"),
            Refusal::Version { board } => {
                write!(f, "the board speaks protocol version {board}, the host {}", crate::VERSION)
            }
            Refusal::NoPolicy => f.write_str("no policy is loaded on the board"),
            Refusal::NoAction => f.write_str("teach needs an act first"),
            Refusal::NotLoading => f.write_str("chunk or commit without begin"),
            Refusal::OutOfOrder { expected, got } => {
                write!(f, "chunk at byte {got}, but {expected} bytes were loaded so far")
            }
            Refusal::Misaligned => f.write_str("chunk boundary inside an element (f32, u16 or u32)"),
            Refusal::Overrun { needed } => write!(f, "more bytes than the {needed} the load needs"),
            Refusal::Incomplete { needed, got } => write!(f, "commit after {got} of {needed} bytes"),
            Refusal::Checksum => f.write_str("the loaded bytes' CRC differs from commit's"),
            Refusal::Capacity { buffer, needed, capacity } => {
                write!(f, "needs {needed} {buffer:?} elements; the board has {capacity}")
            }
            Refusal::Invalid(part) => write!(f, "the board's core refused the {}", part.name()),
            Refusal::Region(r) => write!(f, "no such state range ({r:?}) in the current policy"),
            Refusal::Unsupported => f.write_str("the current policy cannot do this"),
        }
    }
}

impl Part {
    /// What it is, in words.
    pub const fn name(self) -> &'static str {
        match self {
            Part::CtrnnModel => "CTRNN model",
            Part::SornConfig => "SORN config",
            Part::Readout => "readout",
            Part::Code => "observation code",
            Part::ActionSpace => "action space",
            Part::State => "saved state",
            Part::Observation => "observation",
            Part::Target => "teaching target",
            Part::Diverged => "readout (NaN or infinite: the network diverged)",
        }
    }
}

impl core::error::Error for Refusal {}
