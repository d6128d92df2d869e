//! The committed nn4n fixtures, replayed without Python: every parity fixture
//! (`tests/fixtures/*_nn4n.json`, nn4n's own trajectories) replays within 1e-5, and every model
//! file nn4n's exporter wrote (`tests/fixtures/*.model.json`, from a `model.save` checkpoint)
//! loads as it is and runs like nn4n, through `Model::run` and through `neuroloop ctrnn run`.
//! How each file was made: `tests/fixtures/README.md` and `tools/make_nn4n_fixtures.py`.

mod common;

use std::path::Path;

use common::{cli, fixture, temp_dir};
use neuroloop_host::ctrnn::{LoadOptions, Model, check_fixture_file};
use serde_json::Value;

const TOLERANCE: f32 = 1e-5;

/// File names in `tests/fixtures/` ending in `suffix`, sorted.
fn fixtures_ending(suffix: &str) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(suffix))
        .collect();
    v.sort();
    v
}

/// The names `X` of the exported nn4n models: `X.model.json` beside its fixture `X_nn4n.json`.
fn model_names() -> Vec<String> {
    let names: Vec<String> =
        fixtures_ending(".model.json").iter().map(|n| n.trim_end_matches(".model.json").to_string()).collect();
    for n in &names {
        assert!(fixture(&format!("{n}_nn4n.json")).exists(), "{n}.model.json has no parity fixture {n}_nn4n.json");
    }
    assert!(names.len() >= 6, "expected the committed nn4n models, found {names:?}");
    names
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn f32s(v: &Value) -> Vec<f32> {
    match v {
        Value::Array(a) => a.iter().flat_map(f32s).collect(),
        Value::Number(x) => vec![x.as_f64().unwrap() as f32],
        other => panic!("not a number or array: {other}"),
    }
}

fn rows(v: &Value) -> Vec<Vec<f32>> {
    v.as_array().unwrap().iter().map(f32s).collect()
}

fn max_diff(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    assert_eq!(a.len(), b.len(), "number of steps");
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            assert_eq!(x.len(), y.len(), "row width");
            x.iter().zip(y).map(|(p, q)| (p - q).abs())
        })
        .fold(0.0, f32::max)
}

fn load(name: &str) -> Model {
    let loaded = Model::load(&fixture(&format!("{name}.model.json")), LoadOptions::default())
        .unwrap_or_else(|e| panic!("{name}.model.json: {e:#}"));
    assert_eq!(loaded.repaired.pruned + loaded.repaired.clamped, 0, "{name}: the exporter enforces the masks");
    loaded.model
}

