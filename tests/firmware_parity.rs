//! The firmware's scenarios ([`neuroloop_firmware::scenarios`]) run under QEMU on a Cortex-M4F
//! (`mps2-an386`, hardware FPU), a Cortex-M3 (`mps2-an385`, soft float) and a Cortex-M0
//! (`microbit`) and print the same lines as the very same functions run here on the PC: bit for
//! bit, no tolerance. The test holds no copy of a scenario; it calls the library.
//!
//! Needs the thumb targets and `qemu-system-arm`; the README test command installs them.
//! Without QEMU the test fails with a message saying what to install (set
//! `NEUROLOOP_SKIP_QEMU=1` to skip it deliberately).

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::cartpole_teacher;
use neuroloop_core::env::EnvId;
use neuroloop_core::presets::ONLINE_READOUT;
use neuroloop_firmware::scenarios::{self, NoCounter, SORN_F32, SORN_U16, SORN_U32, SornBuffers};
use neuroloop_host::control::{Controller, evaluate};

/// The lines the board prints, computed here by the same functions.
fn host_lines() -> Vec<String> {
    let (mut f, mut h, mut w) = (vec![0.0f32; SORN_F32], vec![0u16; SORN_U16], vec![0u32; SORN_U32]);
    let mut rls = vec![0.0f32; scenarios::RLS_LEN];
    let mut c = NoCounter;
    let (sorn, bufs) = scenarios::sorn(SornBuffers::new(&mut f[..], &mut h[..], &mut w[..]), &mut c).unwrap();
    let ctrnn = scenarios::ctrnn(&mut c).unwrap();
    let cartpole = scenarios::cartpole(&mut c).unwrap();
    let (rls_report, _) = scenarios::sorn_rls(bufs, &mut rls, &mut c).unwrap();
    vec![sorn.to_string(), ctrnn.to_string(), cartpole.to_string(), rls_report.to_string()]
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the firmware for `target` with `features` and runs it on `machine`; returns stdout.
fn run_firmware(target: &str, features: &str, machine: &str, cpu: &str) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "neuroloop-firmware", "--profile", "firmware", "--target", target])
        .args(["--no-default-features", "--features", features])
        .current_dir(workspace_root())
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "firmware build failed (is the target installed? `rustup target add {target}`)");
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let elf = target_dir.join(target).join("firmware").join("neuroloop-firmware");
    let mut child = Command::new("qemu-system-arm")
        .args(["-machine", machine, "-cpu", cpu, "-nographic"])
        .args(["-semihosting-config", "enable=on,target=native", "-icount", "shift=10,sleep=off", "-kernel"])
        .arg(&elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qemu starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the firmware did not exit within 120 s under QEMU {machine} (hang or HardFault loop)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        status.success(),
        "firmware exited with {status} on {machine}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn qemu_present() -> bool {
    if std::env::var_os("NEUROLOOP_SKIP_QEMU").is_some() {
        eprintln!("skipped: NEUROLOOP_SKIP_QEMU is set");
        return false;
    }
    let qemu = Command::new("qemu-system-arm").arg("--version").stdout(Stdio::null()).status();
    assert!(
        matches!(qemu, Ok(s) if s.success()),
        "qemu-system-arm is missing: `apt-get install -y qemu-system-arm` (the README test command does this)"
    );
    true
}

#[test]
fn the_host_lines_are_the_pinned_ones() {
    // The digests pinned since the firmware first ran (CHANGELOG.md names any change).
    assert_eq!(
        host_lines(),
        [
            "sorn steps=200 ee=3907 ei=1545 digest=0xd6ac111e",
            "ctrnn steps=100 y0=0xbd38f9a8 digest=0xc21233c3",
            "cartpole steps=500 return=500 digest=0x71610b6d",
            "sorn_rls episodes=6 steps=2444 weights=0x87908fd5 digest=0x95d4dbde return=500",
        ]
    );
}

#[test]
fn the_cli_learns_the_same_rls_readout_as_the_board() {
    // `neuroloop train --controller sorn --readout rls` (train_sorn_rls with its defaults and
    // this teacher) ends with the weights the board learns, and its controller scores the
    // board's test episode.
    use neuroloop_core::digest::Fnv1a;
    use neuroloop_host::control::sorn_controller::{RlsOptions, train_sorn_rls};
    let o = RlsOptions::default();
    assert_eq!(o, ONLINE_READOUT);
    let ctl = train_sorn_rls(EnvId::CartPole, &cartpole_teacher(), scenarios::RLS_SEED, &o).unwrap();
    let mut weights = Fnv1a::new();
    ctl.readout.iter().for_each(|row| weights.write_f32s(row));
    let mut c = NoCounter;
    let (mut f, mut h, mut w) = (vec![0.0f32; SORN_F32], vec![0u16; SORN_U16], vec![0u32; SORN_U32]);
    let mut rls = vec![0.0f32; scenarios::RLS_LEN];
    let (board, _) =
        scenarios::sorn_rls(SornBuffers::new(&mut f[..], &mut h[..], &mut w[..]), &mut rls, &mut c).unwrap();
    assert_eq!(weights.finish(), board.weights);
    let ret = evaluate(&Controller::Sorn(ctl), EnvId::CartPole, 1, scenarios::RLS_TEST_SEED).unwrap().mean;
    assert_eq!(ret as u32, board.total);
    assert!(ret >= 475.0, "the board's readout balances: {ret}");
}

