//! Processor in the loop under QEMU: the brain image on `mps2-an386` (M4F) and `mps2-an385`
//! (M3), its UART on a unix socket, the plant on this PC. Episodes equal `eval` on the host bit
//! for bit; damaged frames sent to the board are refused and the next exchange works; a board
//! that dies gives a clear error, not a hang.
//!
//! Needs the thumb targets and `qemu-system-arm` (the README test command installs them; set
//! `NEUROLOOP_SKIP_QEMU=1` to skip deliberately).

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{cartpole_teacher, cli};
use neuroloop_core::env::EnvId;
use neuroloop_host::control::{Controller, run_controller, runs_digest};
use neuroloop_host::pil::run::run_episodes;
use neuroloop_host::pil::{Client, Link, PilError, Qemu, QemuBoard};
use neuroloop_wire::{Refusal, Request};

fn qemu_present() -> bool {
    if std::env::var_os("NEUROLOOP_SKIP_QEMU").is_some() {
        eprintln!("skipped: NEUROLOOP_SKIP_QEMU is set");
        return false;
    }
    let ok = Command::new("qemu-system-arm").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(ok, "qemu-system-arm is missing: `apt-get install -y qemu-system-arm` (the README test command does this)");
    true
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from)
}

/// Builds the brain image for `board` and returns its path.
fn brain(board: QemuBoard) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "neuroloop-firmware", "--profile", "firmware", "--target", board.target()])
        .args(["--bin", "brain"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "brain build failed for {}", board.target());
    board.image(&target_dir())
}

fn on_host(episodes: u64, seed: u64) -> (f64, u32) {
    let runs = run_controller(&Controller::Ctrnn(cartpole_teacher()), EnvId::CartPole, episodes, seed, false).unwrap();
    let mean = runs.iter().map(|r| r.summary.total_reward).sum::<f64>() / episodes as f64;
    (mean, runs_digest(runs.iter().map(|r| r.digest)))
}

#[test]
fn episodes_on_the_qemu_boards_equal_eval_and_bad_frames_are_refused() {
    if !qemu_present() {
        return;
    }
    for board in [QemuBoard::M4f, QemuBoard::M3] {
        let image = brain(board);
        // Instructions counted (icount) on the M4F, the faster link on the M3.
        let icount = board == QemuBoard::M4f;
        let qemu = Qemu::start(board, &image, icount).unwrap();
        let mut c = Client::connect(qemu, Duration::from_secs(20)).unwrap();
        assert!(c.board().board.starts_with("qemu-mps2-an38"), "{:?}", c.board());
        c.load_ctrnn(&cartpole_teacher(), EnvId::CartPole).unwrap();
        let t0 = Instant::now();
        let got = run_episodes(&mut c, EnvId::CartPole, 2, 7, &mut |_| {}).unwrap();
        let secs = t0.elapsed().as_secs_f64();
        assert_eq!((got.returns.mean, got.digest), on_host(2, 7), "{board:?}");
        eprintln!(
            "{board:?}: {} steps in {secs:.2} s, {:.1} bytes/step",
            got.steps,
            got.bytes as f64 / got.steps as f64
        );
        // Garbage, then a flipped bit: each refused, and the board goes on.
        let mut codec = neuroloop_wire::Codec::new();
        for bytes in [vec![1u8, 2, 3, 0], {
            let mut f = codec.request(40, &Request::Stats).unwrap().to_vec();
            f[2] ^= 0x04;
            f
        }] {
            c.link_mut().send(&bytes).unwrap();
            assert!(matches!(c.await_reply(None), Err(PilError::Refused(Refusal::Frame(_)))));
        }
        let stats = c.stats().unwrap();
        assert_eq!(stats.refused, 2);
        assert!(stats.stack_bytes > 1_000 && stats.stack_bytes < stats.stack_room, "{stats:?}");
        if icount {
            // The controller step (H 8) costs ~3,400 instructions in the firmware's scenario.
            assert!((2_000..6_000).contains(&stats.act.mean), "{stats:?}");
        }
        let again = run_episodes(&mut c, EnvId::CartPole, 1, 7, &mut |_| {}).unwrap();
        assert_eq!(again.returns.mean, on_host(1, 7).0);
    }
}

