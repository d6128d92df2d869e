//! Bad input, every kind a user or a fuzzer found: each gives a clear error (exit 1), never a
//! hang, an abort, a panic, a false success or lost data. One test per defect of the trust
//! issue, plus the principles behind them on inputs of the same kinds.

mod common;

use common::{cli, cli_line, fails, fails_line, fixture_text, temp_dir};
use neuroloop_core::sorn::Config;
use serde_json::json;

#[test]
fn an_acrobot_state_far_out_of_range_neither_hangs_nor_passes() {
    // gymnasium's `wrap` loops for ever on 1e17; a state of 1e300 turns into NaN.
    let tmp = temp_dir();
    for initial in [[1e17, 0.0, 0.0, 0.0], [0.0, 0.0, 1e300, 1e300]] {
        let f = json!({"format": "neuroloop-env-fixture", "version": 1, "env": "Acrobot-v1",
        "episodes": [{"initial_state": initial, "steps": [
            {"action": 1, "obs": [1.0, 0.0, 1.0, 0.0, 0.0, 0.0], "reward": -1.0, "terminated": false, "state": [0.0, 0.0, 0.0, 0.0]}
        ]}]});
        let path = tmp.path().join("acrobot.json");
        std::fs::write(&path, f.to_string()).unwrap();
        let (code, out, err) = cli(&["env", "check", path.to_str().unwrap()]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(out.contains("FAIL"), "{out}");
    }
}

#[test]
fn fixtures_that_replay_nothing_or_produce_nan_fail() {
    let mut v: serde_json::Value = serde_json::from_str(&fixture_text("cartpole_v1.json")).unwrap();
    v["episodes"] = json!([]);
    let e = neuroloop_host::env::fixture::check_env_fixture(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("replays nothing"), "{e}");
    // A CTRNN whose readout becomes NaN (inf * 0): the replay fails instead of passing.
    let nan = json!({"activation": "relu", "alpha": [1.0], "w_in_to_from": [[3e38]], "b_in": [0.0],
        "w_rec_to_from": [[0.0]], "b_rec": [0.0], "w_out_to_from": [[0.0]], "b_out": [0.0],
        "runs": [{"input": [[3e38]], "v0": [0.0], "hidden_fr": [[0.0]], "output": [[0.0]]}]});
    let r = neuroloop_host::ctrnn::check_fixture(&nan.to_string(), false).unwrap();
    assert!(r.max_output_diff.is_nan() && !r.passes(), "{r:?}");
    let mut none = nan.clone();
    none["runs"] = json!([]);
    assert!(neuroloop_host::ctrnn::check_fixture(&none.to_string(), false).is_err());
}

#[test]
fn a_ragged_model_file_is_refused_without_reserving_memory() {
    // 100,000 rows claimed by w_in, each of a different length: a shape error, at once.
    let rows: Vec<Vec<f64>> = (0..100_000).map(|k| vec![0.5; 1 + k % 3]).collect();
    let m = json!({"format": "neuroloop-ctrnn", "version": 1, "activation": "tanh", "alpha": 0.1,
        "w_in": rows, "w_rec": [[0.0]], "b_rec": [0.0], "w_out": [[1.0]], "b_out": [0.0]});
    let t0 = std::time::Instant::now();
    let e = neuroloop_host::ctrnn::Model::from_json(&m.to_string(), Default::default()).unwrap_err();
    assert!(matches!(e, neuroloop_host::ctrnn::ModelError::Shape { ref field, .. } if field == "w_in"), "{e}");
    assert!(t0.elapsed().as_secs() < 5);
}

#[test]
fn configs_that_pass_validation_but_need_too_much_memory_are_refused() {
    let tmp = temp_dir();
    let path = tmp.path().join("huge.toml");
    std::fs::write(&path, "ne = 65535\nni = 65535\nlambda_ee = 32000.0\nlambda_ei = 32000.0\nh_ip = 0.1\n").unwrap();
    let err = fails(&["sorn", "run", "--steps", "1", "--seed", "1", "--config", path.to_str().unwrap()]);
    assert!(err.contains("would need") && err.contains("GB") && err.contains("NEUROLOOP_MEMORY_BUDGET_MB"), "{err}");
    // The same through a SORN controller file's config.
    let huge = Config { ne: 65_535, ni: 65_535, lambda_ee: 32_000.0, lambda_ei: 32_000.0, ..Config::DEFAULT };
    assert!(neuroloop_host::sorn::build(&huge, 1).is_err());
}

#[test]
fn counts_from_the_command_line_do_not_wrap_below_the_budget() {
    let tmp = temp_dir();
    let out = tmp.path().join("run");
    let line =
        format!("sorn run --steps 4611686018427387904 --seed 1 --record EEConnectionCounts --out {}", out.display());
    let (code, _, err) = cli_line(&line);
    assert_eq!(code, 1);
    assert!(err.contains("budget"), "{err}");
    let err = fails(&[
        "eval",
        "--env",
        "CartPole-v1",
        "--model",
        &common::fixture("cartpole_controller.json").to_string_lossy(),
        "--seed",
        "1",
        "--episodes",
        "9000000000000000000",
    ]);
    assert!(err.contains("would need"), "{err}");
}

#[test]
fn training_settings_out_of_range_are_errors_naming_the_setting() {
    let tmp = temp_dir();
    let out = tmp.path().join("t");
    let o = out.to_str().unwrap();
    for (flag, value, says) in [
        ("--hidden", "0", "(--hidden) = 0"),
        ("--sigma", "0", "(--sigma) = 0"),
        ("--sigma", "NaN", "(--sigma) = NaN"),
        ("--learning-rate", "inf", "(--learning-rate) = inf"),
        ("--pairs", "0", "(--pairs) = 0"),
        ("--generations", "0", "(--generations) = 0"),
    ] {
        let err = fails(&[
            "train",
            "--env",
            "CartPole-v1",
            "--controller",
            "ctrnn",
            "--seed",
            "1",
            "--out",
            o,
            "--force",
            flag,
            value,
        ]);
        assert!(err.contains(says), "{flag} {value}: {err}");
    }
    let train = "train --env CartPole-v1 --controller sorn --seed 1";
    let err = fails_line(&format!("{train} --readout rls --out {o} --force --teacher-episodes 0"));
    assert!(err.contains("teacher episode"), "{err}");
}

/// A recorded run directory of 30 steps from seed 4.
fn run_dir(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    let dir = tmp.path().join("run");
    let (code, _, err) =
        cli_line(&format!("sorn run --steps 30 --seed 4 --out {} --record ExcitatoryActivation", dir.display()));
    assert_eq!(code, 0, "{err}");
    dir
}

#[test]
fn a_run_directory_is_recognised_by_its_content_and_force_deletes_only_what_neuroloop_wrote() {
    let tmp = temp_dir();
    // A folder that merely holds a file named run.json is not a run directory.
    let fake = tmp.path().join("fake");
    std::fs::create_dir_all(&fake).unwrap();
    std::fs::write(fake.join("run.json"), "{}").unwrap();
    std::fs::write(fake.join("thesis.tex"), "precious").unwrap();
    let err = fails(&["sorn", "run", "--steps", "5", "--seed", "1", "--out", fake.to_str().unwrap(), "--force"]);
    assert!(err.contains("not a run directory"), "{err}");
    assert_eq!(std::fs::read_to_string(fake.join("thesis.tex")).unwrap(), "precious");
    // A real run directory with a user's file in recordings/: --force keeps that file.
    let dir = run_dir(&tmp);
    let note = dir.join("recordings/seg-000/my_notes.txt");
    std::fs::write(&note, "mine").unwrap();
    let (code, _, err) = cli_line(&format!("sorn run --steps 10 --seed 2 --out {} --force", dir.display()));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("kept"), "{err}");
    assert_eq!(std::fs::read_to_string(&note).unwrap(), "mine");
    assert!(!dir.join("recordings/seg-000/ExcitatoryActivation.npy").exists(), "neuroloop's own files are replaced");
}