#[test]
fn the_embedded_models_are_the_committed_model_files() {
    // `neuroloop ctrnn embed` still writes exactly the committed firmware models.
    use neuroloop_host::ctrnn::{blob, rust_source};
    let model = cartpole_teacher();
    let dir = workspace_root().join("firmware/src/models");
    assert_eq!(
        rust_source(&model, "neuroloop_core", "cartpole_controller.f32le"),
        std::fs::read_to_string(dir.join("cartpole_controller.rs")).unwrap()
    );
    assert_eq!(blob(&model), std::fs::read(dir.join("cartpole_controller.f32le")).unwrap());
    let c = neuroloop_firmware::models::cartpole_controller::CONFIG;
    assert_eq!((c.dims, c.activation), (model.dims, model.activation));
}

#[test]
fn firmware_scenarios_match_the_host_bit_for_bit_on_m4f_and_m3() {
    if !qemu_present() {
        return;
    }
    let host = host_lines();
    for (target, machine, cpu) in
        [("thumbv7em-none-eabihf", "mps2-an386", "cortex-m4"), ("thumbv7m-none-eabi", "mps2-an385", "cortex-m3")]
    {
        let out = run_firmware(target, "sorn,ctrnn,cartpole,sorn-rls", machine, cpu);
        assert_eq!(scenario_lines(&out), host, "{machine}");
        assert!(out.contains("sorn_step_instructions="), "instruction counts printed");
        // The mps2 boards have 4 MiB of RAM: what the stack does not get is the image's static
        // RAM. On the 128 KiB STM32F411 (docs/boards.md) the deepest scenario must leave a
        // quarter of the stack room unused.
        let (region, peak) = stack(&out, 4);
        let room = (128 * 1024 + region).saturating_sub(4 << 20);
        assert!(4 * peak <= 3 * room, "{machine}: peak stack {peak} B of {room} B on an STM32F411");
    }
}

/// The lines that must equal the host's: not the measurements (instructions, stack bytes).
fn scenario_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| !l.contains("instructions=") && !l.contains("_bytes=")).collect()
}

/// The stack region's size and the deepest stack of the `scenarios` the board ran (each
/// prints `<name>_stack_bytes=`, measured by painting); every reading is checked to be real.
fn stack(out: &str, scenarios: usize) -> (usize, usize) {
    let value = |l: &str| l.rsplit('=').next().and_then(|v| v.parse::<usize>().ok());
    let region = out.lines().find(|l| l.starts_with("stack_region_bytes=")).and_then(value).expect("stack region");
    let peaks: Vec<usize> = out.lines().filter(|l| l.contains("_stack_bytes=")).filter_map(value).collect();
    assert_eq!(peaks.len(), scenarios, "one stack reading per scenario: {out}");
    // At least the scenario's own frame was used, and never more than the region.
    assert!(peaks.iter().all(|&p| p > 256 && p < region), "{peaks:?} in {region}");
    (region, peaks.into_iter().max().unwrap_or(0))
}

#[test]
fn firmware_ctrnn_and_cartpole_match_the_host_on_m0() {
    // The SORN scenarios (105-115 KiB) do not fit the micro:bit's 16 KiB of RAM; the CTRNN and
    // the closed loop do, with a quarter of the stack room to spare.
    if !qemu_present() {
        return;
    }
    let out = run_firmware("thumbv6m-none-eabi", "ctrnn,cartpole", "microbit", "cortex-m0");
    let mut c = NoCounter;
    let host = [scenarios::ctrnn(&mut c).unwrap().to_string(), scenarios::cartpole(&mut c).unwrap().to_string()];
    assert_eq!(scenario_lines(&out), host);
    let (region, peak) = stack(&out, 2);
    assert!(4 * peak <= 3 * region, "peak stack {peak} B of {region} B");
}

#[test]
fn a_default_m0_build_names_the_features_that_fit() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "-p", "neuroloop-firmware", "--profile", "firmware", "--target", "thumbv6m-none-eabi"])
        .current_dir(workspace_root())
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("--no-default-features --features ctrnn,cartpole"), "{stderr}");
    assert!(!stderr.contains("will not fit in region"), "stopped before the linker: {stderr}");
}
