//! Processor in the loop without a board: the brain ([`neuroloop_firmware::brain`], the code
//! the board image runs) behind an in-memory link, driven by the host's client. Episodes on
//! the brain equal `eval` on the host bit for bit; a readout learning over the link ends with
//! the host's weights; damaged, out-of-order and unknown frames are refused and change nothing.
//! (`tests/pil_qemu.rs` runs the same against the board image under QEMU.)

mod common;

use std::collections::VecDeque;
use std::time::Duration;

use common::{cartpole_teacher, fixture};
use neuroloop_core::env::EnvId;
use neuroloop_core::presets::ONLINE_READOUT;
use neuroloop_firmware::brain::{Arenas, Brain, Io, NoProbe, sizes};
use neuroloop_host::control::sorn_controller::{train_sorn_readout, train_sorn_rls};
use neuroloop_host::control::{Controller, run_controller, runs_digest};
use neuroloop_host::pil::run::{learn_rls, run_episodes};
use neuroloop_host::pil::{Client, Link, PilError};
use neuroloop_wire::frame::{FrameReader, MAX_FRAME};
use neuroloop_wire::{CHUNK, Load, Refusal, Request};

/// The brain on this PC: bytes sent are served at once, replies queue up.
struct Loopback {
    brain: Brain<'static, NoProbe>,
    reader: FrameReader<MAX_FRAME>,
    out: VecDeque<u8>,
}

fn leak<T: Clone>(v: T, n: usize) -> &'static mut [T] {
    Vec::leak(vec![v; n])
}

impl Loopback {
    fn new() -> Loopback {
        let arenas = Arenas {
            net: leak(0.0, sizes::NET),
            lists: leak(0, sizes::LISTS),
            words: leak(0, sizes::WORDS),
            readout: leak(0.0, sizes::READOUT),
            scratch: leak(0.0, sizes::SCRATCH),
            staging: leak(0.0, sizes::STAGING),
        };
        let io = Box::leak(Box::new(Io::new()));
        Loopback {
            brain: Brain::new(arenas, io, NoProbe, "loopback"),
            reader: FrameReader::new(),
            out: VecDeque::new(),
        }
    }
}