#[test]
fn every_nn4n_parity_fixture_replays_within_tolerance() {
    let all = fixtures_ending("_nn4n.json");
    assert!(all.len() >= 7, "{all:?}");
    for name in &all {
        let r = check_fixture_file(&fixture(name), false).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!(r.runs >= 1 && r.steps >= 30, "{name}: {r:?}");
        assert!(r.passes(), "{name}: {r:?}");
        // nn4n's float32 kernels vs ours: far below the tolerance (spec section 12).
        assert!(r.max_hidden_diff <= 1e-6 && r.max_output_diff <= 1e-6, "{name}: {r:?}");
        let (code, out, err) = cli(&["ctrnn", "check", fixture(name).to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {out}{err}");
        assert!(out.lines().last().unwrap().ends_with(": ok"), "{name}: {out}");
    }
}

#[test]
fn every_exported_nn4n_model_holds_its_fixtures_weights_and_masks() {
    for name in model_names() {
        let m = load(&name);
        let f = json(&fixture(&format!("{name}_nn4n.json")));
        let d = &f["dims"];
        let dims = (d["input"].as_u64().unwrap(), d["hidden"].as_u64().unwrap(), d["output"].as_u64().unwrap());
        assert_eq!((m.dims.inputs as u64, m.dims.hidden as u64, m.dims.outputs as u64), dims, "{name}");
        assert_eq!(m.activation.name(), f["activation"].as_str().unwrap(), "{name}");
        let sp = m.spans();
        for (span, key) in [
            (sp.w_in, "w_in_to_from"),
            (sp.b_in, "b_in"),
            (sp.w_rec, "w_rec_to_from"),
            (sp.b_rec, "b_rec"),
            (sp.w_out, "w_out_to_from"),
            (sp.b_out, "b_out"),
            (sp.alpha, "alpha"),
        ] {
            assert_eq!(span.of(&m.params), &f32s(&f[key])[..], "{name}: {key}");
        }
        let masks = &f["masks"];
        if masks.is_null() {
            assert_eq!(m.masks, Default::default(), "{name}");
            assert!(m.neuron_sign.is_none(), "{name}");
            continue;
        }
        for (got, key) in [
            (&m.masks.sparsity_in, "sparsity_in_to_from"),
            (&m.masks.sparsity_rec, "sparsity_rec_to_from"),
            (&m.masks.sparsity_out, "sparsity_out_to_from"),
            (&m.masks.ei_in, "ei_in_to_from"),
            (&m.masks.ei_rec, "ei_rec_to_from"),
            (&m.masks.ei_out, "ei_out_to_from"),
        ] {
            let want = (!masks[key].is_null()).then(|| f32s(&masks[key]));
            assert_eq!(got, &want, "{name}: {key}");
        }
        let sign = (!masks["neuron_sign"].is_null()).then(|| f32s(&masks["neuron_sign"]));
        assert_eq!(m.neuron_sign, sign, "{name}: neuron_sign");
    }
}

#[test]
fn every_exported_nn4n_model_runs_like_nn4n() {
    for name in model_names() {
        let model = load(&name);
        let f = json(&fixture(&format!("{name}_nn4n.json")));
        for (k, run) in f["runs"].as_array().unwrap().iter().enumerate() {
            let v0 = f32s(&run["v0"]);
            if k == 0 {
                assert_eq!(model.v0, v0, "{name}: the first run starts from the model's initial state");
            }
            let mut m = model.clone();
            m.v0 = v0;
            let y = m.run(&rows(&run["input"])).unwrap();
            let d = max_diff(&y, &rows(&run["output"]));
            assert!(d <= TOLERANCE, "{name} run {k}: Model::run differs from nn4n by {d}");
        }
    }
}

#[test]
fn ctrnn_run_on_an_exported_nn4n_model_matches_nn4n() {
    let dir = temp_dir();
    for name in model_names() {
        let f = json(&fixture(&format!("{name}_nn4n.json")));
        let run = &f["runs"][0];
        let input = dir.path().join(format!("{name}_u.csv"));
        let csv: String = rows(&run["input"])
            .iter()
            .map(|r| r.iter().map(f32::to_string).collect::<Vec<_>>().join(",") + "\n")
            .collect();
        std::fs::write(&input, csv).unwrap();
        let output = dir.path().join(format!("{name}_y.csv"));
        let model = fixture(&format!("{name}.model.json"));
        let args = ["ctrnn", "run", "--model", model.to_str().unwrap(), "--input", input.to_str().unwrap()];
        let (code, out, err) = cli(&[&args[..], &["--output", output.to_str().unwrap()]].concat());
        assert_eq!(code, 0, "{name}: {out}{err}");
        let y: Vec<Vec<f32>> = std::fs::read_to_string(&output)
            .unwrap()
            .lines()
            .map(|l| l.split(',').map(|c| c.parse::<f32>().unwrap()).collect())
            .collect();
        let d = max_diff(&y, &rows(&run["output"]));
        assert!(d <= TOLERANCE, "{name}: neuroloop ctrnn run differs from nn4n by {d}");
    }
}

/// The committed set covers what the exporter must handle: both nn4n versions, both builders,
/// Dale's law, restricted input/readout areas, a learned initial state (1.1.1) and a learned
/// per-neuron alpha (1.2.0), and the activations.
#[test]
fn the_nn4n_fixtures_cover_both_versions_builders_and_activations() {
    let models: Vec<Value> = model_names().iter().map(|n| json(&fixture(&format!("{n}.model.json")))).collect();
    let has = |p: &dyn Fn(&Value) -> bool| models.iter().any(p);
    for v in ["1.1.1", "1.2.0"] {
        assert!(has(&|m| m["meta"]["nn4n"] == v), "no model made by nn4n {v}");
    }
    for act in ["relu", "tanh", "sigmoid", "retanh"] {
        assert!(has(&|m| m["activation"] == act), "no {act} model");
    }
    assert!(has(&|m| m.get("neuron_sign").is_some()), "no E/I (MultiAreaEI) model");
    assert!(has(&|m| m.get("masks").is_some() && m.get("neuron_sign").is_none()), "no MultiArea model");
    assert!(has(&|m| m["v0"].as_array().is_some_and(|v| v.iter().any(|x| x.as_f64() != Some(0.0)))));
    assert!(has(&|m| {
        let a = f32s(&m["alpha"]);
        a.iter().any(|x| *x != a[0])
    }));
    // Input and readout restricted to some areas: whole rows of the input mask and whole
    // columns of the readout mask are zero.
    assert!(has(&|m| {
        let inp = &m["masks"]["sparsity_in"];
        inp.is_array() && rows(inp).iter().any(|r| r.iter().all(|x| *x == 0.0))
    }));
    assert!(has(&|m| {
        let out = &m["masks"]["sparsity_out"];
        out.is_array() && {
            let out = rows(out);
            (0..out[0].len()).any(|j| out.iter().all(|r| r[j] == 0.0))
        }
    }));
}
