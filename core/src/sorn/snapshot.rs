//! What a snapshot needs from the core: the network's scalar state, and a restore that checks
//! every array before a network is rebuilt from untrusted bytes.
//!
//! The host writes the config, the [`Scalars`] and the three buffers to a file; reading them
//! back goes through [`super::Sorn::restore`], which validates the structure completely (list
//! offsets and lengths, indices in range, the incoming index matching the outgoing lists,
//! finite values, spare bits zero), so a file that passes its checksum but was written by
//! something else still cannot make a later step index out of bounds.

use core::fmt;

use super::config::{Config, ConfigError};
use super::init::InitReport;
use super::layout::Parts;
use super::mode::{Freeze, Mode, Phase};
use super::network::Counters;
use super::synapses::SynMut;
use crate::layout::BufferError;

/// The part of a network's state that is not in its buffers (synapse counts are not stored:
/// they are the lengths of the lists).
///
/// With the `serde` feature it serializes field by field, the mode as its two bytes
/// ([`Mode::to_bytes`]), so a snapshot file is the payload of `postcard` over this struct.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scalars {
    /// The random generator's state ([`crate::rng::NetRng::state`]).
    pub rng: [u8; 16],
    /// Which half of the double-buffered spike vectors is current (0 or 1).
    pub cur: u8,
    /// Running totals.
    pub counters: Counters,
    /// Initialisation report.
    pub init: InitReport,
    /// Phase, freeze list and noise of the next steps.
    #[cfg_attr(feature = "serde", serde(with = "mode_bytes"))]
    pub mode: Mode,
}

/// The mode as its two bytes in serialized scalars.
#[cfg(feature = "serde")]
mod mode_bytes {
    use super::Mode;
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(mode: &Mode, s: S) -> Result<S::Ok, S::Error> {
        mode.to_bytes().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Mode, D::Error> {
        let b = <[u8; 2]>::deserialize(d)?;
        Mode::from_bytes(b).ok_or_else(|| D::Error::custom("invalid mode bytes"))
    }
}

/// The mode as two bytes (phase, freeze bits | noise << 7), for files.
impl Mode {
    /// Packs the mode into two bytes.
    pub const fn to_bytes(self) -> [u8; 2] {
        let phase = match self.phase {
            Phase::Plasticity => 0,
            Phase::Training => 1,
        };
        [phase, self.freeze.bits() | (self.noise as u8) << 7]
    }

    /// Unpacks [`Mode::to_bytes`]; `None` for bytes it never produces.
    pub const fn from_bytes(b: [u8; 2]) -> Option<Mode> {
        let phase = match b[0] {
            0 => Phase::Plasticity,
            1 => Phase::Training,
            _ => return None,
        };
        if b[1] & 0x60 != 0 {
            return None;
        }
        Some(Mode { phase, freeze: Freeze::from_bits(b[1] & 0x1f), noise: b[1] & 0x80 != 0 })
    }
}

/// Why saved state cannot become a network.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RestoreError {
    /// The saved configuration is invalid.
    Config(ConfigError),
    /// A buffer is shorter than the configuration needs.
    Buffer(BufferError),
    /// An array is inconsistent; names the array.
    Corrupt {
        /// Which array or value.
        what: &'static str,
    },
}

impl fmt::Display for RestoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestoreError::Config(e) => write!(f, "saved config is invalid: {e}"),
            RestoreError::Buffer(e) => write!(f, "saved buffers: {e}"),
            RestoreError::Corrupt { what } => write!(f, "saved state is inconsistent: {what}"),
        }
    }
}

impl core::error::Error for RestoreError {}

fn corrupt(what: &'static str) -> RestoreError {
    RestoreError::Corrupt { what }
}

/// Checks every array of a network against `cfg` and `s`.
pub(crate) fn validate(cfg: &Config, s: &Scalars, p: &Parts<'_>) -> Result<(), RestoreError> {
    let (ne, ni) = (cfg.ne as usize, cfg.ni as usize);
    if s.cur > 1 {
        return Err(corrupt("current-state index"));
    }
    sparse(&p.ee, ne, ne, "E->E")?;
    sparse(&p.ei, ni, ne, "I->E")?;
    let finite = |v: &[f32]| v.iter().all(|x| x.is_finite());
    p.ie.check(ne).map_err(corrupt)?;
    if !(finite(p.ie.w) && finite(p.te) && finite(p.ti) && finite(p.h_ip)) {
        return Err(corrupt("weights or thresholds (NaN or infinite)"));
    }
    for (words, n, what) in
        [(&*p.x, ne, "excitatory state"), (&*p.y, ni, "inhibitory state"), (&*p.r, ne, "recurrent state")]
    {
        let per = n.div_ceil(32);
        for half in words.chunks(per.max(1)) {
            if let Some(&last) = half.last() {
                if n % 32 != 0 && last >> (n % 32) != 0 {
                    return Err(corrupt(what));
                }
            }
        }
    }
    for (words, n, what) in [(&*p.dirty_ee, ne, "normalisation marks"), (&*p.dirty_ei, ne, "normalisation marks")] {
        if let Some(&last) = words.last() {
            if n % 32 != 0 && last >> (n % 32) != 0 {
                return Err(corrupt(what));
            }
        }
    }
    if p.marks.iter().any(|&w| w != 0) {
        return Err(corrupt("scratch set"));
    }
    Ok(())
}

/// Checks one sparse matrix.
fn sparse(m: &SynMut<'_>, n_pre: usize, n_post: usize, what: &'static str) -> Result<(), RestoreError> {
    let cap = m.post.len();
    let lists = |off: &[u32], len: &[u16]| -> bool {
        off.first() == Some(&0)
            && off.last().map(|&o| o as usize) == Some(cap)
            && off.windows(2).zip(len).all(|(w, &l)| w[0] <= w[1] && l as u32 <= w[1] - w[0])
    };
    if !lists(m.out_off, m.out_len) || !lists(m.in_off, m.in_len) {
        return Err(corrupt(what));
    }
    let mut total = 0usize;
    for pre in 0..n_pre {
        let start = m.out_off[pre] as usize;
        let posts = &m.post[start..start + m.out_len[pre] as usize];
        for (k, &i) in posts.iter().enumerate() {
            if i as usize >= n_post || posts[..k].contains(&i) || !m.w[start + k].is_finite() {
                return Err(corrupt(what));
            }
        }
        total += posts.len();
    }
    // The incoming index lists exactly the slots whose target is the row, once each.
    let mut indexed = 0usize;
    for post in 0..n_post {
        let start = m.in_off[post] as usize;
        let slots = &m.in_pos[start..start + m.in_len[post] as usize];
        for (k, &s) in slots.iter().enumerate() {
            let s = s as usize;
            let pre = m.out_off.partition_point(|&o| o as usize <= s).saturating_sub(1);
            let live = pre < n_pre && s < m.out_off[pre] as usize + m.out_len[pre] as usize;
            if !live || m.post[s] as usize != post || slots[..k].contains(&(s as u32)) {
                return Err(corrupt(what));
            }
        }
        indexed += slots.len();
    }
    if indexed != total {
        return Err(corrupt(what));
    }
    Ok(())
}
