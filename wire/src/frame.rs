//! Frames: a message's bytes and their CRC-32 (little-endian), COBS-encoded, then one zero
//! byte. COBS leaves no zero inside a frame, so a receiver that lost bytes finds the next
//! frame at the next zero; the CRC refuses a frame whose bytes changed on the way.
//!
//! ```
//! use neuroloop_wire::frame::{self, MAX_FRAME};
//! let mut out = [0u8; MAX_FRAME];
//! let f = frame::encode(&[0x01, 0x00, 0x02], &mut out)?;
//! // COBS of 01 00 02 and its CRC-32 (09 d2 8d 10, little-endian), then the terminating
//! // zero (the same bytes as Python's zlib.crc32 and a textbook COBS give)
//! assert_eq!(f, &[0x02, 0x01, 0x06, 0x02, 0x09, 0xd2, 0x8d, 0x10, 0x00]);
//! let mut received = f[..f.len() - 1].to_vec();
//! assert_eq!(frame::decode(&mut received)?, &[0x01, 0x00, 0x02]);
//! # Ok::<(), neuroloop_wire::frame::FrameError>(())
//! ```

use core::fmt;

use serde::{Deserialize, Serialize};

/// The checksum: CRC-32 (ISO-HDLC, the one of zip and Ethernet). A `static`, so running
/// digests (`CRC.digest()`) can be kept.
pub static CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// Largest payload (a message's bytes, before the CRC and COBS) a frame may carry.
pub const MAX_PAYLOAD: usize = 640;

/// Largest frame on the wire, the terminating zero included.
pub const MAX_FRAME: usize = cobs::max_encoding_length(MAX_PAYLOAD + 4) + 1;

/// Why bytes are not a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum FrameError {
    /// More than [`MAX_FRAME`] bytes came before a zero (they were dropped).
    Oversized,
    /// Not valid COBS.
    Cobs,
    /// Too short to hold a CRC.
    Short,
    /// The CRC does not match: a byte changed on the way.
    Crc,
    /// The output buffer is too small for the frame (encoding only).
    Buffer,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FrameError::Oversized => "frame longer than the largest allowed",
            FrameError::Cobs => "frame is not valid COBS",
            FrameError::Short => "frame too short to hold its checksum",
            FrameError::Crc => "frame checksum does not match (a byte changed on the way)",
            FrameError::Buffer => "output buffer too small for the frame",
        })
    }
}

impl core::error::Error for FrameError {}

/// Encodes `payload` as one frame into `out` and returns the frame's bytes (the zero
/// included). `out` of [`MAX_FRAME`] bytes holds any payload of up to [`MAX_PAYLOAD`].
pub fn encode<'a>(payload: &[u8], out: &'a mut [u8]) -> Result<&'a [u8], FrameError> {
    if payload.len() > MAX_PAYLOAD {
        return Err(FrameError::Buffer);
    }
    let crc = CRC.checksum(payload).to_le_bytes();
    let mut enc = cobs::CobsEncoder::new(out);
    enc.push(payload).map_err(|_| FrameError::Buffer)?;
    enc.push(&crc).map_err(|_| FrameError::Buffer)?;
    let n = enc.finalize();
    let zero = out.get_mut(n).ok_or(FrameError::Buffer)?;
    *zero = 0;
    Ok(&out[..=n])
}

/// Decodes a frame's bytes (without its terminating zero) in place and returns the payload.
pub fn decode(frame: &mut [u8]) -> Result<&[u8], FrameError> {
    let n = cobs::decode_in_place(frame).map_err(|_| FrameError::Cobs)?;
    let decoded = frame.get(..n).ok_or(FrameError::Cobs)?;
    if n < 4 {
        return Err(FrameError::Short);
    }
    let (payload, crc) = decoded.split_at(n - 4);
    if CRC.checksum(payload).to_le_bytes() != crc {
        return Err(FrameError::Crc);
    }
    Ok(payload)
}

