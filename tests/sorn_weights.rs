//! `neuroloop sorn weights`: the E->E weight distribution of run directories, snapshots and
//! text files of weights, as text, JSON, Markdown and a figure; bad input is an error.

mod common;

use common::{cli, fails};

/// A recorded 3,000-step run of the default network.
fn recorded_run() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = common::temp_dir();
    let dir = tmp.path().join("run");
    let (code, _, err) = cli(&["sorn", "run", "--steps", "3000", "--seed", "4", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    (tmp, dir)
}

#[test]
fn weights_of_a_run_directory_in_every_format() {
    let (tmp, dir) = recorded_run();
    let d = dir.to_str().unwrap();
    let (code, out, err) = cli(&["sorn", "weights", d]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("(seed 4, step 3000)") && out.contains("floor 0.005"), "{out}");
    assert!(out.contains("log-normal above the floor") && out.contains("component 2"), "{out}");

    let (code, out, err) = cli(&["sorn", "weights", d, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["seed"].as_u64(), Some(4));
    let w = &v["weights"];
    let synapses = w["synapses"].as_u64().unwrap();
    assert!(synapses > 500, "{w}");
    let l = &w["lognormal"];
    assert_eq!(l["floor"].as_f64(), Some(0.005));
    assert_eq!(l["synapses"].as_u64(), Some(synapses));
    let (mu, sigma, ks) = (l["mu"].as_f64().unwrap(), l["sigma"].as_f64().unwrap(), l["ks"].as_f64().unwrap());
    // Weights above 0.01 and below w_max = 1, and a spread.
    assert!(mu > 0.005f64.ln() && mu < 0.0 && sigma > 0.05 && sigma < 3.0, "{l}");
    assert!(ks > 0.0 && ks < 1.0, "{l}");
    let m = &w["mixture"]["components"];
    assert!(m[0]["mean"].as_f64().unwrap() <= m[1]["mean"].as_f64().unwrap(), "{m}");

    // The snapshot file gives the same numbers; a floor given on the command line is used.
    let snap = dir.join("state.nlsnap");
    let (_, out2, _) = cli(&["sorn", "weights", snap.to_str().unwrap(), "--json"]);
    let v2: serde_json::Value = serde_json::from_str(out2.trim()).unwrap();
    assert_eq!(v2["weights"], v["weights"]);
    // A network's analysis has the in-degree share; the synapses onto units with more inputs
    // are the weaker ones (normalisation).
    let deg = &v["weights"]["in_degree"];
    assert!(deg["corr_log_in_degree"].as_f64().unwrap() < 0.0, "{deg}");
    let (_, out3, _) = cli(&["sorn", "weights", d, "--json", "--floor", "0.02"]);
    let v3: serde_json::Value = serde_json::from_str(out3.trim()).unwrap();
    assert_eq!(v3["weights"]["lognormal"]["floor"].as_f64(), Some(0.02));
    assert!(v3["weights"]["lognormal"]["below_floor"].as_u64() > l["below_floor"].as_u64());

    // Markdown: a header, a separator and a row per input in each of the two tables; a figure.
    let fig = tmp.path().join("w.png");
    let (code, out, err) = cli(&["sorn", "weights", d, d, "--markdown", "--figure", fig.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().filter(|l| l.starts_with("| ")).count(), 2 * 3, "{out}");
    let png = std::fs::read(&fig).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{} bytes", png.len());
}

#[test]
fn weights_of_a_text_file_match_the_run() {
    let (tmp, dir) = recorded_run();
    let snap = neuroloop_host::sorn::snapshot::load(&dir.join("state.nlsnap")).unwrap();
    let ws = neuroloop_host::sorn::weights::ee_weights(&snap.net);
    // As numpy.savetxt writes a dense matrix: rows, zeros for absent synapses, a comment.
    let mut text = String::from("# Wee\n");
    for chunk in ws.chunks(7) {
        let row: Vec<String> = chunk.iter().map(|w| format!("{w:e}")).chain(["0".to_string()]).collect();
        text.push_str(&row.join(" "));
        text.push('\n');
    }
    let file = tmp.path().join("wee.txt");
    std::fs::write(&file, text).unwrap();
    let (_, from_text, _) = cli(&["sorn", "weights", file.to_str().unwrap(), "--json"]);
    let (_, from_run, _) = cli(&["sorn", "weights", dir.to_str().unwrap(), "--json"]);
    let a: serde_json::Value = serde_json::from_str(from_text.trim()).unwrap();
    let b: serde_json::Value = serde_json::from_str(from_run.trim()).unwrap();
    // The same fits; only a network has in-degrees.
    assert!(a["weights"]["in_degree"].is_null() && b["weights"]["in_degree"].is_object());
    for key in ["synapses", "lognormal", "mixture", "unfloored"] {
        assert_eq!(a["weights"][key], b["weights"][key], "{key}");
    }
    assert!(a["seed"].is_null());
}

#[test]
fn bad_weights_are_errors_not_panics() {
    let tmp = common::temp_dir();
    let write = |name: &str, text: &str| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let empty = write("empty.txt", "# nothing\n\n");
    assert!(fails(&["sorn", "weights", &empty]).contains("no weights"));
    let zeros = write("zeros.txt", "0 0 0\n0 0 0\n");
    assert!(fails(&["sorn", "weights", &zeros]).contains("no weights"));
    let nan = write("nan.txt", "0.1 0.2 NaN 0.3\n");
    assert!(fails(&["sorn", "weights", &nan]).contains("must be finite"));
    let neg = write("neg.txt", "0.1 -0.2 0.3\n");
    assert!(fails(&["sorn", "weights", &neg]).contains("never negative"));
    let equal = write("equal.txt", &"0.05\n".repeat(50));
    assert!(fails(&["sorn", "weights", &equal]).contains("spread"));
    let small = write("small.txt", "0.001 0.002 0.003 0.05\n");
    assert!(fails(&["sorn", "weights", &small]).contains("above the floor"));
    let words = write("words.txt", "0.1 abc\n");
    assert!(fails(&["sorn", "weights", &words]).contains("words.txt:1: \"abc\" is not a number"));
    let ok = write("ok.txt", "0.02 0.03 0.05 0.08 0.1 0.2 0.04\n");
    assert!(fails(&["sorn", "weights", &ok, "--floor=-1"]).contains("at least 0"));
    assert!(fails(&["sorn", "weights", "/nonexistent/file.txt"]).contains("cannot read"));
    assert!(fails(&["sorn", "weights", "/nonexistent/file.nlsnap"]).contains("file.nlsnap"));
    // A usage error: no input.
    assert_eq!(cli(&["sorn", "weights"]).0, 2);
}
