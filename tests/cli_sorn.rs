//! `neuroloop sorn run`, end to end, in-process through `neuroloop_host::cli::run`.

mod common;

use common::{cli, fails};
use serde_json::Value;

fn summary(args: &[&str]) -> Value {
    let (code, out, err) = cli(args);
    assert_eq!(code, 0, "stderr: {err}");
    let last = out.lines().last().expect("output");
    serde_json::from_str(last).expect("one JSON object")
}

const KEYS: [&str; 13] = [
    "steps",
    "seed",
    "ne",
    "ni",
    "mean_rate_e",
    "mean_rate_i",
    "mean_te",
    "mean_ti",
    "wee_active_start",
    "wee_active_end",
    "wee_mean_end",
    "wei_active_end",
    "sp_capacity_refusals",
];

#[test]
fn summary_has_every_key_and_the_default_network() {
    let s = summary(&["sorn", "run", "--steps", "2000", "--seed", "3", "--summary"]);
    for k in KEYS {
        assert!(s.get(k).is_some(), "missing {k} in {s}");
    }
    assert_eq!((s["steps"].as_u64(), s["seed"].as_u64()), (Some(2000), Some(3)));
    assert_eq!((s["ne"].as_u64(), s["ni"].as_u64()), (Some(200), Some(40)));
    let rate = s["mean_rate_e"].as_f64().unwrap();
    assert!((0.09..0.11).contains(&rate), "{rate}");
    assert!(s["wee_active_end"].as_u64() < s["wee_active_start"].as_u64());
    assert_eq!(s["sp_capacity_refusals"].as_u64(), Some(0));
}

#[test]
fn same_seed_same_summary() {
    let args = ["sorn", "run", "--steps", "300", "--seed", "8", "--summary"];
    let mut a = summary(&args);
    let mut b = summary(&args);
    a.as_object_mut().unwrap().remove("elapsed_s");
    b.as_object_mut().unwrap().remove("elapsed_s");
    assert_eq!(a, b);
    let mut c = summary(&["sorn", "run", "--steps", "300", "--seed", "9", "--summary"]);
    c.as_object_mut().unwrap().remove("elapsed_s");
    assert_ne!(a, c);
}

#[test]
fn training_phase_keeps_the_network_fixed() {
    let s = summary(&["sorn", "run", "--steps", "400", "--seed", "2", "--phase", "training", "--summary"]);
    assert_eq!(s["phase"], "training");
    assert_eq!(s["wee_active_start"], s["wee_active_end"]);
    assert_eq!(s["wei_active_start"], s["wei_active_end"]);
    assert_eq!(s["sp_created"].as_u64(), Some(0));
}