/// Collects bytes from a link into frames, in a buffer of `N` bytes (at least [`MAX_FRAME`]).
///
/// ```
/// use neuroloop_wire::frame::{FrameError, FrameReader};
/// let mut r = FrameReader::<8>::new();
/// // A stray zero is no frame; bytes then a zero are one.
/// assert!(r.push(0).is_none());
/// for b in [0x02, 0x01] {
///     assert!(r.push(b).is_none());
/// }
/// assert_eq!(r.push(0).unwrap().unwrap(), &[0x02, 0x01]);
/// // Too many bytes before a zero: dropped, and said so at the zero.
/// for _ in 0..9 {
///     r.push(7);
/// }
/// assert_eq!(r.push(0).unwrap().unwrap_err(), FrameError::Oversized);
/// ```
#[derive(Clone, Debug)]
pub struct FrameReader<const N: usize> {
    buf: [u8; N],
    len: usize,
    overflow: bool,
}

impl<const N: usize> Default for FrameReader<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> FrameReader<N> {
    /// An empty reader.
    pub const fn new() -> Self {
        FrameReader { buf: [0; N], len: 0, overflow: false }
    }

    /// Takes one byte. At a zero byte that ends a frame, returns the frame's bytes (still
    /// COBS-encoded: [`decode`] them), or [`FrameError::Oversized`] if more than `N` bytes came
    /// since the last zero. A zero with nothing before it is no frame (a sender may send one to
    /// mark a clean start).
    pub fn push(&mut self, byte: u8) -> Option<Result<&mut [u8], FrameError>> {
        if byte != 0 {
            match self.buf.get_mut(self.len) {
                Some(slot) => {
                    *slot = byte;
                    self.len += 1;
                }
                None => self.overflow = true,
            }
            return None;
        }
        let (len, overflow) = (self.len, self.overflow);
        self.len = 0;
        self.overflow = false;
        if overflow {
            return Some(Err(FrameError::Oversized));
        }
        if len == 0 {
            return None;
        }
        Some(Ok(&mut self.buf[..len]))
    }

    /// Bytes held of an unfinished frame.
    pub fn pending(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_payload_length_round_trips() {
        let mut out = [0u8; MAX_FRAME];
        let mut payload = [0u8; MAX_PAYLOAD];
        for (i, b) in payload.iter_mut().enumerate() {
            *b = (i % 7) as u8; // zeros in every run
        }
        for n in 0..=MAX_PAYLOAD {
            let f = encode(&payload[..n], &mut out).unwrap().to_vec();
            assert_eq!(f.last(), Some(&0));
            assert!(!f[..f.len() - 1].contains(&0), "no zero inside a frame");
            let mut r = FrameReader::<MAX_FRAME>::new();
            let (last, body) = f.split_last().unwrap();
            assert!(body.iter().all(|&b| r.push(b).is_none()));
            let mut got = r.push(*last).unwrap().unwrap().to_vec();
            assert_eq!(decode(&mut got).unwrap(), &payload[..n]);
        }
        assert_eq!(encode(&[0; MAX_PAYLOAD + 1], &mut out), Err(FrameError::Buffer));
        assert_eq!(encode(&[1, 2, 3], &mut [0u8; 4]), Err(FrameError::Buffer));
    }

    #[test]
    fn damaged_frames_are_refused() {
        let mut out = [0u8; MAX_FRAME];
        let f = encode(b"neuroloop", &mut out).unwrap().to_vec();
        let body = &f[..f.len() - 1];
        for bit in 0..body.len() * 8 {
            let mut b = body.to_vec();
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(decode(&mut b).is_err(), "bit {bit}");
        }
        for n in 0..body.len() {
            let mut b = body[..n].to_vec();
            assert!(decode(&mut b).is_err(), "truncated to {n}");
        }
        assert_eq!(decode(&mut [0x02, 0x01]), Err(FrameError::Short));
        assert_eq!(decode(&mut [0x05, 0x01]), Err(FrameError::Cobs));
    }
}