#[test]
fn a_board_that_dies_is_a_clear_error_not_a_hang() {
    if !qemu_present() {
        return;
    }
    let image = brain(QemuBoard::M4f);
    let mut qemu = Qemu::start(QemuBoard::M4f, &image, false).unwrap();
    qemu.send(&[0]).unwrap();
    let mut c = Client::connect(qemu, Duration::from_secs(5)).unwrap();
    // Kill the board under the client: the next request fails at once, saying why.
    c.link_mut().stop();
    let t0 = Instant::now();
    let e = c.call(&Request::Stats).unwrap_err();
    assert!(t0.elapsed() < Duration::from_secs(6), "{:?}", t0.elapsed());
    assert!(matches!(e, PilError::BoardGone(_) | PilError::Io(_) | PilError::Closed), "{e}");
    // A missing image names the command that builds it.
    let e = Qemu::start(QemuBoard::M3, std::path::Path::new("/nonexistent/brain"), false).err().unwrap().to_string();
    assert!(e.contains("cargo build -p neuroloop-firmware"), "{e}");
}

#[test]
fn neuroloop_pil_prints_the_return_and_digest_of_neuroloop_eval() {
    if !qemu_present() {
        return;
    }
    let image = brain(QemuBoard::M3);
    let model = common::fixture("cartpole_controller.json");
    let m = model.to_str().unwrap();
    let common_args = ["--env", "CartPole-v1", "--model", m, "--episodes", "2", "--seed", "9"];
    let (code, out, err) =
        cli(&[&["pil", "--board", "qemu-m3", "--image", image.to_str().unwrap()][..], &common_args].concat());
    assert_eq!(code, 0, "{err}");
    let pil: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let (code, out, _) = cli(&[&["eval"][..], &common_args].concat());
    assert_eq!(code, 0);
    let eval: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    for key in ["mean_return", "std_return", "terminated_fraction", "digest", "episodes"] {
        assert_eq!(pil[key], eval[key], "{key}");
    }
    assert_eq!(pil["board"], "qemu-mps2-an385");
    assert!(pil["bytes_per_step"].as_f64().unwrap() > 20.0);
}

#[test]
fn bad_pil_arguments_are_clear_errors() {
    let model = common::fixture("cartpole_controller.json");
    let m = model.to_str().unwrap();
    let base = ["pil", "--env", "CartPole-v1", "--seed", "1"];
    for (extra, says) in [
        (&["--board", "qemu-m4f"][..], "--model is needed"),
        (&["--board", "qemu-m4f", "--model", m, "--learn", "rls", "--teacher", m][..], "exclude each other"),
        (&["--board", "qemu-m4f", "--learn", "rls"][..], "needs --teacher"),
        (&["--board", "qemu-m4f", "--model", m, "--episodes", "0"][..], "--episodes 0"),
        (&["--board", "qemu-m4f", "--model", m, "--timeout", "0"][..], "--timeout"),
        (&["--board", "serial:/nonexistent/tty", "--model", m][..], "cannot open /nonexistent/tty"),
        (
            &["--board", "qemu-m4f", "--model", m, "--image", "/nonexistent/brain"][..],
            "cargo build -p neuroloop-firmware",
        ),
    ] {
        let (code, _, err) = cli(&[&base[..], extra].concat());
        assert_eq!(code, 1, "{extra:?}: {err}");
        assert!(err.contains(says), "{extra:?}: {err}");
    }
    let (code, _, err) = cli(&[&base[..], &["--board", "usb", "--model", m][..]].concat());
    assert_eq!(code, 2);
    assert!(err.contains("qemu-m4f, qemu-m3 and serial:PATH"), "{err}");
}