#[test]
fn the_files_of_a_run_directory_must_belong_together() {
    let tmp = temp_dir();
    let dir = run_dir(&tmp);
    let meta_path = dir.join("run.json");
    let good = std::fs::read_to_string(&meta_path).unwrap();
    let mut meta: serde_json::Value = serde_json::from_str(&good).unwrap();
    // A huge total_steps (the report used to reserve memory from it): refused.
    meta["total_steps"] = json!(u64::MAX);
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let err = fails(&["sorn", "report", dir.to_str().unwrap()]);
    assert!(err.contains("total_steps"), "{err}");
    // Segments that add up, but another seed than the snapshot's.
    let mut meta: serde_json::Value = serde_json::from_str(&good).unwrap();
    meta["seed"] = json!(99);
    std::fs::write(&meta_path, meta.to_string()).unwrap();
    let err = fails(&["sorn", "resume", dir.to_str().unwrap(), "--steps", "5"]);
    assert!(err.contains("does not belong"), "{err}");
}

#[test]
fn a_step_count_near_the_end_of_u64_neither_panics_nor_wraps() {
    use neuroloop_host::sorn::rundir::{RunMeta, Segment, write};
    use neuroloop_host::sorn::snapshot::Snapshot;
    let tmp = temp_dir();
    let dir = run_dir(&tmp);
    let (mut meta, snap) = neuroloop_host::sorn::rundir::read(&dir).unwrap();
    let mut s = snap.net.scalars();
    s.counters.steps = u64::MAX - 5;
    let b = snap.net.buffers();
    let bufs = neuroloop_core::sorn::Buffers::new(b.f32s.to_vec(), b.u16s.to_vec(), b.u32s.to_vec());
    let net = neuroloop_core::sorn::Sorn::restore(snap.net.config(), &s, bufs).unwrap();
    meta.total_steps = u64::MAX - 5;
    meta.segments = vec![Segment { steps: u64::MAX - 5, ..meta.segments[0].clone() }];
    let meta = RunMeta { ..meta };
    write(&dir, &meta, &Snapshot { net, ..snap }).unwrap();
    let err = fails(&["sorn", "resume", dir.to_str().unwrap(), "--steps", "10"]);
    assert!(err.contains("overflow"), "{err}");
}

