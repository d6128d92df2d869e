//! The brain: a board that serves the wire protocol ([`neuroloop_wire`]). The PC runs the
//! plant and the episode loop; the board holds one policy (a CTRNN controller, or a SORN
//! reservoir with a fixed or learning readout) in fixed buffers ([`Arenas`]) and answers one
//! request per frame: `Act` is the policy's step, `Teach` its readout's update.
//!
//! Everything a frame can do to the brain goes through [`Brain::serve`]; a board's `main`
//! only moves bytes between its UART and a [`FrameReader`](neuroloop_wire::frame::FrameReader).
//! The same code runs in the host's tests over an in-memory link and under the wire fuzz
//! target.
//!
//! ## What a refusal leaves
//!
//! A damaged frame, a frame that is not a request, and every request refused before it acts
//! (a `Begin` that does not fit, a chunk out of order or past the end, an observation of the
//! wrong width) change nothing. `Begin` drops the current policy (the load replaces it); a
//! `Commit` the core refuses leaves no policy (`Refused(Invalid(..))`, then `NoPolicy` until
//! the next load). The board never loses its buffers: every policy is built twice, first on a
//! reborrow of the buffers (the core's own checks, which may refuse), then for real (the same
//! data, so it cannot refuse).

use heapless::Vec as HVec;
use neuroloop_core::ctrnn::{self, Ctrnn};
use neuroloop_core::env::{Action, Env, Space};
use neuroloop_core::policy::{CtrnnPolicy, EncodeError, Policy, PolicyError, Readout, Reservoir, Thermometer, Weights};
use neuroloop_core::rls::{self, Rls};
use neuroloop_core::sorn::{self, Buffers, Scalars, Sorn};
use neuroloop_wire::frame::{CRC, FrameError};
use neuroloop_wire::{
    BoardInfo, Buffer, CHUNK, Codec, Cost, CostUnit, Load, NO_SEQ, Part, ReadoutKind, Refusal, Region, RegionInfo,
    Reply, Request, Stats, VERSION, WireAction, decode_request,
};

use crate::scenarios::Counter;

/// Arena sizes of the brain image: the larger of the default SORN and the CartPole reservoir,
/// an RLS readout of 49 features and 2 actions (the project's online readout), a CTRNN of up
/// to [`sizes::NET`] parameters and 256 hidden neurons (QEMU, nRF52840, RP2040).
///
/// On the STM32F411 (128 KiB of RAM) the network and an RLS readout (10,192 B) leave too
/// little stack (7,096 B; a SORN brain peaks at 7,568 B, BENCHMARKS.md): there the readout arena holds fixed
/// weights only (up to 3 actions over every excitatory unit and the bias) and a CTRNN has up
/// to 128 hidden neurons; an RLS load is refused with `Capacity { buffer: Readout, .. }`.
pub mod sizes {
    use crate::scenarios;

    /// `f32`s of network (a SORN's, or a CTRNN's parameters and `v0`).
    pub const NET: usize = scenarios::SORN_F32;
    /// `u16`s of SORN lists.
    pub const LISTS: usize = scenarios::SORN_U16;
    /// `u32`s of SORN offsets and spikes.
    pub const WORDS: usize = scenarios::SORN_U32;
    /// `f32`s of readout.
    #[cfg(not(feature = "board-stm32f411"))]
    pub const READOUT: usize = scenarios::RLS_LEN;
    /// `f32`s of readout: fixed weights, 3 actions x (every excitatory unit + bias).
    #[cfg(feature = "board-stm32f411")]
    pub const READOUT: usize = 3 * (scenarios::SORN.ne as usize + 1);
    /// `f32`s of policy scratch.
    #[cfg(not(feature = "board-stm32f411"))]
    pub const SCRATCH: usize = 1024;
    /// `f32`s of policy scratch (a CTRNN of 128 hidden neurons needs 386).
    #[cfg(feature = "board-stm32f411")]
    pub const SCRATCH: usize = 512;
    /// `f32`s of staging (3 x the largest hidden layer).
    #[cfg(not(feature = "board-stm32f411"))]
    pub const STAGING: usize = 768;
    /// `f32`s of staging (3 x the largest hidden layer).
    #[cfg(feature = "board-stm32f411")]
    pub const STAGING: usize = 384;
}

/// The arenas of [`sizes`] as one value, for a board's `static` (cortex-m-rt hands an entry
/// point's statics out as `&'static mut`).
pub struct Storage {
    net: [f32; sizes::NET],
    lists: [u16; sizes::LISTS],
    words: [u32; sizes::WORDS],
    readout: [f32; sizes::READOUT],
    scratch: [f32; sizes::SCRATCH],
    staging: [f32; sizes::STAGING],
    io: Io,
}

