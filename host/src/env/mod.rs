//! Environments on the host: the core's plants and their registry ([`EnvId`], [`AnyEnv`],
//! re-exported), `n` copies stepped together ([`VecEnv`]) and replays of gymnasium's recorded
//! trajectories ([`fixture`]).

pub mod fixture;
pub mod vec_env;

pub use neuroloop_core::env::{Action, AnyEnv, Env, EnvError, EnvId, Space, Transition, UnknownEnv};
pub use vec_env::{Actions, VecEnv, VecStep};
