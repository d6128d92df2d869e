//! The host's end of the protocol: numbered requests, replies matched by number, timeouts,
//! and the loads (a CTRNN model, a SORN reservoir, a learning state) as chunk sequences.

use std::time::{Duration, Instant};

use neuroloop_core::ctrnn::Dims;
use neuroloop_core::env::EnvId;
use neuroloop_wire::frame::{CRC, FrameReader, MAX_FRAME};
use neuroloop_wire::{
    BoardInfo, CHUNK, Code, Codec, CostUnit, Load, NO_SEQ, ReadoutKind, Refusal, Region, RegionInfo, Reply, Request,
    Stats, VERSION, WireAction, decode_reply,
};

use super::{Link, PilError};
use crate::control::sorn_controller::SornController;
use crate::ctrnn::Model;

/// What a board said it is ([`BoardInfo`] with owned strings).
#[derive(Clone, Debug, PartialEq)]
pub struct Board {
    /// Which board.
    pub board: String,
    /// Its firmware version.
    pub firmware: String,
    /// Network `f32`s.
    pub f32_capacity: u32,
    /// SORN `u16`s.
    pub u16_capacity: u32,
    /// SORN `u32`s.
    pub u32_capacity: u32,
    /// Readout `f32`s.
    pub readout_capacity: u32,
    /// What its costs count.
    pub cost_unit: CostUnit,
}

impl From<&BoardInfo<'_>> for Board {
    fn from(i: &BoardInfo<'_>) -> Board {
        Board {
            board: i.board.to_string(),
            firmware: i.firmware.to_string(),
            f32_capacity: i.f32_capacity,
            u16_capacity: i.u16_capacity,
            u32_capacity: i.u32_capacity,
            readout_capacity: i.readout_capacity,
            cost_unit: i.cost_unit,
        }
    }
}

/// A reply, owned (the wire's [`Reply`] borrows the frame).
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    /// To `Hello`.
    Hello(Board),
    /// Done.
    Ok,
    /// To `Act`.
    Action(WireAction),
    /// To `StateInfo`.
    StateInfo(Vec<RegionInfo>),
    /// To `GetState`.
    State(Vec<u8>),
    /// To `Stats`.
    Stats(Stats),
}

/// A board on a link, said hello to.
pub struct Client<L> {
    link: L,
    codec: Codec,
    reader: FrameReader<MAX_FRAME>,
    seq: u16,
    timeout: Duration,
    board: Board,
    /// Bytes sent (frames).
    pub bytes_sent: u64,
    /// Bytes received (frames).
    pub bytes_received: u64,
}

impl<L: Link> Client<L> {
    /// Says hello (after a zero byte, which ends any half frame the board holds) and checks
    /// the board's protocol version. `timeout` bounds every reply.
    pub fn connect(mut link: L, timeout: Duration) -> Result<Client<L>, PilError> {
        link.send(&[0])?;
        let mut c = Client {
            link,
            codec: Codec::new(),
            reader: FrameReader::new(),
            seq: 0,
            timeout,
            board: Board {
                board: String::new(),
                firmware: String::new(),
                f32_capacity: 0,
                u16_capacity: 0,
                u32_capacity: 0,
                readout_capacity: 0,
                cost_unit: CostUnit::None,
            },
            bytes_sent: 0,
            bytes_received: 0,
        };
        match c.call(&Request::Hello { version: VERSION })? {
            Response::Hello(b) => c.board = b,
            other => return Err(PilError::Unexpected(format!("{other:?} to hello"))),
        }
        Ok(c)
    }

    /// What the board is.
    pub fn board(&self) -> &Board {
        &self.board
    }

    /// The link (to send raw bytes in tests).
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    /// Sends one request and waits for its reply (replies to other numbers, left over from a
    /// request that timed out, are skipped). A refusal is [`PilError::Refused`].
    pub fn call(&mut self, req: &Request<'_>) -> Result<Response, PilError> {
        self.seq = (self.seq + 1) % NO_SEQ;
        let seq = self.seq;
        let frame = self.codec.request(seq, req).map_err(PilError::Refused)?;
        self.bytes_sent += frame.len() as u64;
        self.link.send(frame)?;
        self.await_reply(Some(seq))
    }