impl Storage {
    /// Zeroed arenas.
    pub const fn new() -> Storage {
        Storage {
            net: [0.0; sizes::NET],
            lists: [0; sizes::LISTS],
            words: [0; sizes::WORDS],
            readout: [0.0; sizes::READOUT],
            scratch: [0.0; sizes::SCRATCH],
            staging: [0.0; sizes::STAGING],
            io: Io::new(),
        }
    }

    /// The arenas and the I/O buffers, borrowed for as long as the storage is.
    pub fn split(&mut self) -> (Arenas<'_>, &mut Io) {
        let arenas = Arenas {
            net: &mut self.net,
            lists: &mut self.lists,
            words: &mut self.words,
            readout: &mut self.readout,
            scratch: &mut self.scratch,
            staging: &mut self.staging,
        };
        (arenas, &mut self.io)
    }
}

impl Default for Storage {
    fn default() -> Self {
        Self::new()
    }
}

/// Bytes of a SORN's scalars in a state transfer (postcard, zero-padded; the largest
/// encoding, every counter at `u64::MAX`, is 118 bytes).
pub const SCALARS_BYTES: usize = 128;

/// The buffers a brain works in: a board's statics, `Vec`s in the host's tests. Each policy
/// takes each buffer whole (the core uses what its layout needs), so a new load always gets
/// them back whole.
#[derive(Debug)]
pub struct Arenas<'b> {
    /// A SORN's `f32`s, or a CTRNN's parameters then `v0`.
    pub net: &'b mut [f32],
    /// A SORN's `u16`s.
    pub lists: &'b mut [u16],
    /// A SORN's `u32`s.
    pub words: &'b mut [u32],
    /// A readout's weights, or an RLS readout's state.
    pub readout: &'b mut [f32],
    /// A policy's scratch.
    pub scratch: &'b mut [f32],
    /// Where a load puts what it hands to a constructor (a CTRNN's `v0`, its saved state).
    pub staging: &'b mut [f32],
}

/// The brain's I/O buffers (~2.3 KB): the reply's encoder, a state chunk and a SORN's
/// scalars. A board keeps them in a `static` (built by a `const fn`), off the stack.
#[derive(Debug)]
pub struct Io {
    codec: Codec,
    bytes: [u8; CHUNK],
    scalars: [u8; SCALARS_BYTES],
}

impl Io {
    /// Empty buffers.
    pub const fn new() -> Io {
        Io { codec: Codec::new(), bytes: [0; CHUNK], scalars: [0; SCALARS_BYTES] }
    }
}

impl Default for Io {
    fn default() -> Self {
        Self::new()
    }
}

/// What the board tells the brain about itself: its cost counter and its stack.
pub trait Probe: Counter {
    /// What [`Counter::count`] counts.
    fn unit(&self) -> CostUnit;
    /// Deepest stack use so far, and the room the stack has (bytes; `(0, 0)` if unknown).
    fn stack(&self) -> (u32, u32);
}

/// A probe that counts nothing (the host's tests).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProbe;

impl Counter for NoProbe {
    fn count<R>(&mut self, f: impl FnOnce() -> R) -> (R, u32) {
        (f(), 0)
    }
}

impl Probe for NoProbe {
    fn unit(&self) -> CostUnit {
        CostUnit::None
    }
    fn stack(&self) -> (u32, u32) {
        (0, 0)
    }
}

/// A reservoir's readout on the board: fixed weights or learning by RLS.
#[derive(Debug)]
pub enum BoardReadout<'b> {
    /// Loaded weights.
    Fixed(Weights<&'b mut [f32]>),
    /// Learning online.
    Learning(Rls<&'b mut [f32]>),
}

impl Readout for BoardReadout<'_> {
    fn features(&self) -> usize {
        match self {
            BoardReadout::Fixed(w) => w.features(),
            BoardReadout::Learning(r) => Readout::features(r),
        }
    }

    fn outputs(&self) -> usize {
        match self {
            BoardReadout::Fixed(w) => w.outputs(),
            BoardReadout::Learning(r) => Readout::outputs(r),
        }
    }

    fn predict_ones(&self, ones: impl Iterator<Item = usize> + Clone, out: &mut [f32]) -> Result<(), rls::Error> {
        match self {
            BoardReadout::Fixed(w) => w.predict_ones(ones, out),
            BoardReadout::Learning(r) => Readout::predict_ones(r, ones, out),
        }
    }

    fn learn_ones(&mut self, ones: impl Iterator<Item = usize> + Clone, targets: &[f32]) -> Result<(), rls::Error> {
        match self {
            BoardReadout::Fixed(_) => Err(rls::Error::Parameter),
            BoardReadout::Learning(r) => r.learn_ones(ones, targets),
        }
    }
}

type NetCtrnn<'b> = CtrnnPolicy<&'b mut [f32], &'b mut [f32]>;
type NetReservoir<'b> = Reservoir<&'b mut [f32], &'b mut [u16], &'b mut [u32], BoardReadout<'b>, &'b mut [f32]>;