#[test]
fn config_file_sets_parameters_and_ni_follows_ne() {
    let dir = std::env::temp_dir().join(format!("neuroloop-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("net.toml");
    std::fs::write(&path, "ne = 100\nnu = 5\nlambda_ee = 10.0\n[compat]\nrepair_first_fifth = true\n").unwrap();
    let s = summary(&["sorn", "run", "--steps", "100", "--seed", "1", "--config", path.to_str().unwrap(), "--summary"]);
    assert_eq!((s["ne"].as_u64(), s["ni"].as_u64(), s["nu"].as_u64()), (Some(100), Some(20), Some(5)));
    let start = s["wee_active_start"].as_u64().unwrap();
    assert!((850..1050).contains(&start), "{start}");

    // Unknown key: an error naming it.
    std::fs::write(&path, "ne = 100\neta_stpd = 0.1\n").unwrap();
    let err = fails(&["sorn", "run", "--steps", "10", "--seed", "1", "--config", path.to_str().unwrap()]);
    assert!(err.contains("eta_stpd"), "{err}");
    // Out of range: an error naming the field and the range.
    std::fs::write(&path, "te_min = 0.9\nte_max = 0.1\n").unwrap();
    let err = fails(&["sorn", "run", "--steps", "10", "--seed", "1", "--config", path.to_str().unwrap()]);
    assert!(err.contains("te_min") && err.contains("te_max"), "{err}");
    // Wrong type.
    std::fs::write(&path, "ne = \"many\"\n").unwrap();
    let err = fails(&["sorn", "run", "--steps", "10", "--seed", "1", "--config", path.to_str().unwrap()]);
    assert!(err.contains("ne") || err.contains("invalid type"), "{err}");
    // Missing file.
    let err = fails(&["sorn", "run", "--steps", "10", "--seed", "1", "--config", "/nonexistent/x.toml"]);
    assert!(err.contains("/nonexistent/x.toml"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_are_usage_errors() {
    let (code, _, err) = cli(&["sorn", "run", "--steps", "10"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--seed"));
    let (code, _, err) = cli(&["sorn", "run", "--steps", "10", "--seed", "1", "--phase", "learning"]);
    assert_eq!(code, 2);
    assert!(err.contains("learning"));
    let (code, _, err) = cli(&["sorn", "run", "--steps", "-5", "--seed", "1"]);
    assert_eq!(code, 2, "{err}");
    let err = fails(&["sorn", "run", "--steps", "10", "--seed", "1", "--freeze", "stdp,nope"]);
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn zero_steps_is_a_no_op_and_help_has_examples() {
    let s = summary(&["sorn", "run", "--steps", "0", "--seed", "1", "--summary"]);
    assert_eq!(s["mean_rate_e"], Value::Null);
    assert_eq!(s["wee_active_start"], s["wee_active_end"]);
    let (code, out, _) = cli(&["sorn", "run", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:") && out.contains("--summary"));
}

#[test]
fn freeze_list_and_no_noise() {
    let s = summary(&["sorn", "run", "--steps", "300", "--seed", "4", "--freeze", "sp,stdp", "--summary"]);
    assert_eq!(s["sp_created"].as_u64(), Some(0));
    assert_eq!(s["wee_active_start"], s["wee_active_end"]);
    let s = summary(&["sorn", "run", "--steps", "300", "--seed", "4", "--no-noise", "--summary"]);
    assert!(s["mean_rate_e"].as_f64().unwrap() > 0.0, "the input alone drives the network");
}

/// A temporary directory and the run directory `a` inside it (not yet created).
fn run_dir() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = common::temp_dir();
    let a = tmp.path().join("a");
    (tmp, a)
}

#[test]
fn run_out_then_resume_equals_one_long_run() {
    let (_tmp, a) = run_dir();
    let a_str = a.to_str().unwrap();
    summary(&["sorn", "run", "--steps", "600", "--seed", "5", "--out", a_str, "--summary"]);
    for f in ["config.toml", "run.json", "state.nlsnap"] {
        assert!(a.join(f).exists(), "{f} missing");
    }
    let resumed = summary(&["sorn", "resume", a_str, "--steps", "600", "--summary"]);
    let straight = summary(&["sorn", "run", "--steps", "1200", "--seed", "5", "--summary"]);
    // End-of-run figures computed from the resumed state equal the straight run's.
    for k in
        ["wee_active_end", "wee_mean_end", "wei_active_end", "mean_te", "mean_ti", "sp_created", "sp_capacity_refusals"]
    {
        assert_eq!(resumed[k], straight[k], "{k}");
    }
    assert_eq!(resumed["steps"].as_u64(), Some(600));
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(a.join("run.json")).unwrap()).unwrap();
    assert_eq!(meta["total_steps"].as_u64(), Some(1200));
    assert_eq!(meta["segments"].as_array().unwrap().len(), 2);
    // The stored config reads back as a config file.
    let config = a.join("config.toml");
    let s =
        summary(&["sorn", "run", "--steps", "10", "--seed", "5", "--config", config.to_str().unwrap(), "--summary"]);
    assert_eq!(s["ne"].as_u64(), Some(200));
}

#[test]
fn existing_run_directory_needs_force() {
    let (tmp, a) = run_dir();
    let (base, a_str) = (tmp.path().to_path_buf(), a.to_str().unwrap());
    summary(&["sorn", "run", "--steps", "50", "--seed", "1", "--out", a_str, "--summary"]);
    let before = std::fs::read(a.join("state.nlsnap")).unwrap();
    let err = fails(&["sorn", "run", "--steps", "80", "--seed", "2", "--out", a_str]);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(a.join("state.nlsnap")).unwrap(), before, "nothing was overwritten");
    summary(&["sorn", "run", "--steps", "80", "--seed", "2", "--out", a_str, "--force", "--summary"]);
    assert_ne!(std::fs::read(a.join("state.nlsnap")).unwrap(), before);
    // A non-empty directory that is not a run directory is never deleted, even with --force.
    let other = base.join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "precious").unwrap();
    let err = fails(&["sorn", "run", "--steps", "10", "--seed", "1", "--out", other.to_str().unwrap(), "--force"]);
    assert!(err.contains("not a run directory"), "{err}");
    assert_eq!(std::fs::read_to_string(other.join("notes.txt")).unwrap(), "precious");
}

#[test]
fn resume_reports_a_corrupted_snapshot_or_a_missing_directory() {
    let (tmp, a) = run_dir();
    let (base, a_str) = (tmp.path().to_path_buf(), a.to_str().unwrap());
    summary(&["sorn", "run", "--steps", "50", "--seed", "1", "--out", a_str, "--summary"]);
    let path = a.join("state.nlsnap");
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let err = fails(&["sorn", "resume", a_str, "--steps", "10"]);
    assert!(err.contains("checksum"), "{err}");
    std::fs::write(&path, &bytes[..100]).unwrap();
    let err = fails(&["sorn", "resume", a_str, "--steps", "10"]);
    assert!(err.contains("truncated"), "{err}");
    let err = fails(&["sorn", "resume", base.join("nope").to_str().unwrap(), "--steps", "10"]);
    assert!(err.contains("not a run directory"), "{err}");
}
