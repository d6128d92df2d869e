//! Messages to frames and back: postcard inside a [`frame`], with the buffers
//! for it owned by a [`Codec`] (no allocation; ~1.3 KB).
//!
//! ```
//! use neuroloop_wire::{Codec, Reply, Request};
//! let mut host = Codec::new();
//! let frame = host.request(7, &Request::Reset { seed: 3 })?.to_vec();
//! // postcard: seq 7, Reset (variant 4), seed 3 (varints); then CRC-32, COBS, zero
//! assert_eq!(frame, [0x08, 0x07, 0x04, 0x03, 0x29, 0x5b, 0x6b, 0x07, 0x00]);
//! let mut board = Codec::new();
//! let mut bytes = frame[..frame.len() - 1].to_vec();
//! let (seq, req) = neuroloop_wire::decode_request(&mut bytes)?;
//! assert_eq!((seq, req), (7, Request::Reset { seed: 3 }));
//! let reply = board.reply(seq, &Reply::Ok)?.to_vec();
//! let mut bytes = reply[..reply.len() - 1].to_vec();
//! assert_eq!(neuroloop_wire::decode_reply(&mut bytes)?, (7, Reply::Ok));
//! # Ok::<(), neuroloop_wire::Refusal>(())
//! ```

use serde::Serialize;

use crate::frame::{self, FrameError, MAX_FRAME, MAX_PAYLOAD};
use crate::message::{Envelope, Reply, Request};
use crate::refusal::Refusal;

/// Buffers to encode one message at a time.
#[derive(Clone, Debug)]
pub struct Codec {
    payload: [u8; MAX_PAYLOAD],
    frame: [u8; MAX_FRAME],
    len: usize,
}

impl Default for Codec {
    fn default() -> Self {
        Self::new()
    }
}

impl Codec {
    /// Empty buffers.
    pub const fn new() -> Self {
        Codec { payload: [0; MAX_PAYLOAD], frame: [0; MAX_FRAME], len: 0 }
    }

    fn encode<T: Serialize>(&mut self, seq: u16, body: &T) -> Result<&[u8], Refusal> {
        let used = postcard::to_slice(&Envelope { seq, body }, &mut self.payload)
            .map_err(|_| Refusal::Frame(FrameError::Buffer))?
            .len();
        self.len = frame::encode(&self.payload[..used], &mut self.frame).map_err(Refusal::Frame)?.len();
        Ok(&self.frame[..self.len])
    }

    /// The last frame encoded (empty before the first).
    pub fn last(&self) -> &[u8] {
        &self.frame[..self.len]
    }

    /// The frame of request `req` numbered `seq` (a message larger than
    /// [`MAX_PAYLOAD`] is `Refusal::Frame(FrameError::Buffer)`).
    pub fn request(&mut self, seq: u16, req: &Request<'_>) -> Result<&[u8], Refusal> {
        self.encode(seq, req)
    }

    /// The frame of reply `reply` to request `seq`.
    pub fn reply(&mut self, seq: u16, reply: &Reply<'_>) -> Result<&[u8], Refusal> {
        self.encode(seq, reply)
    }
}

/// Reads an envelope: the whole payload must be the message (no bytes after it).
fn envelope<'a, T: serde::Deserialize<'a>>(payload: &'a [u8]) -> Result<(u16, T), Refusal> {
    match postcard::take_from_bytes::<Envelope<T>>(payload) {
        Ok((e, [])) => Ok((e.seq, e.body)),
        _ => Err(Refusal::NotARequest),
    }
}

/// Decodes a request from a frame's bytes (without the zero; decoded in place).
pub fn decode_request(frame: &mut [u8]) -> Result<(u16, Request<'_>), Refusal> {
    envelope(frame::decode(frame).map_err(Refusal::Frame)?)
}

/// Decodes a reply from a frame's bytes (without the zero; decoded in place).
pub fn decode_reply(frame: &mut [u8]) -> Result<(u16, Reply<'_>), Refusal> {
    envelope(frame::decode(frame).map_err(Refusal::Frame)?)
}
