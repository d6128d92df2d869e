//! Processor in the loop: the plant on the PC, the policy on a board, over a serial link with
//! the protocol of [`neuroloop_wire`].
//!
//! - [`link`]: byte streams ([`Link`]): QEMU's serial port on a unix socket, a real serial port.
//! - [`qemu`]: starts and stops a QEMU board running the brain image.
//! - [`client`]: requests and replies with numbers and timeouts; loading a CTRNN model, a SORN
//!   reservoir, a learning state.
//! - [`board_policy`]: the board as a [`Policy`](neuroloop_core::policy::Policy), so the one
//!   episode loop runs unchanged.
//! - [`run`]: what `neuroloop pil` does: episodes on the board, and a reservoir learning over
//!   the link from a teacher on the PC.

pub mod board_policy;
pub mod client;
pub mod link;
pub mod qemu;
pub mod run;

use std::fmt;
use std::time::Duration;

pub use board_policy::{BoardPolicy, OnHost};
pub use client::{Board, Client, Response};
pub use link::{Link, SerialLink};
pub use qemu::{Qemu, QemuBoard};

use neuroloop_core::policy::PolicyError;
use neuroloop_wire::Refusal;

/// Why a conversation with a board failed.
#[derive(Debug)]
pub enum PilError {
    /// The link failed.
    Io(std::io::Error),
    /// A link, port or program could not be opened.
    Open {
        /// What.
        what: String,
        /// Why.
        why: String,
    },
    /// The other end closed the link.
    Closed,
    /// The board's process is gone (QEMU exited), with what it printed.
    BoardGone(String),
    /// No reply within the timeout.
    Timeout(Duration),
    /// The board refused a request (nothing changed on it).
    Refused(Refusal),
    /// A reply that does not answer the request.
    Unexpected(String),
    /// The policy on the PC (a teacher) failed.
    Host(PolicyError),
}

impl fmt::Display for PilError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PilError::Io(e) => write!(f, "serial link: {e}"),
            PilError::Open { what, why } => write!(f, "cannot open {what}: {why}"),
            PilError::Closed => f.write_str("the board closed the link"),
            PilError::BoardGone(why) => write!(f, "the board stopped: {why}"),
            PilError::Timeout(t) => write!(
                f,
                "no reply from the board within {:.1} s (is the brain image running and the link right?)",
                t.as_secs_f64()
            ),
            PilError::Refused(r) => write!(f, "the board refused: {r}"),
            PilError::Unexpected(what) => write!(f, "unexpected reply from the board: {what}"),
            PilError::Host(e) => write!(f, "policy on the PC: {e}"),
        }
    }
}

impl std::error::Error for PilError {}