    /// Waits for the next reply numbered `seq` (any reply for `None`: the answer to bytes sent
    /// raw).
    pub fn await_reply(&mut self, seq: Option<u16>) -> Result<Response, PilError> {
        let deadline = Instant::now() + self.timeout;
        let mut buf = [0u8; 256];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                if let Some(why) = self.link.gone() {
                    return Err(PilError::BoardGone(why));
                }
                return Err(PilError::Timeout(self.timeout));
            }
            let n = self.link.recv(&mut buf, left.min(Duration::from_millis(200)))?;
            if n == 0 {
                if let Some(why) = self.link.gone() {
                    return Err(PilError::BoardGone(why));
                }
                continue;
            }
            self.bytes_received += n as u64;
            for &b in &buf[..n] {
                let Some(frame) = self.reader.push(b) else { continue };
                let Ok(frame) = frame else { continue }; // a damaged reply: wait for the next
                let Ok((got, reply)) = decode_reply(frame) else { continue };
                let for_us = match seq {
                    None => true,
                    Some(s) => got == s || got == NO_SEQ,
                };
                if for_us {
                    return own(reply);
                }
            }
        }
    }

    /// Loads a CTRNN controller for `env`: the model's parameters then `v0`.
    pub fn load_ctrnn(&mut self, model: &Model, env: EnvId) -> Result<(), PilError> {
        let Dims { .. } = model.dims;
        let mut values = model.params.clone();
        values.extend_from_slice(&model.v0);
        self.expect_ok(&Request::Begin(Load::Ctrnn { dims: model.dims, activation: model.activation, env }))?;
        self.send_bytes(&f32_bytes(&values))
    }

    /// Loads a SORN reservoir controller: with its fixed readout, or (`rls`) an empty readout
    /// that learns from `Teach`.
    pub fn load_reservoir(&mut self, ctl: &SornController, rls: Option<(f32, f32)>) -> Result<(), PilError> {
        let code = ctl.code().map_err(|e| PilError::Unexpected(e.to_string()))?;
        let wire_code = Code {
            scales: neuroloop_wire::heapless::Vec::from_slice(code.scales())
                .map_err(|_| PilError::Unexpected("too many scales".into()))?,
            copies: u16::try_from(code.copies).unwrap_or(u16::MAX),
            gain: code.gain,
        };
        let readout = match rls {
            None => ReadoutKind::Fixed,
            Some((delta, forgetting)) => ReadoutKind::Rls { delta, forgetting },
        };
        let units = u16::try_from(ctl.readout_units()).map_err(|_| PilError::Unexpected("too many units".into()))?;
        self.expect_ok(&Request::Begin(Load::Reservoir {
            config: ctl.config,
            seed: ctl.seed,
            code: wire_code,
            units,
            env: ctl.env,
            readout,
        }))?;
        let bytes = if rls.is_none() { f32_bytes(&ctl.readout.concat()) } else { Vec::new() };
        self.send_bytes(&bytes)
    }

    /// Sends the bytes of a load in chunks and commits.
    fn send_bytes(&mut self, bytes: &[u8]) -> Result<(), PilError> {
        for (k, chunk) in bytes.chunks(CHUNK).enumerate() {
            self.expect_ok(&Request::Chunk { offset: (k * CHUNK) as u32, bytes: chunk })?;
        }
        self.expect_ok(&Request::Commit { crc: CRC.checksum(bytes) })
    }

    /// The current policy's learning state, region by region.
    pub fn get_state(&mut self) -> Result<Vec<(Region, Vec<u8>)>, PilError> {
        let Response::StateInfo(regions) = self.call(&Request::StateInfo)? else {
            return Err(PilError::Unexpected("no state info".into()));
        };
        let mut out = Vec::new();
        for r in regions {
            let mut bytes = Vec::with_capacity(r.bytes as usize);
            while bytes.len() < r.bytes as usize {
                let len = (r.bytes as usize - bytes.len()).min(CHUNK) as u16;
                let req = Request::GetState { region: r.region, offset: bytes.len() as u32, len };
                match self.call(&req)? {
                    Response::State(b) if b.len() == len as usize => bytes.extend_from_slice(&b),
                    other => return Err(PilError::Unexpected(format!("{other:?} to get-state"))),
                }
            }
            out.push((r.region, bytes));
        }
        Ok(out)
    }

    /// Puts a learning state (as [`Client::get_state`] gave it) back into the current policy.
    pub fn put_state(&mut self, state: &[(Region, Vec<u8>)]) -> Result<(), PilError> {
        self.expect_ok(&Request::Begin(Load::State))?;
        let bytes: Vec<u8> = state.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        // Chunks end at region boundaries, so none cuts an element.
        let mut offset = 0usize;
        for (_, b) in state {
            for chunk in b.chunks(CHUNK) {
                self.expect_ok(&Request::Chunk { offset: offset as u32, bytes: chunk })?;
                offset += chunk.len();
            }
        }
        self.expect_ok(&Request::Commit { crc: CRC.checksum(&bytes) })
    }

    /// The board's costs and counts.
    pub fn stats(&mut self) -> Result<Stats, PilError> {
        match self.call(&Request::Stats)? {
            Response::Stats(s) => Ok(s),
            other => Err(PilError::Unexpected(format!("{other:?} to stats"))),
        }
    }

    /// Sends a request that must be answered `Ok`.
    pub fn expect_ok(&mut self, req: &Request<'_>) -> Result<(), PilError> {
        match self.call(req)? {
            Response::Ok => Ok(()),
            other => Err(PilError::Unexpected(format!("{other:?}"))),
        }
    }
}

fn own(reply: Reply<'_>) -> Result<Response, PilError> {
    Ok(match reply {
        Reply::Hello(i) => Response::Hello(Board::from(&i)),
        Reply::Ok => Response::Ok,
        Reply::Action(a) => Response::Action(a),
        Reply::StateInfo(r) => Response::StateInfo(r.to_vec()),
        Reply::State { bytes } => Response::State(bytes.to_vec()),
        Reply::Stats(s) => Response::Stats(s),
        Reply::Refused(r) => return Err(PilError::Refused(r)),
    })
}

/// `f32`s as little-endian bytes.
pub fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Little-endian bytes as `f32`s (a trailing partial value is dropped).
pub fn bytes_f32(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

impl From<Refusal> for PilError {
    fn from(r: Refusal) -> Self {
        PilError::Refused(r)
    }
}
