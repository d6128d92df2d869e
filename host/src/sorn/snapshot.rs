//! SORN snapshots: the whole state of a network (config, weights, thresholds, activity, random
//! generator, step count) in one versioned, checksummed binary file.
//!
//! # Format, version 4
//!
//! | bytes | content |
//! |---|---|
//! | 0..8 | magic `\x89NLSNAP\n` (the high byte and the newline catch text-mode mangling) |
//! | 8..12 | format version, `u32` little-endian (4) |
//! | 12..20 | payload length `n`, `u64` little-endian |
//! | 20..20+n | payload: [`postcard`] encoding of the config, the seed, the core's `Scalars` (serde derive), the optional input-generator state and the network's three buffers |
//! | 20+n..24+n | CRC-32 (ISO-HDLC, as zip and PNG) of bytes `0..20+n`, little-endian |
//!
//! Versions 1 to 3 are still read. Version 4 is version 3's payload; what changed is the
//! buffers of a network whose config sets `lambda_ie`: its E->I weights are lists (the core's
//! `sorn::Wie`), where versions 1 to 3 held them in the dense N_E x N_I matrix, which reading
//! converts ([`neuroloop_core::sorn::Sorn::restore_dense_ie`]; the network continues with the
//! same spikes). Networks without `lambda_ie` are the same bytes in versions 3 and 4.
//!
//! Version 2's config has no `fast_inhibition` (added in version 3; such networks read as
//! `false`, which is what they ran). Version 1 (neuroloop 0.1
//! before the architecture change) also flattened its scalars by hand and stored the synapse
//! counts, which later versions derive from the lists.
//!
//! Reading checks, in order: length, magic, version, declared length, checksum, decoding, and
//! finally every array of the network ([`neuroloop_core::sorn::Sorn::restore`]). Each failure is
//! a [`SnapshotError`] variant; nothing panics on any file content.

use std::path::Path;

use neuroloop_core::rng::NetRng;
use neuroloop_core::sorn::{
    BufferError, Buffers, Compat, Config, Counters, InitReport, Layout, Mode, RestoreError, Scalars, Sorn,
};
use serde::{Deserialize, Serialize};

use super::HostSorn;

/// The file's first eight bytes.
pub const MAGIC: [u8; 8] = *b"\x89NLSNAP\n";
/// The format version this build writes (it reads this one and versions 1 to 3).
pub const VERSION: u32 = 4;
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

/// The payload of format versions 3 and 4 (`C` = [`Config`]): the core's types, serialized as they
/// are; version 2's is the same with its older config (`C` = [`ConfigV2`]).
#[derive(Serialize, Deserialize)]
struct PayloadOf<C> {
    config: C,
    seed: u64,
    scalars: Scalars,
    input_rng: Option<[u8; 16]>,
    f32s: Vec<f32>,
    u16s: Vec<u16>,
    u32s: Vec<u32>,
}

/// The config as versions 1 and 2 stored it: [`Config`] before `fast_inhibition`, field by
/// field in the same order (postcard stores fields by position).
#[derive(Deserialize)]
struct ConfigV2 {
    ne: u32,
    ni: u32,
    nu: u32,
    eta_stdp: f32,
    eta_inhib: f32,
    eta_ip: f32,
    h_ip: Option<f32>,
    mu_ip: f32,
    sigma_ip: f32,
    te_min: f32,
    te_max: f32,
    ti_min: f32,
    ti_max: f32,
    lambda_ee: f32,
    lambda_ei: f32,
    lambda_ie: Option<f32>,
    noise_sd: f32,
    p_sp: f32,
    w_sp: f32,
    w_init_max: f32,
    w_max: f32,
    ip_clip: bool,
    ee_spare_per_unit: u32,
    ei_spare_per_unit: u32,
    compat: Compat,
}

impl From<ConfigV2> for Config {
    fn from(c: ConfigV2) -> Config {
        // Version 2 networks ran with inhibition from x(t).
        let mut cfg = Config { fast_inhibition: false, compat: c.compat, ..Config::DEFAULT };
        (cfg.ne, cfg.ni, cfg.nu) = (c.ne, c.ni, c.nu);
        (cfg.eta_stdp, cfg.eta_inhib, cfg.eta_ip, cfg.h_ip) = (c.eta_stdp, c.eta_inhib, c.eta_ip, c.h_ip);
        (cfg.mu_ip, cfg.sigma_ip) = (c.mu_ip, c.sigma_ip);
        (cfg.te_min, cfg.te_max, cfg.ti_min, cfg.ti_max) = (c.te_min, c.te_max, c.ti_min, c.ti_max);
        (cfg.lambda_ee, cfg.lambda_ei, cfg.lambda_ie) = (c.lambda_ee, c.lambda_ei, c.lambda_ie);
        (cfg.noise_sd, cfg.p_sp, cfg.w_sp) = (c.noise_sd, c.p_sp, c.w_sp);
        (cfg.w_init_max, cfg.w_max, cfg.ip_clip) = (c.w_init_max, c.w_max, c.ip_clip);
        (cfg.ee_spare_per_unit, cfg.ei_spare_per_unit) = (c.ee_spare_per_unit, c.ei_spare_per_unit);
        cfg
    }
}

/// The payload this build writes.
type Payload = PayloadOf<Config>;
/// The payload of format version 2 (read only).
type PayloadV2 = PayloadOf<ConfigV2>;

