//! Round trip through the nn4n exporter (`tools/nn4n_export.py`) with the real nn4n: its
//! `--self-test` builds a small E/I CTRNN with nn4n's MultiAreaEI builder, trains it a few
//! steps, saves it with `model.save`, exports the checkpoint and records nn4n's trajectories;
//! the Rust side must load the model file unchanged and replay nn4n within 1e-5. The exporter's
//! command line must export the same checkpoint identically and refuse a sign mask that breaks
//! Dale's law, naming the neuron.
//!
//! Runs when a Python with torch and nn4n is available: `NEUROLOOP_NN4N_PYTHON` (then it must
//! work), else `python3` (else the tests are skipped with the reason printed). The committed
//! fixtures of `tests/nn4n_fixtures.rs` cover the same ground without Python.

mod common;

use std::process::Command;

use common::temp_dir;
use neuroloop_host::ctrnn::{LoadOptions, Loaded, Model, check_fixture_file};

const INSTALL: &str = "python3 -m venv ~/venv-nn4n && ~/venv-nn4n/bin/pip install torch nn4n numpy; \
                       then NEUROLOOP_NN4N_PYTHON=~/venv-nn4n/bin/python";

fn script() -> &'static str {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tools/nn4n_export.py")
}

/// The Python to run nn4n with, or None (and the reason printed) when there is none.
fn nn4n_python(test: &str) -> Option<String> {
    let given = std::env::var("NEUROLOOP_NN4N_PYTHON").ok();
    let python = given.clone().unwrap_or_else(|| "python3".into());
    let probe = Command::new(&python).args(["-c", "import torch, nn4n"]).output();
    let reason = match probe {
        Ok(o) if o.status.success() => return Some(python),
        Ok(o) => String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("import failed").to_string(),
        Err(e) => e.to_string(),
    };
    if given.is_some() {
        panic!("NEUROLOOP_NN4N_PYTHON={python} cannot import torch and nn4n: {reason}");
    }
    eprintln!("{test} skipped: {python} cannot import torch and nn4n ({reason}); install: {INSTALL}");
    None
}

#[test]
fn nn4n_export_round_trip() {
    let Some(python) = nn4n_python("nn4n_export_round_trip") else { return };
    let dir = temp_dir();
    let out = Command::new(&python).args([script(), "--self-test", dir.path().to_str().unwrap()]).output().unwrap();
    assert!(out.status.success(), "exporter self-test failed: {}", String::from_utf8_lossy(&out.stderr));
    let Loaded { model, repaired } =
        Model::load(&dir.path().join("model.json"), LoadOptions::default()).expect("the exported model loads");
    assert_eq!(repaired.pruned + repaired.clamped, 0, "the exporter enforces the constraints");
    assert_eq!((model.dims.inputs, model.dims.hidden, model.dims.outputs), (3, 12, 2));
    let sign = model.neuron_sign.as_ref().expect("Dale's law: neuron_sign");
    assert_eq!(sign.iter().filter(|s| **s < 0.0).count(), 4, "exc_pct 0.75 of two areas of 6: 2 + 2 inhibitory");
    assert!(model.masks.sparsity_rec.is_some() && model.masks.ei_rec.is_some() && model.masks.ei_out.is_some());
    let r = check_fixture_file(&dir.path().join("fixture.json"), false).unwrap();
    assert!(r.passes() && r.runs == 2, "{r:?}");

    // The command line, on the checkpoint nn4n's model.save wrote: the same model file.
    let cli_json = dir.path().join("cli.json");
    let out = Command::new(&python)
        .args([script(), dir.path().join("model.pth").to_str().unwrap(), cli_json.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "exporter failed: {}", String::from_utf8_lossy(&out.stderr));
    let again = Model::load(&cli_json, LoadOptions::default()).unwrap().model;
    assert_eq!(again.params, model.params);
    assert_eq!((&again.masks, &again.neuron_sign, &again.v0), (&model.masks, &model.neuron_sign, &model.v0));
}

#[test]
fn nn4n_export_refuses_a_sign_mask_that_breaks_dales_law() {
    let Some(python) = nn4n_python("nn4n_export_refuses_a_sign_mask_that_breaks_dales_law") else { return };
    let dir = temp_dir();
    let ckpt = dir.path().join("transposed.pth");
    // Inhibitory POSTsynaptic neurons: the mask given [to][from] where nn4n takes [from][to].
    let make = format!(
        "import torch; from nn4n.model import CTRNN; torch.manual_seed(0)\n\
         ei = torch.ones(12, 12); ei[:, 9:] = -1\n\
         CTRNN(dims=[3, 12, 2], activation='tanh', ei_masks=[None, ei, None]).save({:?})",
        ckpt.to_str().unwrap()
    );
    let out = Command::new(&python).args(["-c", &make]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let model_json = dir.path().join("m.json");
    let out =
        Command::new(&python).args([script(), ckpt.to_str().unwrap(), model_json.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("breaks Dale's law at presynaptic neuron 0"), "{err}");
    assert!(err.contains("masks.ei_rec[9][0] = -1") && err.contains("looks transposed"), "{err}");
    assert!(!model_json.exists());
    // Exported on purpose without Dale's law: a sign mask, no neuron_sign; it loads.
    let out = Command::new(&python)
        .args([script(), "--allow-non-dale", ckpt.to_str().unwrap(), model_json.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let m = Model::load(&model_json, LoadOptions::default()).unwrap().model;
    assert!(m.neuron_sign.is_none() && m.masks.ei_rec.is_some());
}