impl Link for Loopback {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PilError> {
        for &b in bytes {
            if let Some(frame) = self.reader.push(b) {
                self.out.extend(self.brain.serve(frame));
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], _timeout: Duration) -> Result<usize, PilError> {
        let n = buf.len().min(self.out.len());
        for b in buf.iter_mut().take(n) {
            *b = self.out.pop_front().unwrap_or(0);
        }
        Ok(n)
    }
}

fn client() -> Client<Loopback> {
    Client::connect(Loopback::new(), Duration::from_millis(200)).unwrap()
}

/// `eval` on the host: the returns' mean and the digest of every episode.
fn on_host(controller: &Controller, episodes: u64, seed: u64) -> (f64, u32) {
    let runs = run_controller(controller, EnvId::CartPole, episodes, seed, false).unwrap();
    let mean = runs.iter().map(|r| r.summary.total_reward).sum::<f64>() / episodes as f64;
    (mean, runs_digest(runs.iter().map(|r| r.digest)))
}

#[test]
fn a_ctrnn_controller_on_the_brain_is_eval_on_the_host_bit_for_bit() {
    let model = cartpole_teacher();
    let mut c = client();
    assert_eq!(c.board().board, "loopback");
    c.load_ctrnn(&model, EnvId::CartPole).unwrap();
    let board = run_episodes(&mut c, EnvId::CartPole, 5, 7, &mut |_| {}).unwrap();
    let host = on_host(&Controller::Ctrnn(model), 5, 7);
    assert_eq!((board.returns.mean, board.digest), host);
    assert!(board.returns.mean > 400.0, "{board:?}");
    // Bytes on the wire per control step (request and reply).
    let per_step = board.bytes as f64 / board.steps as f64;
    assert!((20.0..60.0).contains(&per_step), "{per_step}");
}

#[test]
fn a_sorn_controller_with_its_fixed_readout_on_the_brain_is_eval_on_the_host() {
    let ctl = train_sorn_readout(EnvId::CartPole, &cartpole_teacher(), 3, 4, 0.3, 1.0).unwrap();
    let mut c = client();
    c.load_reservoir(&ctl, None).unwrap();
    let board = run_episodes(&mut c, EnvId::CartPole, 3, 11, &mut |_| {}).unwrap();
    assert_eq!((board.returns.mean, board.digest), on_host(&Controller::Sorn(ctl), 3, 11));
}

#[test]
fn a_readout_learning_on_the_brain_learns_the_host_weights_and_its_state_moves() {
    let teacher = cartpole_teacher();
    let mut c = client();
    let o = ONLINE_READOUT;
    let learned = learn_rls(&mut c, &teacher, EnvId::CartPole, 1, &o, &mut |_| {}).unwrap();
    let host = train_sorn_rls(EnvId::CartPole, &teacher, 1, &o).unwrap();
    assert_eq!(learned.readout, host.readout, "the board's weights are the host's, bit for bit");
    assert!(learned.readout.iter().flatten().filter(|w| **w != 0.0).count() > 40, "it learned");
    // The board's learned readout acting alone, and the fetched state evaluated on the host.
    let board = run_episodes(&mut c, EnvId::CartPole, 2, 7, &mut |_| {}).unwrap();
    assert_eq!((board.returns.mean, board.digest), on_host(&Controller::Sorn(learned), 2, 7));
    assert!(board.returns.mean >= 475.0, "the learned readout balances: {board:?}");
    // The whole state out and back in: the same episodes again.
    let state = c.get_state().unwrap();
    assert_eq!(state.len(), 5, "SORN f32/u16/u32, scalars, RLS");
    c.put_state(&state).unwrap();
    let again = run_episodes(&mut c, EnvId::CartPole, 2, 7, &mut |_| {}).unwrap();
    assert_eq!(again.digest, board.digest);
    // A damaged state is refused by the core's restore and leaves no policy.
    let mut bad = state.clone();
    let rls = bad.last_mut().unwrap();
    rls.1[0..4].copy_from_slice(&f32::NAN.to_le_bytes());
    assert!(matches!(c.put_state(&bad), Err(PilError::Refused(Refusal::Invalid(_)))));
    assert!(matches!(c.call(&Request::Reset { seed: 1 }), Err(PilError::Refused(Refusal::NoPolicy))));
}

#[test]
fn damaged_unknown_and_out_of_order_frames_are_refused_and_change_nothing() {
    let model = cartpole_teacher();
    let mut c = client();
    c.load_ctrnn(&model, EnvId::CartPole).unwrap();
    let before = run_episodes(&mut c, EnvId::CartPole, 1, 3, &mut |_| {}).unwrap();
    let refused = |c: &mut Client<Loopback>, bytes: &[u8]| {
        c.link_mut().send(bytes).unwrap();
        match c.await_reply(None) {
            Err(PilError::Refused(r)) => r,
            other => panic!("{other:?} for {bytes:?}"),
        }
    };
    // Garbage, a frame whose CRC does not match, an intact frame that is no request, too long.
    assert!(matches!(refused(&mut c, &[7, 7, 7, 0]), Refusal::Frame(_)));
    let mut codec = neuroloop_wire::Codec::new();
    let mut good = codec.request(9, &Request::Reset { seed: 5 }).unwrap().to_vec();
    let n = good.len();
    good[n - 3] ^= 0x10;
    assert!(matches!(refused(&mut c, &good), Refusal::Frame(_)));
    let mut out = [0u8; MAX_FRAME];
    let no_request = neuroloop_wire::frame::encode(&[0x01, 0xff, 0xff, 0x7f], &mut out).unwrap().to_vec();
    assert_eq!(refused(&mut c, &no_request), Refusal::NotARequest);
    let long = vec![5u8; MAX_FRAME + 10];
    c.link_mut().send(&long).unwrap();
    assert!(matches!(refused(&mut c, &[0]), Refusal::Frame(neuroloop_wire::frame::FrameError::Oversized)));
    // A truncated frame followed by a good one: the zero resynchronises.
    let good = codec.request(10, &Request::Stats).unwrap().to_vec();
    c.link_mut().send(&good[..good.len() / 2]).unwrap();
    assert!(matches!(refused(&mut c, &[0]), Refusal::Frame(_)));
    // Loads out of order, past the end, unaligned, committed early or with a wrong CRC.
    c.expect_ok(&Request::Begin(Load::Ctrnn { dims: model.dims, activation: model.activation, env: EnvId::CartPole }))
        .unwrap();
    let chunk = [0u8; 8];
    let r = c.call(&Request::Chunk { offset: 8, bytes: &chunk }).unwrap_err();
    assert!(matches!(r, PilError::Refused(Refusal::OutOfOrder { expected: 0, got: 8 })), "{r}");
    let r = c.call(&Request::Chunk { offset: 0, bytes: &chunk[..3] }).unwrap_err();
    assert!(matches!(r, PilError::Refused(Refusal::Misaligned)), "{r}");
    let r = c.call(&Request::Commit { crc: 0 }).unwrap_err();
    assert!(matches!(r, PilError::Refused(Refusal::Incomplete { got: 0, .. })), "{r}");
    assert!(CHUNK >= chunk.len());
    // A load that does not fit is refused before the current policy is dropped.
    let mut big = model.clone();
    big.dims.hidden = 100_000;
    let r = c.call(&Request::Begin(Load::Ctrnn { dims: big.dims, activation: big.activation, env: EnvId::CartPole }));
    assert!(matches!(r, Err(PilError::Refused(Refusal::Capacity { .. }))), "{r:?}");
    // The interrupted load dropped the policy (Begin replaces it); load again, same episodes.
    c.load_ctrnn(&model, EnvId::CartPole).unwrap();
    let after = run_episodes(&mut c, EnvId::CartPole, 1, 3, &mut |_| {}).unwrap();
    assert_eq!(after.digest, before.digest);
    let stats = c.stats().unwrap();
    assert!(stats.refused >= 9 && stats.act.count > 0, "{stats:?}");
    // A model the board's core refuses (alpha out of range) is refused at commit.
    let mut wrong = model.clone();
    let alpha = wrong.spans().alpha;
    wrong.params[alpha.start] = 2.0;
    assert!(matches!(c.load_ctrnn(&wrong, EnvId::CartPole), Err(PilError::Refused(Refusal::Invalid(_)))));
    let _ = fixture("cartpole_controller.json");
}

/// The bytes a host sends in one session, for the wire fuzz target's seeds.
struct Recording {
    inner: Loopback,
    sent: Vec<u8>,
}

impl Link for Recording {
    fn send(&mut self, bytes: &[u8]) -> Result<(), PilError> {
        self.sent.extend_from_slice(bytes);
        self.inner.send(bytes)
    }
    fn recv(&mut self, buf: &mut [u8], t: Duration) -> Result<usize, PilError> {
        self.inner.recv(buf, t)
    }
}

/// A small reservoir (it fits the fuzz target's arenas) with a readout of 20 units.
fn small_reservoir() -> neuroloop_host::control::sorn_controller::SornController {
    let mut ctl =
        neuroloop_host::control::sorn_controller::SornController::blank(EnvId::CartPole, 3, 20, "seed").unwrap();
    ctl.config = neuroloop_core::sorn::Config { ne: 40, ni: 8, nu: 40, ..ctl.config };
    ctl.readout.iter_mut().flatten().enumerate().for_each(|(k, w)| *w = (k as f32 * 0.37).sin());
    let l = neuroloop_core::sorn::Layout::new(&ctl.config);
    assert!(l.f32_len <= 4096 && l.u16_len <= 2048 && l.u32_len <= 2048, "{l:?}");
    ctl
}

#[test]
fn the_wire_fuzz_seeds_are_sessions_of_this_protocol() {
    // Regenerate with NEUROLOOP_BLESS=1 after a protocol change (and bump neuroloop_wire::VERSION).
    type Session<'a> = &'a dyn Fn(&mut Client<Recording>);
    let sessions: [(&str, Session); 3] = [
        ("ctrnn.bin", &|c| {
            c.load_ctrnn(&cartpole_teacher(), EnvId::CartPole).unwrap();
            run_episodes(c, EnvId::CartPole, 1, 5, &mut |_| {}).unwrap();
            c.get_state().unwrap();
            c.stats().unwrap();
        }),
        ("reservoir_fixed.bin", &|c| {
            c.load_reservoir(&small_reservoir(), None).unwrap();
            c.expect_ok(&Request::Reset { seed: 2 }).unwrap();
            for k in 0..3 {
                let obs = neuroloop_wire::heapless::Vec::from_slice(&[0.01 * k as f32, 0.0, -0.02, 0.1]).unwrap();
                c.call(&Request::Act { observation: obs }).unwrap();
            }
            c.get_state().unwrap();
        }),
        ("reservoir_rls.bin", &|c| {
            c.load_reservoir(&small_reservoir(), Some((0.1, 1.0))).unwrap();
            c.expect_ok(&Request::Reset { seed: 2 }).unwrap();
            for k in 0..3u32 {
                let obs = neuroloop_wire::heapless::Vec::from_slice(&[0.0, 0.02 * k as f32, 0.01, -0.1]).unwrap();
                c.call(&Request::Act { observation: obs }).unwrap();
                c.expect_ok(&Request::Teach { target: neuroloop_wire::WireAction::Discrete(k % 2) }).unwrap();
            }
            let state = c.get_state().unwrap();
            c.put_state(&state).unwrap();
        }),
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/wire_frames");
    for (name, session) in sessions {
        let link = Recording { inner: Loopback::new(), sent: Vec::new() };
        let mut c = Client::connect(link, Duration::from_millis(200)).unwrap();
        session(&mut c);
        let sent = std::mem::take(&mut c.link_mut().sent);
        let path = dir.join(name);
        if std::env::var_os("NEUROLOOP_BLESS").is_some() {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &sent).unwrap();
        }
        let stored =
            std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (NEUROLOOP_BLESS=1 writes it)", path.display()));
        assert_eq!(stored, sent, "{name}: the protocol's bytes changed (bump VERSION, bless the seeds)");
    }
}
