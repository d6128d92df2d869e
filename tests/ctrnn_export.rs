//! Round trip through the nn4n exporter (`tools/nn4n_export.py --self-test`): nn4n builds and
//! runs a small E/I CTRNN, the exporter writes its model file, and the Rust side must load it and
//! replay nn4n's trajectory within 1e-5. Runs when a Python with torch and nn4n is available
//! (`NEUROLOOP_NN4N_PYTHON`, else `python3`); otherwise it is skipped with the reason printed.

use std::process::Command;

#[test]
fn nn4n_export_round_trip() {
    let python = std::env::var("NEUROLOOP_NN4N_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import torch, nn4n"]).output();
    match probe {
        Ok(o) if o.status.success() => {}
        _ => {
            eprintln!(
                "skipped: {python} cannot import torch and nn4n (install: python3 -m venv .venv-nn4n && \
                 .venv-nn4n/bin/pip install torch nn4n numpy; then NEUROLOOP_NN4N_PYTHON=.venv-nn4n/bin/python)"
            );
            return;
        }
    }
    let dir = std::env::temp_dir().join(format!("neuroloop-nn4n-{}", std::process::id()));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/nn4n_export.py");
    let out = Command::new(&python).args([script, "--self-test", dir.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "exporter failed: {}", String::from_utf8_lossy(&out.stderr));
    let neuroloop_host::ctrnn::Loaded { model, repaired } =
        neuroloop_host::ctrnn::Model::load(&dir.join("model.json"), Default::default())
            .expect("the exported model loads");
    assert_eq!(repaired.pruned + repaired.clamped, 0, "the exporter enforces the constraints");
    assert_eq!(model.dims.hidden, 12);
    let r = neuroloop_host::ctrnn::check_fixture_file(&dir.join("fixture.json")).unwrap();
    assert!(r.passes(), "{r:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