#[test]
fn no_command_writes_over_its_input_and_outputs_need_force() {
    let tmp = temp_dir();
    let model = common::fixture("cartpole_controller.json");
    let m = model.to_str().unwrap();
    let input = tmp.path().join("u.csv");
    std::fs::write(&input, "0.1,0.2,0.3,0.4\n").unwrap();
    let i = input.to_str().unwrap();
    let err = fails(&["ctrnn", "run", "--model", m, "--input", i, "--output", i, "--force"]);
    assert!(err.contains("also an input"), "{err}");
    let out = tmp.path().join("y.csv");
    std::fs::write(&out, "keep me").unwrap();
    let err = fails(&["ctrnn", "run", "--model", m, "--input", i, "--output", out.to_str().unwrap()]);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let (code, _, err) =
        cli(&["ctrnn", "run", "--model", m, "--input", i, "--output", out.to_str().unwrap(), "--force"]);
    assert_eq!(code, 0, "{err}");
    // eval's recordings and rendering likewise.
    let gif = tmp.path().join("a.gif");
    std::fs::write(&gif, "keep me").unwrap();
    let eval = format!("eval --env CartPole-v1 --model {m} --seed 1 --episodes 1");
    let err = fails_line(&format!("{eval} --render {}", gif.display()));
    assert!(err.contains("--force"), "{err}");
    let err = fails_line(&format!("{eval} --record {}", tmp.path().display()));
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn config_errors_name_the_key_the_user_wrote() {
    let e = neuroloop_host::sorn::parse_config("ne = \"200\"").unwrap_err().to_string();
    assert!(e.starts_with("ne: invalid type"), "{e}");
    let e = neuroloop_host::sorn::parse_config("[compat]\nsimulator_ignores_phase = 3").unwrap_err().to_string();
    assert!(e.starts_with("compat.simulator_ignores_phase"), "{e}");
    let e = neuroloop_host::sorn::parse_config("ne = 4").unwrap_err().to_string();
    assert!(e.contains("floor(0.2 ne)") && e.contains("ne = 4"), "{e}");
    let e =
        neuroloop_host::sorn::parse_config("ne = 65535\nni = 1\nnu = 1\nlambda_ee = 40000.0\nh_ip = 0.1").unwrap_err();
    assert!(!e.to_string().contains("at most 0"), "{e}");
}

#[test]
fn every_bit_flip_and_truncation_of_a_snapshot_is_refused() {
    use neuroloop_host::sorn::snapshot::{Snapshot, decode, encode};
    let cfg = Config { ne: 12, ni: 3, nu: 2, lambda_ee: 3.0, lambda_ei: 4.0, ..Config::DEFAULT };
    let mut net = neuroloop_host::sorn::build(&cfg, 5).unwrap();
    net.step(&[0.5, 0.7]).unwrap();
    let bytes = encode(&Snapshot { net, seed: 5, input_rng: None }).unwrap();
    assert!(decode(&bytes).is_ok());
    for bit in 0..bytes.len() * 8 {
        let mut b = bytes.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        assert!(decode(&b).is_err(), "bit {bit} flipped was accepted");
    }
    for len in 0..bytes.len() {
        assert!(decode(&bytes[..len]).is_err(), "truncated to {len} was accepted");
    }
    eprintln!("{} bit flips and {} truncations refused", bytes.len() * 8, bytes.len());
}

#[test]
fn more_bad_inputs_of_the_same_kinds_say_what_is_wrong() {
    let tmp = temp_dir();
    let p = |name: &str| tmp.path().join(name);
    let s = |path: &std::path::Path| path.to_str().unwrap().to_string();
    // A fixture action that is neither a discrete index nor a list of numbers.
    let mut v: serde_json::Value = serde_json::from_str(&common::fixture_text("cartpole_v1.json")).unwrap();
    v["episodes"][0]["steps"][0]["action"] = json!(-1);
    std::fs::write(p("e.json"), v.to_string()).unwrap();
    let err = fails(&["env", "check", &s(&p("e.json"))]);
    assert!(err.contains("episodes[0].steps[0].action: an action: a non-negative integer"), "{err}");
    // A model's alpha of the wrong type.
    let mut m: serde_json::Value = serde_json::from_str(&common::fixture_text("cartpole_controller.json")).unwrap();
    m["alpha"] = json!("fast");
    std::fs::write(p("m.json"), m.to_string()).unwrap();
    let err = fails(&["ctrnn", "run", "--model", &s(&p("m.json")), "--input", &s(&p("m.json")), "--output", "y"]);
    assert!(err.contains("alpha: a number, or a list"), "{err}");
    // --out that is a file; an input that is a directory.
    std::fs::write(p("file"), "mine").unwrap();
    let err = fails(&["sorn", "run", "--steps", "1", "--seed", "1", "--out", &s(&p("file"))]);
    assert!(err.contains("is a file, not a directory"), "{err}");
    let err =
        fails(&["train", "--env", "CartPole-v1", "--controller", "ctrnn", "--seed", "1", "--out", &s(&p("file"))]);
    assert!(err.contains("is a file, not a directory"), "{err}");
    assert_eq!(std::fs::read_to_string(p("file")).unwrap(), "mine");
    let model = common::fixture("cartpole_controller.json");
    let err = fails(&["ctrnn", "run", "--model", &s(&model), "--input", &s(tmp.path()), "--output", &s(&p("y.csv"))]);
    assert!(err.contains("is a directory"), "{err}");
    // A teacher inside --out is never overwritten, even with --force.
    std::fs::create_dir(p("o")).unwrap();
    std::fs::copy(&model, p("o/teacher.json")).unwrap();
    let train = "train --env CartPole-v1 --controller sorn --seed 1";
    let err = fails_line(&format!("{train} --teacher {} --out {} --force", s(&p("o/teacher.json")), s(&p("o"))));
    assert!(err.contains("also an input"), "{err}");
    // A bound that means "positive" says so.
    let e = neuroloop_host::sorn::parse_config("w_max = 0.0").unwrap_err().to_string();
    assert!(e.ends_with("w_max = 0 is out of range: must be > 0"), "{e}");
}