/// A CTRNN controller and what it was built from.
#[derive(Clone, Copy, Debug)]
struct CtrnnSpec {
    cfg: ctrnn::Config,
    space: Space,
}

impl CtrnnSpec {
    fn params(&self) -> usize {
        ctrnn::Layout::new(&self.cfg).params_len
    }
}

/// A reservoir and what it was built from.
#[derive(Clone, Copy, Debug)]
struct ReservoirSpec {
    config: sorn::Config,
    seed: u64,
    code: Thermometer,
    units: usize,
    outputs: usize,
    readout: ReadoutKind,
}

impl ReservoirSpec {
    fn rls(&self) -> Option<rls::Config> {
        match self.readout {
            ReadoutKind::Fixed => None,
            ReadoutKind::Rls { delta, forgetting } => {
                Some(rls::Config { features: self.units + 1, outputs: self.outputs, delta, forgetting })
            }
        }
    }

    /// `f32`s of the readout buffer.
    fn readout_len(&self) -> usize {
        match self.rls() {
            None => self.outputs * (self.units + 1),
            Some(c) => rls::Layout::new(&c).len,
        }
    }
}

/// What a load builds at `Commit`.
#[derive(Clone, Copy, Debug)]
enum Target {
    Ctrnn(CtrnnSpec),
    Reservoir(ReservoirSpec),
    CtrnnState(CtrnnSpec),
    ReservoirState(ReservoirSpec),
}

/// Where the bytes of a load go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dest {
    Net,
    Lists,
    Words,
    Readout,
    /// A CTRNN's saved state, in staging after `v0`.
    CtrnnState,
    Scalars,
}

impl Dest {
    const fn size(self) -> usize {
        match self {
            Dest::Lists => 2,
            Dest::Scalars => 1,
            _ => 4,
        }
    }
}

/// A part of a load: `bytes` bytes for `dest`, from its start.
#[derive(Clone, Copy, Debug)]
struct Segment {
    dest: Dest,
    bytes: usize,
}

/// A load in progress.
struct Loading<'b> {
    arenas: Arenas<'b>,
    target: Target,
    segments: HVec<Segment, 6>,
    needed: usize,
    got: usize,
    digest: crc::Digest<'static, u32>,
}

/// What the board holds (one per board, and there is no heap to box the large variants in).
#[allow(clippy::large_enum_variant)]
enum Slot<'b> {
    Empty(Arenas<'b>),
    Loading(Loading<'b>),
    Ctrnn {
        policy: NetCtrnn<'b>,
        rest: CtrnnRest<'b>,
        spec: CtrnnSpec,
    },
    Reservoir {
        policy: NetReservoir<'b>,
        staging: &'b mut [f32],
        spec: ReservoirSpec,
    },
    /// Only if a build that passed its dry run failed, which the same data cannot do.
    Broken,
}

/// The buffers a CTRNN controller does not use.
struct CtrnnRest<'b> {
    lists: &'b mut [u16],
    words: &'b mut [u32],
    readout: &'b mut [f32],
    staging: &'b mut [f32],
}

/// Running cost of one kind of request.
#[derive(Clone, Copy, Debug, Default)]
struct CostSum {
    count: u32,
    last: u32,
    total: u64,
}

impl CostSum {
    fn add(&mut self, c: u32) {
        self.count = self.count.saturating_add(1);
        self.last = c;
        self.total = self.total.saturating_add(u64::from(c));
    }

    fn cost(&self) -> Cost {
        let mean = self.total.checked_div(u64::from(self.count)).unwrap_or(0);
        Cost { count: self.count, last: self.last, mean: u32::try_from(mean).unwrap_or(u32::MAX) }
    }
}

/// What a handled request answers (the reply is built from it where the borrows allow).
enum Answer {
    Ok,
    Hello,
    Action(WireAction),
    StateInfo(HVec<RegionInfo, 6>),
    State(usize),
    Stats,
}

/// Sizes of the arenas.
#[derive(Clone, Copy, Debug)]
struct Capacity {
    net: usize,
    lists: usize,
    words: usize,
    readout: usize,
    scratch: usize,
    staging: usize,
}

/// A board serving the protocol.
pub struct Brain<'b, P> {
    slot: Slot<'b>,
    cap: Capacity,
    probe: P,
    board: &'static str,
    io: &'b mut Io,
    acted: bool,
    act: CostSum,
    teach: CostSum,
    frames: u32,
    refused: u32,
    bytes_in: u32,
    bytes_out: u32,
}

fn capacity(want: usize, cap: usize, buffer: Buffer) -> Result<(), Refusal> {
    if want > cap {
        return Err(Refusal::Capacity { buffer, needed: sat(want), capacity: sat(cap) });
    }
    Ok(())
}

