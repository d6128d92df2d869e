//! SORN snapshots: the whole state of a network (config, weights, thresholds, activity, random
//! generator, step count) in one versioned, checksummed binary file.
//!
//! # Format, version 1
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `\x89NLSNAP\n` (the high byte and the newline catch text-mode mangling) |
//! | 8..12 | format version, `u32` little-endian (1) |
//! | 12..20 | payload length `n`, `u64` little-endian |
//! | 20..20+n | payload: [`postcard`] encoding of the config, the core's `Scalars`, the seed, the optional input-generator state and the network's three buffers |
//! | 20+n..24+n | CRC-32 (ISO-HDLC, as zip and PNG) of bytes `0..20+n`, little-endian |
//!
//! Reading checks, in order: length, magic, version, declared length, checksum, decoding, and
//! finally every array of the network ([`neuroloop_core::sorn::Sorn::restore`]). Each failure is
//! a [`SnapshotError`] variant; nothing panics on any file content.

use std::path::Path;

use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{Buffers, Config, Counters, InitReport, Mode, RestoreError, Scalars, Sorn};
use serde::{Deserialize, Serialize};

use crate::sorn::HostSorn;

/// The file's first eight bytes.
pub const MAGIC: [u8; 8] = *b"\x89NLSNAP\n";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
const HEADER: usize = 20;
const CRC: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISO_HDLC);

/// A network and what is needed to continue its run exactly.
#[derive(Clone, Debug)]
pub struct Snapshot {
    /// The network.
    pub net: HostSorn,
    /// The seed it was built from (informational).
    pub seed: u64,
    /// The state of the generator of its random input, when the run used one.
    pub input_rng: Option<NetRng>,
}

#[derive(Serialize, Deserialize)]
struct PayloadV1 {
    config: Config,
    seed: u64,
    rng: [u8; 16],
    cur: u8,
    ee_count: u32,
    ei_count: u32,
    counters: [u64; 6],
    init: [u32; 2],
    mode: [u8; 2],
    input_rng: Option<[u8; 16]>,
    f32s: Vec<f32>,
    u16s: Vec<u16>,
    u32s: Vec<u32>,
}

/// Why a snapshot could not be written or read.
#[derive(Debug)]
pub enum SnapshotError {
    /// Reading or writing the file failed.
    Io(std::io::Error),
    /// The file does not start with [`MAGIC`]: not a neuroloop snapshot.
    BadMagic,
    /// Written by a format version this build does not read.
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
    /// The file ends early.
    Truncated {
        /// Bytes the header says the file has.
        expected: u64,
        /// Bytes it has.
        got: u64,
    },
    /// The file continues past the end the header announces.
    TrailingBytes {
        /// Bytes past the end.
        extra: u64,
    },
    /// The stored checksum does not match the content.
    Checksum {
        /// CRC-32 stored in the file.
        stored: u32,
        /// CRC-32 of the content.
        computed: u32,
    },
    /// The payload does not decode.
    Decode(postcard::Error),
    /// The payload decodes but is not a consistent network.
    Invalid(RestoreError),
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SnapshotError::Io(e) => write!(f, "snapshot I/O: {e}"),
            SnapshotError::BadMagic => f.write_str("not a neuroloop snapshot (wrong magic number)"),
            SnapshotError::UnsupportedVersion { found } => {
                write!(f, "snapshot format version {found} is not supported (this build reads version {VERSION})")
            }
            SnapshotError::Truncated { expected, got } => {
                write!(f, "snapshot is truncated: {got} bytes, the header announces {expected}")
            }
            SnapshotError::TrailingBytes { extra } => {
                write!(f, "snapshot has {extra} bytes past its announced end")
            }
            SnapshotError::Checksum { stored, computed } => {
                write!(
                    f,
                    "snapshot checksum mismatch (stored {stored:#010x}, content {computed:#010x}): the file is corrupted"
                )
            }
            SnapshotError::Decode(e) => write!(f, "snapshot payload does not decode: {e}"),
            SnapshotError::Invalid(e) => write!(f, "snapshot holds an invalid network: {e}"),
        }
    }
}

impl std::error::Error for SnapshotError {}

impl From<std::io::Error> for SnapshotError {
    fn from(e: std::io::Error) -> Self {
        SnapshotError::Io(e)
    }
}

/// CRC-32 (ISO-HDLC) of `bytes`, the checksum snapshots carry.
///
/// ```
/// assert_eq!(neuroloop_host::snapshot::crc32(b"123456789"), 0xcbf4_3926);
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    CRC.checksum(bytes)
}

