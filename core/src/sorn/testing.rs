//! What the SORN unit tests share: a network in `Vec` buffers.

use std::vec;
use std::vec::Vec;

use super::{Buffers, Config, Layout, Sorn};

/// A SORN in heap buffers (tests only; the core itself never allocates).
pub(crate) type VecSorn = Sorn<Vec<f32>, Vec<u16>, Vec<u32>>;

/// A fresh network of `cfg` from `seed`, in buffers of exactly its layout's size.
pub(crate) fn build(cfg: &Config, seed: u64) -> VecSorn {
    let l = Layout::new(cfg);
    Sorn::new(cfg, seed, Buffers::new(vec![0.0; l.f32_len], vec![0; l.u16_len], vec![0; l.u32_len])).unwrap()
}