/// A count as `u32` (saturating: counts on a board are far below).
fn sat(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The core's refusal of an observation or a step, as a wire refusal.
fn step_refusal(e: PolicyError) -> Refusal {
    Refusal::Invalid(match e {
        PolicyError::NotFinite => Part::Diverged,
        PolicyError::Target => Part::Target,
        PolicyError::Readout(rls::Error::Width { .. } | rls::Error::NotFinite) => Part::Target,
        PolicyError::Readout(_) => Part::Readout,
        PolicyError::Encode(EncodeError::TooManyVariables { .. }) => Part::Code,
        PolicyError::ActionSpace | PolicyError::Outputs { .. } => Part::ActionSpace,
        _ => Part::Observation,
    })
}

/// Builds a CTRNN controller on `net` (parameters) and `scratch`, starting from `v0`, in the
/// `saved` state if given.
fn build_ctrnn<'x>(
    net: &'x mut [f32],
    scratch: &'x mut [f32],
    v0: &[f32],
    saved: Option<&[f32]>,
    spec: &CtrnnSpec,
) -> Result<NetCtrnn<'x>, Part> {
    let ctrnn = Ctrnn::new(&spec.cfg, net).map_err(|_| Part::CtrnnModel)?;
    let mut policy = CtrnnPolicy::new(ctrnn, v0, spec.space, scratch).map_err(|e| match e {
        PolicyError::Outputs { .. } | PolicyError::ActionSpace => Part::ActionSpace,
        _ => Part::CtrnnModel,
    })?;
    if let Some(state) = saved {
        policy.set_state(state).map_err(|_| Part::State)?;
    }
    Ok(policy)
}

/// Builds a reservoir: a fresh network from the spec's seed, or (`scalars`) the saved one in
/// the buffers; the readout's weights or saved RLS state in `readout` (a new RLS readout
/// starts empty).
fn build_reservoir<'x>(
    bufs: Buffers<&'x mut [f32], &'x mut [u16], &'x mut [u32]>,
    readout: &'x mut [f32],
    scratch: &'x mut [f32],
    spec: &ReservoirSpec,
    saved: Option<&Scalars>,
) -> Result<NetReservoir<'x>, Part> {
    let net = match saved {
        None => Sorn::new(&spec.config, spec.seed, bufs).map_err(|_| Part::SornConfig)?,
        Some(s) => Sorn::restore(&spec.config, s, bufs).map_err(|_| Part::State)?,
    };
    let readout = match (spec.rls(), saved) {
        (None, _) => {
            BoardReadout::Fixed(Weights::new(spec.units + 1, spec.outputs, readout).map_err(|_| Part::Readout)?)
        }
        (Some(c), None) => BoardReadout::Learning(Rls::new(&c, readout).map_err(|_| Part::Readout)?),
        (Some(c), Some(_)) => BoardReadout::Learning(Rls::restore(&c, readout).map_err(|_| Part::State)?),
    };
    Reservoir::new(net, spec.seed, spec.code, readout, spec.units, scratch).map_err(|e| match e {
        PolicyError::Encode(_) => Part::Code,
        _ => Part::Readout,
    })
}

impl<'b, P: Probe> Brain<'b, P> {
    /// A brain with no policy, working in `arenas` and `io`, reporting as `board`.
    pub fn new(arenas: Arenas<'b>, io: &'b mut Io, probe: P, board: &'static str) -> Self {
        let cap = Capacity {
            net: arenas.net.len(),
            lists: arenas.lists.len(),
            words: arenas.words.len(),
            readout: arenas.readout.len(),
            scratch: arenas.scratch.len(),
            staging: arenas.staging.len(),
        };
        Brain {
            slot: Slot::Empty(arenas),
            cap,
            probe,
            board,
            io,
            acted: false,
            act: CostSum::default(),
            teach: CostSum::default(),
            frames: 0,
            refused: 0,
            bytes_in: 0,
            bytes_out: 0,
        }
    }

