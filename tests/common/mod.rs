//! Helpers every integration test uses: the CLI in-process, the committed fixtures, temporary
//! directories (removed when dropped) and the committed CartPole controller.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Runs the `neuroloop` command line in-process: exit code, stdout, stderr.
pub fn cli(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = neuroloop_host::cli::run(std::iter::once("neuroloop").chain(args.iter().copied()), &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

/// [`cli`] for a command that must fail with exit code 1 (bad input, not bad usage); its
/// stderr.
pub fn fails(args: &[&str]) -> String {
    let (code, out, err) = cli(args);
    assert_eq!(code, 1, "{args:?} should fail: {out}{err}");
    err
}

/// [`cli`] with the arguments of one line, split at white space (no argument may hold one).
pub fn cli_line(line: &str) -> (u8, String, String) {
    cli(&line.split_whitespace().collect::<Vec<_>>())
}

/// [`fails`] with the arguments of one line, split at white space.
pub fn fails_line(line: &str) -> String {
    fails(&line.split_whitespace().collect::<Vec<_>>())
}

/// A committed fixture (`tests/fixtures/NAME`).
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A fixture's text.
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// A fresh temporary directory, removed when the guard drops.
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// The CTRNN CartPole controller of `tests/fixtures/cartpole_controller.json` (the teacher of
/// the SORN controllers and the firmware's embedded controller).
pub fn cartpole_teacher() -> neuroloop_host::ctrnn::Model {
    neuroloop_host::ctrnn::Model::load(&fixture("cartpole_controller.json"), Default::default()).unwrap().model
}

/// The last line of `text` as JSON.
pub fn last_json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.lines().last().unwrap()).unwrap()
}
