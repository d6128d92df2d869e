//! # neuroloop-wire
//!
//! The protocol between a PC and a neuroloop board over a serial link (a UART, USB CDC, or
//! QEMU's serial port): the PC runs the plant and the episode loop, the board runs the
//! policy, one request and one reply per control step.
//!
//! - [`frame`]: bytes on the wire: a message, its CRC-32, COBS, a zero byte.
//! - [`message`]: the requests and replies ([`Request`], [`Reply`]) in an [`Envelope`] with a
//!   sequence number; the protocol [`VERSION`].
//! - [`Refusal`]: why a board did not take a request (and took nothing of it).
//! - [`Codec`]: messages to frames and back with fixed buffers.
//!
//! `#![no_std]`, no allocation: the board's side ([`frame::FrameReader`], [`Codec`],
//! [`decode_request`]) works from fixed buffers; the host uses the same functions.
//!
//! ## Promises
//!
//! **No panics on any bytes.** Decoding never panics and never reads past its buffers:
//! damaged frames are [`frame::FrameError`]s, intact frames that are not a message of this
//! version are [`Refusal::NotARequest`] (`fuzz/fuzz_targets/wire_frames.rs` feeds the board's
//! whole request handling arbitrary bytes).
//!
//! **Stable bytes.** The examples in [`frame`] and [`codec`] pin the encoding byte for byte;
//! a change to them changes [`VERSION`] and is named in `CHANGELOG.md`.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
pub mod frame;
pub mod message;
mod refusal;

pub use codec::{Codec, decode_reply, decode_request};
/// The `heapless` the messages are built of (so both ends use the same version).
pub use heapless;
pub use message::{
    BoardInfo, CHUNK, Code, Cost, CostUnit, Envelope, Load, MAX_ACTION, MAX_OBS, NO_SEQ, ReadoutKind, Region,
    RegionInfo, Reply, Request, Stats, VERSION, WireAction,
};
pub use refusal::{Buffer, Part, Refusal};
