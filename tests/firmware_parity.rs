//! The firmware's SORN (default network, seed 1, 200 plastic steps, README input) run under
//! QEMU's Cortex-M4F (`mps2-an386`) prints the same synapse counts and spike digest as the same
//! run through `neuroloop-core` on this machine: bit for bit, no tolerance.
//!
//! Needs the `thumbv7em-none-eabihf` target and `qemu-system-arm`; the README test command
//! installs both. Without QEMU the test fails with a message saying what to install (set
//! `NEUROLOOP_SKIP_QEMU=1` to skip it deliberately).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use neuroloop_core::sorn::Config;
use neuroloop_host::sorn::{build, input_rng};

/// The line the firmware prints, computed on the host.
fn host_line(steps: u32, seed: u64) -> String {
    let mut net = build(&Config::DEFAULT, seed).unwrap();
    let mut inputs = input_rng(seed);
    let mut u = [0.0f32; 10];
    let mut digest: u32 = 0x811c_9dc5;
    for _ in 0..steps {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        net.step(&u).unwrap();
        for w in net.x().words().iter().chain(net.y().words()) {
            for b in w.to_le_bytes() {
                digest = (digest ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        }
    }
    format!("sorn steps={} ee={} ei={} digest={:#010x}", steps, net.ee_count(), net.ei_count(), digest)
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn firmware_sorn_matches_the_host_bit_for_bit() {
    if std::env::var_os("NEUROLOOP_SKIP_QEMU").is_some() {
        eprintln!("skipped: NEUROLOOP_SKIP_QEMU is set");
        return;
    }
    let qemu = Command::new("qemu-system-arm").arg("--version").stdout(Stdio::null()).status();
    assert!(
        matches!(qemu, Ok(s) if s.success()),
        "qemu-system-arm is missing: `apt-get install -y qemu-system-arm` (the README test command does this)"
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = "thumbv7em-none-eabihf";
    let status = Command::new(cargo)
        .args(["build", "-q", "-p", "neuroloop-firmware", "--release", "--target", target])
        .current_dir(workspace_root())
        .env_remove("RUSTFLAGS")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "firmware build failed (is the target installed? `rustup target add {target}`)");
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace_root().join("target"), PathBuf::from);
    let elf = target_dir.join(target).join("release").join("neuroloop-firmware");
    let mut child = Command::new("qemu-system-arm")
        .args(["-machine", "mps2-an386", "-cpu", "cortex-m4", "-nographic"])
        .args(["-semihosting-config", "enable=on,target=native", "-kernel"])
        .arg(&elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qemu starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the firmware did not exit within 60 s under QEMU (hang or HardFault loop)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(status.success(), "firmware exited with {status}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    let board = stdout.lines().find(|l| l.starts_with("sorn ")).expect("the firmware prints its result line");
    assert_eq!(board, host_line(200, 1));
}

#[test]
fn the_digest_depends_on_the_seed() {
    // So that equality above means something.
    assert_ne!(host_line(200, 1), host_line(200, 2));
}