    /// Handles what a frame reader gave (a frame's bytes, or why there was none) and returns
    /// the reply frame to send (zero byte included). Never panics, whatever the bytes.
    pub fn serve(&mut self, frame: Result<&mut [u8], FrameError>) -> &[u8] {
        let len = frame.as_ref().map_or(0, |f| f.len());
        self.bytes_in = self.bytes_in.saturating_add(sat(len + 1));
        self.frames = self.frames.saturating_add(1);
        let (seq, answer) = match frame {
            Err(e) => (NO_SEQ, Err(Refusal::Frame(e))),
            Ok(f) => match decode_request(f) {
                Err(r) => (NO_SEQ, Err(r)),
                Ok((seq, req)) => (seq, self.handle(req)),
            },
        };
        if answer.is_err() {
            self.refused = self.refused.saturating_add(1);
        }
        let (stack_bytes, stack_room) = self.probe.stack();
        let info = BoardInfo {
            version: VERSION,
            board: self.board,
            firmware: env!("CARGO_PKG_VERSION"),
            f32_capacity: sat(self.cap.net),
            u16_capacity: sat(self.cap.lists),
            u32_capacity: sat(self.cap.words),
            readout_capacity: sat(self.cap.readout),
            max_payload: neuroloop_wire::frame::MAX_PAYLOAD as u16,
            cost_unit: self.probe.unit(),
        };
        let stats = Stats {
            unit: self.probe.unit(),
            act: self.act.cost(),
            teach: self.teach.cost(),
            stack_bytes,
            stack_room,
            frames: self.frames,
            refused: self.refused,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
        };
        let reply = match answer {
            Err(r) => Reply::Refused(r),
            Ok(Answer::Ok) => Reply::Ok,
            Ok(Answer::Hello) => Reply::Hello(info),
            Ok(Answer::Action(a)) => Reply::Action(a),
            Ok(Answer::StateInfo(r)) => Reply::StateInfo(r),
            Ok(Answer::State(n)) => Reply::State { bytes: &self.io.bytes[..n] },
            Ok(Answer::Stats) => Reply::Stats(stats),
        };
        if self.io.codec.reply(seq, &reply).is_err() {
            // Cannot happen for the replies above (all fit a frame); say so rather than stay silent.
            let _ = self.io.codec.reply(seq, &Reply::Refused(Refusal::Frame(FrameError::Buffer)));
        }
        let out = self.io.codec.last();
        self.bytes_out = self.bytes_out.saturating_add(sat(out.len()));
        out
    }

    fn handle(&mut self, req: Request<'_>) -> Result<Answer, Refusal> {
        match req {
            Request::Hello { version } if version == VERSION => Ok(Answer::Hello),
            Request::Hello { .. } => Err(Refusal::Version { board: VERSION }),
            Request::Begin(load) => self.begin(load),
            Request::Chunk { offset, bytes } => self.chunk(offset as usize, bytes),
            Request::Commit { crc } => self.commit(crc),
            Request::Reset { seed } => {
                self.acted = false;
                match &mut self.slot {
                    Slot::Ctrnn { policy, .. } => policy.reset(seed).map_err(step_refusal)?,
                    Slot::Reservoir { policy, .. } => policy.reset(seed).map_err(step_refusal)?,
                    _ => return Err(Refusal::NoPolicy),
                }
                Ok(Answer::Ok)
            }
            Request::Act { observation } => self.act(&observation),
            Request::Teach { target } => self.teach(&target),
            Request::StateInfo => Ok(Answer::StateInfo(self.regions()?)),
            Request::GetState { region, offset, len } => self.get_state(region, offset as usize, len as usize),
            Request::Stats => Ok(Answer::Stats),
        }
    }

    /// Checks a load against the board before anything changes; returns what it builds and
    /// where its bytes go.
    fn plan(&self, load: &Load) -> Result<(Target, HVec<Segment, 6>), Refusal> {
        let cap = self.cap;
        let mut segs = HVec::new();
        let mut seg = |dest, bytes| segs.push(Segment { dest, bytes }).map_err(|_| Refusal::NotARequest);
        let target = match load {
            Load::Ctrnn { dims, activation, env } => {
                let spec = CtrnnSpec { cfg: ctrnn::Config::new(*dims, *activation), space: env.make().action_space() };
                let layout = ctrnn::Layout::new(&spec.cfg);
                if dims.inputs == 0 || dims.hidden == 0 || dims.outputs == 0 {
                    return Err(Refusal::Invalid(Part::CtrnnModel));
                }
                let values = layout.params_len.saturating_add(dims.hidden);
                capacity(values, cap.net, Buffer::F32)?;
                capacity(NetCtrnn::scratch_len(*dims, spec.space), cap.scratch, Buffer::F32)?;
                capacity(dims.hidden.saturating_mul(3), cap.staging, Buffer::F32)?;
                let outputs = match spec.space {
                    Space::Discrete(n) => n,
                    Space::Box { low, .. } => low.len(),
                };
                if outputs != dims.outputs || env.make().observation_space().values() != dims.inputs {
                    return Err(Refusal::Invalid(Part::ActionSpace));
                }
                seg(Dest::Net, values * 4)?;
                Target::Ctrnn(spec)
            }
            Load::Reservoir { config, seed, code, units, env, readout } => {
                config.validate().map_err(|_| Refusal::Invalid(Part::SornConfig))?;
                let code = Thermometer::new(&code.scales, usize::from(code.copies), code.gain)
                    .map_err(|_| Refusal::Invalid(Part::Code))?;
                if code.channels() != config.nu as usize || code.scales().iter().any(|s| !(s.is_finite() && *s > 0.0)) {
                    return Err(Refusal::Invalid(Part::Code));
                }
                let Space::Discrete(outputs) = env.make().action_space() else {
                    return Err(Refusal::Invalid(Part::ActionSpace));
                };
                let units = usize::from(*units);
                if units == 0 || units > config.ne as usize {
                    return Err(Refusal::Invalid(Part::Readout));
                }
                let spec = ReservoirSpec { config: *config, seed: *seed, code, units, outputs, readout: *readout };
                if let Some(c) = spec.rls() {
                    c.validate().map_err(|_| Refusal::Invalid(Part::Readout))?;
                }
                let l = sorn::Layout::new(config);
                capacity(l.f32_len, cap.net, Buffer::F32)?;
                capacity(l.u16_len, cap.lists, Buffer::U16)?;
                capacity(l.u32_len, cap.words, Buffer::U32)?;
                capacity(spec.readout_len(), cap.readout, Buffer::Readout)?;
                capacity(NetReservoir::scratch_len(code.channels(), outputs), cap.scratch, Buffer::F32)?;
                if spec.rls().is_none() {
                    seg(Dest::Readout, spec.readout_len() * 4)?;
                }
                Target::Reservoir(spec)
            }
            Load::State => match &self.slot {
                Slot::Ctrnn { spec, .. } => {
                    seg(Dest::CtrnnState, spec.cfg.dims.hidden * 2 * 4)?;
                    Target::CtrnnState(*spec)
                }
                Slot::Reservoir { spec, .. } => {
                    let l = sorn::Layout::new(&spec.config);
                    seg(Dest::Net, l.f32_len * 4)?;
                    seg(Dest::Lists, l.u16_len * 2)?;
                    seg(Dest::Words, l.u32_len * 4)?;
                    seg(Dest::Scalars, SCALARS_BYTES)?;
                    if spec.rls().is_some() {
                        seg(Dest::Readout, spec.readout_len() * 4)?;
                    }
                    Target::ReservoirState(*spec)
                }
                _ => return Err(Refusal::NoPolicy),
            },
        };
        Ok((target, segs))
    }

