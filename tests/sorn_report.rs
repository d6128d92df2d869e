//! `neuroloop sorn report`: every figure, in PNG and SVG, and an index that shows them.

mod common;

use common::{cli, fails};
use neuroloop_host::sorn::report::FIGURES;

#[test]
fn report_draws_every_figure_of_a_resumed_run() {
    let tmp = common::temp_dir();
    let base = tmp.path();
    let a = base.join("a");
    let a_str = a.to_str().unwrap();
    assert_eq!(cli(&["sorn", "run", "--steps", "600", "--seed", "2", "--out", a_str]).0, 0);
    assert_eq!(cli(&["sorn", "resume", a_str, "--steps", "300", "--phase", "training"]).0, 0);
    let (code, out, err) = cli(&["sorn", "report", a_str, "--last", "500"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().ends_with("index.html"));
    let report = a.join("report");
    let index = std::fs::read_to_string(report.join("index.html")).unwrap();
    for stem in FIGURES {
        let png = std::fs::read(report.join(format!("{stem}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{stem}.png is a PNG");
        assert!(png.len() > 5_000, "{stem}.png is not blank ({} bytes)", png.len());
        let svg = std::fs::read_to_string(report.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("</svg>"), "{stem}.svg");
        assert!(index.contains(&format!("src=\"{stem}.png\"")), "index shows {stem}");
    }
    // The index carries the config, the summary and the statistics.
    assert!(index.contains("eta_stdp") && index.contains("wee_active_end") && index.contains("avg_corr_coeff"));
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("statistics.json")).unwrap()).unwrap();
    assert_eq!(stats["steps"].as_u64(), Some(500));
    let h = stats["spike_source_entropy"].as_f64().unwrap();
    assert!(h > 0.0 && h <= 1.0, "{h}");
    // With the E->E weight analysis of the final network.
    let w = &stats["weights"];
    assert_eq!(w["lognormal"]["floor"].as_f64(), Some(0.005), "{w}");
    assert!(w["mixture"]["components"][1]["weight"].as_f64().is_some(), "{w}");
    // The report's replay reproduces the run bit for bit (both segments, each in its mode).
    let replayed = neuroloop_host::sorn::report::replay_final(&a).unwrap();
    let saved = neuroloop_host::sorn::snapshot::load(&a.join("state.nlsnap")).unwrap().net;
    assert!(replayed.buffers() == saved.buffers());
    assert_eq!(replayed.counters().steps, 900);
}

#[test]
fn report_of_a_directory_that_is_not_a_run() {
    let err = fails(&["sorn", "report", "/nonexistent/run"]);
    assert!(err.contains("not a run directory"), "{err}");
}
