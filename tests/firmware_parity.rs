//! The firmware's scenarios run under QEMU on a Cortex-M4F (`mps2-an386`, hardware FPU) and a
//! Cortex-M3 (`mps2-an385`, soft float) print the same digests as the same runs through
//! `neuroloop-core` on this machine: bit for bit, no tolerance.
//! - SORN: default network, seed 1, 200 plastic steps of the README input (synapse counts and a
//!   digest of every step's spikes);
//! - CTRNN: the nn4n fixture's model embedded at build time, 100 steps of a fixed input (digest
//!   of every step's state and readout);
//! - closed loop: the CartPole-v1 plant and the CTRNN controller trained on the host
//!   (`tests/fixtures/cartpole_controller.json`), one episode (digest of every state and action).
//!
//! Needs the thumb targets and `qemu-system-arm`; the README test command installs them.
//! Without QEMU the test fails with a message saying what to install (set
//! `NEUROLOOP_SKIP_QEMU=1` to skip it deliberately).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use neuroloop_core::sorn::Config;
use neuroloop_host::sorn::{build, input_rng};

/// FNV-1a over little-endian words, as the firmware computes it (`firmware/src/main.rs`).
fn fnv(mut digest: u32, words: impl IntoIterator<Item = u32>) -> u32 {
    for w in words {
        for b in w.to_le_bytes() {
            digest = (digest ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    digest
}

/// The line the firmware prints, computed on the host.
fn host_line(steps: u32, seed: u64) -> String {
    let mut net = build(&Config::DEFAULT, seed).unwrap();
    let mut inputs = input_rng(seed);
    let mut u = [0.0f32; 10];
    let mut digest: u32 = 0x811c_9dc5;
    for _ in 0..steps {
        u.iter_mut().for_each(|v| *v = inputs.uniform_f32());
        net.step(&u).unwrap();
        digest = fnv(digest, net.x().words().iter().chain(net.y().words()).copied());
    }
    format!("sorn steps={} ee={} ei={} digest={:#010x}", steps, net.ee_count(), net.ei_count(), digest)
}

mod model {
    include!("../firmware/src/ctrnn_model.rs");
}

/// The CTRNN scenario's line, computed on the host.
fn host_ctrnn_line() -> String {
    let net = neuroloop_core::ctrnn::Ctrnn::new(model::DIMS, model::ACTIVATION, model::PARAMS.to_vec()).unwrap();
    let mut state = vec![0.0f32; 2 * model::DIMS.hidden];
    let mut y = vec![0.0f32; model::DIMS.outputs];
    let mut digest: u32 = 0x811c_9dc5;
    for t in 0..100u32 {
        let u = [(t % 10) as f32 * 0.1, -0.3, 1.0];
        net.step(&mut state, &u, &mut y, None).unwrap();
        digest = fnv(digest, state.iter().chain(y.iter()).map(|v| v.to_bits()));
    }
    let _ = model::V0;
    format!("ctrnn steps=100 y0={:#010x} digest={:#010x}", y[0].to_bits(), digest)
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

mod controller {
    include!("../firmware/src/cartpole_controller.rs");
}

/// The closed-loop scenario's line, computed on the host: CartPole-v1 from reset seed 7 and the
/// embedded controller, one episode.
fn host_cartpole_line() -> String {
    use neuroloop_core::env::{Action, CartPole};
    let net = neuroloop_core::ctrnn::Ctrnn::new(controller::DIMS, controller::ACTIVATION, controller::PARAMS.to_vec())
        .unwrap();
    let mut state = vec![0.0f32; 2 * controller::DIMS.hidden];
    net.init_state(&controller::V0, &mut state).unwrap();
    let mut y = [0.0f32; 2];
    let mut env = CartPole::new();
    let mut obs = env.reset(7);
    let (mut digest, mut steps, mut total) = (0x811c_9dc5u32, 0u32, 0.0f64);
    loop {
        net.step(&mut state, &obs, &mut y, None).unwrap();
        let action = usize::from(y[1] > y[0]);
        let t = env.step(Action::Discrete(action)).unwrap();
        steps += 1;
        total += t.reward;
        let words =
            env.state().iter().flat_map(|v| [v.to_bits() as u32, (v.to_bits() >> 32) as u32]).collect::<Vec<_>>();
        digest = fnv(digest, words.into_iter().chain([action as u32]));
        if t.terminated || t.truncated {
            break;
        }
        obs = env.observation();
    }
    format!("cartpole steps={} return={} digest={:#010x}", steps, total as u32, digest)
}

/// The `sorn-rls` scenario's line, computed on the host with the core's pieces, exactly as
/// `firmware/src/main.rs` runs it.
fn host_sorn_rls_line() -> String {
    use neuroloop_core::control::{
        CARTPOLE_CODE, RESERVOIR_MODE, Rls, RlsLayout, argmax, one_hot_targets, reservoir_config, spike_features,
    };
    use neuroloop_core::env::{Action, CartPole};
    use neuroloop_core::rng::NetRng;
    use settings::{DELTA, EPISODES, EXPLORE, SEED, TEST_SEED, UNITS};
    let teacher =
        neuroloop_core::ctrnn::Ctrnn::new(controller::DIMS, controller::ACTIVATION, controller::PARAMS.to_vec())
            .unwrap();
    let cfg = reservoir_config(CARTPOLE_CODE.channels() as u32);
    let mut rls =
        Rls::new(RlsLayout::new(UNITS + 1, 2), DELTA, 1.0, vec![0.0f32; RlsLayout::new(UNITS + 1, 2).len]).unwrap();
    let mut rng = NetRng::seed_from_u64(SEED ^ 0x0050_524e);
    let mut u = vec![0.0f32; CARTPOLE_CODE.channels()];
    let (mut digest, mut steps) = (0x811c_9dc5u32, 0u32);
    let mut targets = [0.0f32; 2];
    let mut env = CartPole::new();
    for ep in 0..EPISODES {
        let mut net = build(&cfg, SEED).unwrap();
        net.set_mode(RESERVOIR_MODE);
        let mut state = vec![0.0f32; 2 * controller::DIMS.hidden];
        teacher.init_state(&controller::V0, &mut state).unwrap();
        let mut y = [0.0f32; 2];
        let mut obs = env.reset(SEED + ep);
        loop {
            CARTPOLE_CODE.encode(&obs, &mut u).unwrap();
            teacher.step(&mut state, &obs, &mut y, None).unwrap();
            let best = argmax(&y);
            one_hot_targets(best, &mut targets);
            net.step(&u).unwrap();
            rls.update_ones(spike_features(net.x(), UNITS), &targets).unwrap();
            steps += 1;
            let action = if rng.uniform_f32() < EXPLORE { rng.below(2) as usize } else { best };
            digest = fnv(digest, net.x().words().iter().copied().chain([best as u32, action as u32]));
            let t = env.step(Action::Discrete(action)).unwrap();
            if t.terminated || t.truncated {
                break;
            }
            obs = env.observation();
        }
    }
    let weights = fnv(0x811c_9dc5, rls.weights().iter().map(|w| w.to_bits()));
    let mut net = build(&cfg, SEED).unwrap();
    net.set_mode(RESERVOIR_MODE);
    let mut obs = env.reset(TEST_SEED);
    let mut scores = [0.0f32; 2];
    let mut total = 0.0f64;
    loop {
        CARTPOLE_CODE.encode(&obs, &mut u).unwrap();
        net.step(&u).unwrap();
        rls.predict_ones(spike_features(net.x(), UNITS), &mut scores).unwrap();
        let t = env.step(Action::Discrete(argmax(&scores))).unwrap();
        total += t.reward;
        if t.terminated || t.truncated {
            break;
        }
        obs = env.observation();
    }
    format!(
        "sorn_rls episodes={EPISODES} steps={steps} weights={weights:#010x} digest={digest:#010x} return={}",
        total as u32
    )
}

#[allow(dead_code)]
mod settings {
    include!("../firmware/src/sorn_rls_settings.rs");
}

#[test]
fn the_cli_learns_the_same_rls_readout_as_the_board() {
    // `neuroloop train --controller sorn --readout rls` (train_sorn_rls with its defaults and
    // this teacher) ends with the weights the board learns, and its controller scores the
    // board's test episode.
    use neuroloop_host::sorn_control::{RlsOptions, train_sorn_rls};
    let (teacher, _) = neuroloop_host::ctrnn::Model::load(
        &workspace_root().join("tests/fixtures/cartpole_controller.json"),
        Default::default(),
    )
    .unwrap();
    let o = RlsOptions::default();
    assert_eq!(
        (o.episodes, o.explore, o.units as usize, o.delta, o.forgetting),
        (settings::EPISODES, settings::EXPLORE, settings::UNITS, settings::DELTA, 1.0)
    );
    let ctl = train_sorn_rls("CartPole-v1", &teacher, settings::SEED, &o).unwrap();
    let weights = fnv(0x811c_9dc5, ctl.readout.iter().flatten().map(|w| w.to_bits()));
    let line = host_sorn_rls_line();
    assert!(line.contains(&format!("weights={weights:#010x}")), "{line} vs {weights:#010x}");
    let mut env = neuroloop_host::env::AnyEnv::new("CartPole-v1").unwrap();
    let (ret, _) = ctl.run_episode(&mut env, settings::TEST_SEED).unwrap();
    assert!(line.ends_with(&format!("return={}", ret as u32)), "{line} vs {ret}");
    assert!(ret >= 475.0, "the board's readout balances: {ret}");
}

#[test]
fn the_embedded_controller_is_the_trained_model_and_balances_the_pole() {
    let (model, _) = neuroloop_host::ctrnn::Model::load(
        &workspace_root().join("tests/fixtures/cartpole_controller.json"),
        Default::default(),
    )
    .unwrap();
    assert_eq!(
        neuroloop_host::ctrnn::rust_source(&model, "neuroloop_core"),
        include_str!("../firmware/src/cartpole_controller.rs")
    );
    assert_eq!(host_cartpole_line().split(' ').nth(2), Some("return=500"));
}

#[test]
fn firmware_scenarios_match_the_host_bit_for_bit_on_m4f_and_m3() {
    if !qemu_present() {
        return;
    }
    let (sorn, ctrnn, cartpole, rls) =
        (host_line(200, 1), host_ctrnn_line(), host_cartpole_line(), host_sorn_rls_line());
    for (target, machine, cpu) in
        [("thumbv7em-none-eabihf", "mps2-an386", "cortex-m4"), ("thumbv7m-none-eabi", "mps2-an385", "cortex-m3")]
    {
        let out = run_firmware(target, "sorn,ctrnn,cartpole,sorn-rls", machine, cpu);
        let line = |prefix: &str| {
            out.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("{machine}: no {prefix:?} line in {out}"))
                .to_string()
        };
        assert_eq!(line("sorn "), sorn, "{machine}");
        assert_eq!(line("ctrnn "), ctrnn, "{machine}");
        assert_eq!(line("cartpole "), cartpole, "{machine}");
        assert_eq!(line("sorn_rls "), rls, "{machine}");
        assert!(line("sorn_step_instructions=").len() > 23, "instruction count printed");
    }
}

#[test]
fn firmware_ctrnn_matches_the_host_on_m0() {
    // The default SORN (105 KiB) does not fit the micro:bit's 16 KiB of RAM; the CTRNN does.
    if !qemu_present() {
        return;
    }
    let out = run_firmware("thumbv6m-none-eabi", "ctrnn", "microbit", "cortex-m0");
    let line = out.lines().find(|l| l.starts_with("ctrnn ")).expect("a ctrnn line");
    assert_eq!(line, host_ctrnn_line());
}

#[test]
fn the_digest_depends_on_the_seed() {
    // So that equality above means something.
    assert_ne!(host_line(200, 1), host_line(200, 2));
    assert_ne!(host_line(200, 1), host_line(199, 1));
}