    /// Takes the buffers back from whatever the board holds.
    fn take_arenas(&mut self) -> Option<Arenas<'b>> {
        match core::mem::replace(&mut self.slot, Slot::Broken) {
            Slot::Empty(a) => Some(a),
            Slot::Loading(l) => Some(l.arenas),
            Slot::Ctrnn { policy, rest, .. } => {
                let (net, scratch) = policy.into_parts();
                let CtrnnRest { lists, words, readout, staging } = rest;
                Some(Arenas { net: net.into_params(), lists, words, readout, scratch, staging })
            }
            Slot::Reservoir { policy, staging, .. } => {
                let (net, readout, scratch) = policy.into_parts();
                let Buffers { f32s, u16s, u32s } = net.into_buffers();
                let readout = match readout {
                    BoardReadout::Fixed(w) => w.into_inner(),
                    BoardReadout::Learning(r) => r.into_buffer(),
                };
                Some(Arenas { net: f32s, lists: u16s, words: u32s, readout, scratch, staging })
            }
            Slot::Broken => None,
        }
    }

    fn begin(&mut self, load: Load) -> Result<Answer, Refusal> {
        let (target, segments) = self.plan(&load)?;
        let arenas = self.take_arenas().ok_or(Refusal::Unsupported)?;
        self.acted = false;
        self.act = CostSum::default();
        self.teach = CostSum::default();
        let needed = segments.iter().map(|s| s.bytes).sum();
        self.slot = Slot::Loading(Loading { arenas, target, segments, needed, got: 0, digest: CRC.digest() });
        Ok(Answer::Ok)
    }

    fn chunk(&mut self, offset: usize, bytes: &[u8]) -> Result<Answer, Refusal> {
        let Slot::Loading(l) = &mut self.slot else {
            return Err(Refusal::NotLoading);
        };
        if offset != l.got {
            return Err(Refusal::OutOfOrder { expected: sat(l.got), got: sat(offset) });
        }
        let end = offset.saturating_add(bytes.len());
        if end > l.needed {
            return Err(Refusal::Overrun { needed: sat(l.needed) });
        }
        // Every segment the chunk touches must be cut at element boundaries.
        let mut start = 0;
        for s in &l.segments {
            let (a, b) = (offset.max(start), end.min(start + s.bytes));
            if a < b && ((a - start) % s.dest.size() != 0 || (b - start) % s.dest.size() != 0) {
                return Err(Refusal::Misaligned);
            }
            start += s.bytes;
        }
        let mut start = 0;
        for s in &l.segments {
            let (a, b) = (offset.max(start), end.min(start + s.bytes));
            if a < b {
                let src = &bytes[a - offset..b - offset];
                let at = a - start;
                let ar = &mut l.arenas;
                match s.dest {
                    Dest::Net => put_f32s(ar.net, at / 4, src),
                    Dest::Readout => put_f32s(ar.readout, at / 4, src),
                    Dest::CtrnnState => {
                        let h = match l.target {
                            Target::CtrnnState(spec) => spec.cfg.dims.hidden,
                            _ => 0,
                        };
                        put_f32s(ar.staging, h + at / 4, src)
                    }
                    Dest::Words => put_u32s(ar.words, at / 4, src),
                    Dest::Lists => {
                        for (k, c) in src.chunks_exact(2).enumerate() {
                            if let Some(v) = ar.lists.get_mut(at / 2 + k) {
                                *v = u16::from_le_bytes([c[0], c[1]]);
                            }
                        }
                    }
                    Dest::Scalars => {
                        if let Some(d) = self.io.scalars.get_mut(at..at + src.len()) {
                            d.copy_from_slice(src);
                        }
                    }
                }
            }
            start += s.bytes;
        }
        l.digest.update(bytes);
        l.got = end;
        Ok(Answer::Ok)
    }

    fn commit(&mut self, crc: u32) -> Result<Answer, Refusal> {
        let Slot::Loading(l) = &self.slot else {
            return Err(Refusal::NotLoading);
        };
        if l.got != l.needed {
            return Err(Refusal::Incomplete { needed: sat(l.needed), got: sat(l.got) });
        }
        if l.digest.clone().finalize() != crc {
            return Err(Refusal::Checksum);
        }
        let Slot::Loading(Loading { arenas: a, target, .. }) = core::mem::replace(&mut self.slot, Slot::Broken) else {
            return Err(Refusal::NotLoading);
        };
        let saved = match target {
            Target::ReservoirState(_) => match postcard::take_from_bytes::<Scalars>(&self.io.scalars) {
                Ok((s, pad)) if pad.iter().all(|&b| b == 0) => Some(s),
                _ => {
                    self.slot = Slot::Empty(a);
                    return Err(Refusal::Invalid(Part::State));
                }
            },
            _ => None,
        };
        match target {
            Target::Ctrnn(spec) | Target::CtrnnState(spec) => {
                let (p, h) = (spec.params(), spec.cfg.dims.hidden);
                let restoring = matches!(target, Target::CtrnnState(_));
                let Arenas { net, lists, words, readout, scratch, staging } = a;
                // staging: v0 (copied from after the parameters), then a saved state.
                let fits = net.len() >= p + h && staging.len() >= 3 * h;
                if fits {
                    staging[..h].copy_from_slice(&net[p..p + h]);
                }
                let saved = restoring.then(|| &staging[h..3 * h]);
                let dry = if fits {
                    build_ctrnn(&mut *net, &mut *scratch, &staging[..h], saved, &spec).map(|_| ())
                } else {
                    Err(Part::CtrnnModel)
                };
                if let Err(part) = dry {
                    self.slot = Slot::Empty(Arenas { net, lists, words, readout, scratch, staging });
                    return Err(Refusal::Invalid(part));
                }
                let built = build_ctrnn(net, scratch, &staging[..h], restoring.then(|| &staging[h..3 * h]), &spec);
                self.slot = match built {
                    Ok(policy) => Slot::Ctrnn { policy, rest: CtrnnRest { lists, words, readout, staging }, spec },
                    Err(_) => Slot::Broken,
                };
                Ok(Answer::Ok)
            }
            Target::Reservoir(spec) | Target::ReservoirState(spec) => {
                let Arenas { net, lists, words, readout, scratch, staging } = a;
                let dry = build_reservoir(
                    Buffers::new(&mut *net, &mut *lists, &mut *words),
                    &mut *readout,
                    &mut *scratch,
                    &spec,
                    saved.as_ref(),
                )
                .map(|_| ());
                if let Err(part) = dry {
                    self.slot = Slot::Empty(Arenas { net, lists, words, readout, scratch, staging });
                    return Err(Refusal::Invalid(part));
                }
                self.slot =
                    match build_reservoir(Buffers::new(net, lists, words), readout, scratch, &spec, saved.as_ref()) {
                        Ok(policy) => Slot::Reservoir { policy, staging, spec },
                        Err(_) => Slot::Broken,
                    };
                Ok(Answer::Ok)
            }
        }
    }

    fn act(&mut self, observation: &[f32]) -> Result<Answer, Refusal> {
        let probe = &mut self.probe;
        let (r, cost) = match &mut self.slot {
            Slot::Ctrnn { policy, .. } => probe.count(|| policy.act(observation).map(|_| wire_action(policy.action()))),
            Slot::Reservoir { policy, .. } => {
                probe.count(|| policy.act(observation).map(|_| wire_action(policy.action())))
            }
            _ => return Err(Refusal::NoPolicy),
        };
        let action = r.map_err(step_refusal)?.ok_or(Refusal::Invalid(Part::ActionSpace))?;
        self.act.add(cost);
        self.acted = true;
        Ok(Answer::Action(action))
    }

    fn teach(&mut self, target: &WireAction) -> Result<Answer, Refusal> {
        let Slot::Reservoir { policy, spec, .. } = &mut self.slot else {
            return Err(if matches!(self.slot, Slot::Ctrnn { .. }) { Refusal::Unsupported } else { Refusal::NoPolicy });
        };
        if spec.rls().is_none() {
            return Err(Refusal::Unsupported);
        }
        if !self.acted {
            return Err(Refusal::NoAction);
        }
        let action = match target {
            WireAction::Discrete(a) => Action::Discrete(*a as usize),
            WireAction::Continuous(v) => Action::Continuous(v),
        };
        let probe = &mut self.probe;
        let (r, cost) = probe.count(|| policy.learn(action));
        r.map_err(step_refusal)?;
        self.teach.add(cost);
        Ok(Answer::Ok)
    }

    /// The current policy's state regions and their sizes.
    fn regions(&self) -> Result<HVec<RegionInfo, 6>, Refusal> {
        let mut out = HVec::new();
        let mut add = |region, bytes: usize| {
            let _ = out.push(RegionInfo { region, bytes: sat(bytes) });
        };
        match &self.slot {
            Slot::Ctrnn { spec, .. } => add(Region::CtrnnState, spec.cfg.dims.hidden * 8),
            Slot::Reservoir { spec, .. } => {
                let l = sorn::Layout::new(&spec.config);
                add(Region::SornF32, l.f32_len * 4);
                add(Region::SornU16, l.u16_len * 2);
                add(Region::SornU32, l.u32_len * 4);
                add(Region::SornScalars, SCALARS_BYTES);
                if spec.rls().is_some() {
                    add(Region::Rls, spec.readout_len() * 4);
                }
            }
            _ => return Err(Refusal::NoPolicy),
        }
        Ok(out)
    }

    fn get_state(&mut self, region: Region, offset: usize, len: usize) -> Result<Answer, Refusal> {
        let size = self.regions()?.iter().find(|r| r.region == region).map(|r| r.bytes as usize);
        let Some(size) = size else {
            return Err(Refusal::Region(region));
        };
        let end = offset.saturating_add(len);
        let elem = match region {
            Region::SornU16 => 2,
            Region::SornScalars => 1,
            _ => 4,
        };
        if len > CHUNK || end > size || !offset.is_multiple_of(elem) || !len.is_multiple_of(elem) {
            return Err(Refusal::Region(region));
        }
        let out = &mut self.io.bytes[..len];
        match (&self.slot, region) {
            (Slot::Ctrnn { policy, .. }, Region::CtrnnState) => get_f32s(policy.state(), offset, out),
            (Slot::Reservoir { policy, .. }, Region::SornF32) => get_f32s(policy.network().buffers().f32s, offset, out),
            (Slot::Reservoir { policy, .. }, Region::SornU16) => {
                let src = policy.network().buffers().u16s;
                for (k, c) in out.chunks_exact_mut(2).enumerate() {
                    c.copy_from_slice(&src.get(offset / 2 + k).copied().unwrap_or(0).to_le_bytes());
                }
            }
            (Slot::Reservoir { policy, .. }, Region::SornU32) => {
                let src = policy.network().buffers().u32s;
                for (k, c) in out.chunks_exact_mut(4).enumerate() {
                    c.copy_from_slice(&src.get(offset / 4 + k).copied().unwrap_or(0).to_le_bytes());
                }
            }
            (Slot::Reservoir { policy, .. }, Region::SornScalars) => {
                let mut all = [0u8; SCALARS_BYTES];
                let _ = postcard::to_slice(&policy.network().scalars(), &mut all);
                out.copy_from_slice(&all[offset..end]);
            }
            (Slot::Reservoir { policy, .. }, Region::Rls) => match policy.readout() {
                BoardReadout::Learning(r) => get_f32s(r.buffer(), offset, out),
                BoardReadout::Fixed(_) => return Err(Refusal::Region(region)),
            },
            _ => return Err(Refusal::Region(region)),
        }
        Ok(Answer::State(len))
    }
}

/// A policy's action on the wire (`None` for a box wider than the wire carries).
fn wire_action(a: Action<'_>) -> Option<WireAction> {
    Some(match a {
        Action::Discrete(k) => WireAction::Discrete(u32::try_from(k).ok()?),
        Action::Continuous(v) => WireAction::Continuous(HVec::from_slice(v).ok()?),
    })
}

fn put_f32s(dst: &mut [f32], at: usize, src: &[u8]) {
    for (k, c) in src.chunks_exact(4).enumerate() {
        if let Some(v) = dst.get_mut(at + k) {
            *v = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
    }
}

fn put_u32s(dst: &mut [u32], at: usize, src: &[u8]) {
    for (k, c) in src.chunks_exact(4).enumerate() {
        if let Some(v) = dst.get_mut(at + k) {
            *v = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        }
    }
}

fn get_f32s(src: &[f32], offset: usize, out: &mut [u8]) {
    for (k, c) in out.chunks_exact_mut(4).enumerate() {
        c.copy_from_slice(&src.get(offset / 4 + k).copied().unwrap_or(0.0).to_le_bytes());
    }
}