impl PayloadV2 {
    fn upgrade(self) -> Payload {
        let PayloadOf { config, seed, scalars, input_rng, f32s, u16s, u32s } = self;
        Payload { config: config.into(), seed, scalars, input_rng, f32s, u16s, u32s }
    }
}

/// The payload of format version 1 (read only): the scalars flattened, with the synapse
/// counts that later versions derive from the lists.
#[derive(Deserialize)]
struct PayloadV1 {
    config: ConfigV2,
    seed: u64,
    rng: [u8; 16],
    cur: u8,
    _ee_count: u32,
    _ei_count: u32,
    counters: [u64; 6],
    init: [u32; 2],
    mode: [u8; 2],
    input_rng: Option<[u8; 16]>,
    f32s: Vec<f32>,
    u16s: Vec<u16>,
    u32s: Vec<u32>,
}

impl PayloadV1 {
    fn upgrade(self) -> Result<Payload, SnapshotError> {
        let [steps, ee_pruned, ei_pruned, sp_created, sp_capacity_refusals, empty_rows] = self.counters;
        let mode = Mode::from_bytes(self.mode).ok_or(SnapshotError::Invalid(RestoreError::Corrupt { what: "mode" }))?;
        let scalars = Scalars {
            rng: self.rng,
            cur: self.cur,
            counters: Counters { steps, ee_pruned, ei_pruned, sp_created, sp_capacity_refusals, empty_rows },
            init: InitReport { refused: self.init[0], repaired: self.init[1] },
            mode,
        };
        let PayloadV1 { config, seed, input_rng, f32s, u16s, u32s, .. } = self;
        Ok(Payload { config: config.into(), seed, scalars, input_rng, f32s, u16s, u32s })
    }
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
/// assert_eq!(neuroloop_host::sorn::snapshot::crc32(b"123456789"), 0xcbf4_3926);
/// ```
pub fn crc32(bytes: &[u8]) -> u32 {
    CRC.checksum(bytes)
}

/// Encodes a snapshot into bytes.
///
/// ```
/// use neuroloop_core::sorn::Config;
/// use neuroloop_host::sorn::snapshot::{Snapshot, decode, encode};
/// let net = neuroloop_host::sorn::build(&Config::DEFAULT, 3).unwrap();
/// let bytes = encode(&Snapshot { net, seed: 3, input_rng: None }).unwrap();
/// let back = decode(&bytes).unwrap();
/// assert_eq!(back.seed, 3);
/// ```
pub fn encode(s: &Snapshot) -> Result<Vec<u8>, SnapshotError> {
    let b = s.net.buffers();
    let payload = Payload {
        config: *s.net.config(),
        seed: s.seed,
        scalars: s.net.scalars(),
        input_rng: s.input_rng.as_ref().map(NetRng::state),
        f32s: b.f32s.to_vec(),
        u16s: b.u16s.to_vec(),
        u32s: b.u32s.to_vec(),
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
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if !(1..=VERSION).contains(&version) {
        return Err(SnapshotError::UnsupportedVersion { found: version });
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[12..20]);
    let n = u64::from_le_bytes(len);
    let expected = (HEADER as u64).saturating_add(n).saturating_add(4);
    if (bytes.len() as u64) < expected {
        return Err(SnapshotError::Truncated { expected, got: bytes.len() as u64 });
    }
    let end = HEADER + n as usize;
    let stored = u32::from_le_bytes([bytes[end], bytes[end + 1], bytes[end + 2], bytes[end + 3]]);
    let computed = CRC.checksum(&bytes[..end]);
    if bytes.len() as u64 != expected {
        return Err(SnapshotError::TrailingBytes { extra: bytes.len() as u64 - expected });
    }
    if stored != computed {
        return Err(SnapshotError::Checksum { stored, computed });
    }
    let body = &bytes[HEADER..end];
    let p: Payload = if version == 1 {
        postcard::from_bytes::<PayloadV1>(body).map_err(SnapshotError::Decode)?.upgrade()?
    } else if version == 2 {
        postcard::from_bytes::<PayloadV2>(body).map_err(SnapshotError::Decode)?.upgrade()
    } else {
        postcard::from_bytes(body).map_err(SnapshotError::Decode)?
    };
    // Absurd sizes are refused by the config check before any buffer is sized from them.
    p.config.validate().map_err(|e| SnapshotError::Invalid(RestoreError::Config(e)))?;
    let net = if version <= 3 && p.config.lambda_ie.is_some() {
        // Formats 1 to 3 stored a sparse lambda_ie in the dense E->I matrix: convert it to
        // lists. The file's buffers are checked against the dense layout before the new ones
        // are sized (those are at most about 1.5 times as large).
        let dense = Layout::new(&Config { lambda_ie: None, ..p.config });
        for (buffer, needed, got) in [
            ("f32", dense.f32_len, p.f32s.len()),
            ("u16", dense.u16_len, p.u16s.len()),
            ("u32", dense.u32_len, p.u32s.len()),
        ] {
            BufferError::check(buffer, needed, got).map_err(|e| SnapshotError::Invalid(RestoreError::Buffer(e)))?;
        }
        let l = Layout::new(&p.config);
        let bufs = Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len]);
        let old = Buffers { f32s: &p.f32s[..], u16s: &p.u16s[..], u32s: &p.u32s[..] };
        Sorn::restore_dense_ie(&p.config, &p.scalars, old, bufs).map_err(SnapshotError::Invalid)?
    } else {
        Sorn::restore(&p.config, &p.scalars, Buffers::new(p.f32s, p.u16s, p.u32s)).map_err(SnapshotError::Invalid)?
    };
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