/// Encodes a snapshot into bytes.
///
/// ```
/// use neuroloop_core::sorn::Config;
/// use neuroloop_host::snapshot::{Snapshot, decode, encode};
/// let net = neuroloop_host::sorn::build(&Config::DEFAULT, 3).unwrap();
/// let bytes = encode(&Snapshot { net, seed: 3, input_rng: None }).unwrap();
/// let back = decode(&bytes).unwrap();
/// assert_eq!(back.seed, 3);
/// ```
pub fn encode(s: &Snapshot) -> Result<Vec<u8>, SnapshotError> {
    let sc = s.net.scalars();
    let c = sc.counters;
    let (f, h, w) = s.net.buffers();
    let payload = PayloadV1 {
        config: *s.net.config(),
        seed: s.seed,
        rng: sc.rng,
        cur: sc.cur,
        ee_count: sc.ee_count,
        ei_count: sc.ei_count,
        counters: [c.steps, c.ee_pruned, c.ei_pruned, c.sp_created, c.sp_capacity_refusals, c.empty_rows],
        init: [sc.init.refused, sc.init.repaired],
        mode: sc.mode.to_bytes(),
        input_rng: s.input_rng.as_ref().map(NetRng::state),
        f32s: f.to_vec(),
        u16s: h.to_vec(),
        u32s: w.to_vec(),
    };
    let body = postcard::to_stdvec(&payload).map_err(SnapshotError::Decode)?;
    let mut out = Vec::with_capacity(HEADER + body.len() + 4);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    let crc = CRC.checksum(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Decodes and validates a snapshot.
pub fn decode(bytes: &[u8]) -> Result<Snapshot, SnapshotError> {
    if bytes.len() < 8 || bytes[..8] != MAGIC {
        return Err(if bytes.len() < 8 && MAGIC.starts_with(bytes) {
            SnapshotError::Truncated { expected: HEADER as u64 + 4, got: bytes.len() as u64 }
        } else {
            SnapshotError::BadMagic
        });
    }
    if bytes.len() < HEADER {
        return Err(SnapshotError::Truncated { expected: HEADER as u64 + 4, got: bytes.len() as u64 });
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(SnapshotError::UnsupportedVersion { found: version });
    }
    let n = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let expected = (HEADER as u64).saturating_add(n).saturating_add(4);
    if (bytes.len() as u64) < expected {
        return Err(SnapshotError::Truncated { expected, got: bytes.len() as u64 });
    }
    let end = HEADER + n as usize;
    let stored = u32::from_le_bytes(bytes[end..end + 4].try_into().expect("4 bytes"));
    let computed = CRC.checksum(&bytes[..end]);
    if bytes.len() as u64 != expected {
        return Err(SnapshotError::TrailingBytes { extra: bytes.len() as u64 - expected });
    }
    if stored != computed {
        return Err(SnapshotError::Checksum { stored, computed });
    }
    let p: PayloadV1 = postcard::from_bytes(&bytes[HEADER..end]).map_err(SnapshotError::Decode)?;
    let [steps, ee_pruned, ei_pruned, sp_created, sp_capacity_refusals, empty_rows] = p.counters;
    let mode = Mode::from_bytes(p.mode).ok_or(SnapshotError::Invalid(RestoreError::Corrupt { what: "mode" }))?;
    let scalars = Scalars {
        rng: p.rng,
        cur: p.cur,
        ee_count: p.ee_count,
        ei_count: p.ei_count,
        counters: Counters { steps, ee_pruned, ei_pruned, sp_created, sp_capacity_refusals, empty_rows },
        init: InitReport { refused: p.init[0], repaired: p.init[1] },
        mode,
    };
    // Absurd sizes are refused by the config check before any buffer is sized from them.
    p.config.validate().map_err(|e| SnapshotError::Invalid(RestoreError::Config(e)))?;
    let net =
        Sorn::restore(&p.config, &scalars, Buffers::new(p.f32s, p.u16s, p.u32s)).map_err(SnapshotError::Invalid)?;
    Ok(Snapshot { net, seed: p.seed, input_rng: p.input_rng.map(NetRng::from_state) })
}

/// Writes a snapshot file (to a temporary name first, then renamed, so a crash never leaves
/// half a snapshot under the real name).
pub fn save(path: &Path, s: &Snapshot) -> Result<(), SnapshotError> {
    let bytes = encode(s)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// Reads a snapshot file.
pub fn load(path: &Path) -> Result<Snapshot, SnapshotError> {
    decode(&std::fs::read(path)?)
}
