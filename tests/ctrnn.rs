//! CTRNN: nn4n parity, model files (round trip and every kind of bad file), constraints,
//! builders, embedding, batching, noise, CLI.

mod common;

use common::{cli, cli_line, temp_dir};
use neuroloop_core::ctrnn::{Activation, Ctrnn, Dims, Noise, NoiseScaling};
use neuroloop_core::rng::NetRng;
use neuroloop_host::ctrnn::{
    AreaEi, EiBalance, InitOptions, LoadOptions, Masks, Model, ModelError, MultiArea, blob, check_fixture,
    random_model, rust_source, step_batch_parallel,
};
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("fixtures/ctrnn_tanh_nn4n.json");

#[test]
fn nn4n_fixture_replays_within_tolerance() {
    let r = check_fixture(FIXTURE, false).unwrap();
    assert_eq!((r.runs, r.steps), (2, 100));
    assert!(r.max_hidden_diff <= 1e-6 && r.max_output_diff <= 1e-6, "{r:?}");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ctrnn_tanh_nn4n.json");
    let (code, out, _) = cli(&["ctrnn", "check", path]);
    assert_eq!(code, 0);
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("max_abs_diff hidden") && last.ends_with("ok"), "{last}");
}

/// A small model with Dale's law and all masks, as the multi-area E/I builder makes it.
fn masked_model(seed: u64) -> Model {
    let dims = Dims { inputs: 3, hidden: 20, outputs: 2 };
    let mut areas = MultiArea::equal(20, 2, [0.3, 0.2, 0.8]).unwrap();
    areas.ei = Some(AreaEi::default());
    areas.input_areas = vec![0];
    areas.readout_areas = vec![1];
    let (masks, sign) = areas.build(dims, seed).unwrap();
    let opts = InitOptions { masks, neuron_sign: sign, biases: Some(Default::default()), ..InitOptions::default() };
    random_model(dims, Activation::Relu, &opts, seed)
}

fn check_invariants(m: &Model) {
    let h = m.dims.hidden;
    let sp = m.spans();
    assert_eq!(m.params.len(), sp.total());
    let (w_in, w_rec, w_out) = (sp.w_in.of(&m.params), sp.w_rec.of(&m.params), sp.w_out.of(&m.params));
    let sign = m.neuron_sign.as_ref().unwrap();
    for (w, sp, ei) in [
        (w_in, &m.masks.sparsity_in, &m.masks.ei_in),
        (w_rec, &m.masks.sparsity_rec, &m.masks.ei_rec),
        (w_out, &m.masks.sparsity_out, &m.masks.ei_out),
    ] {
        for (k, &x) in w.iter().enumerate() {
            if let Some(sp) = sp {
                assert!(sp[k] != 0.0 || x == 0.0, "pruned synapse {k} holds {x}");
            }
            if let Some(ei) = ei {
                assert!(if ei[k] > 0.0 { x >= 0.0 } else { x <= 0.0 }, "sign of {k}: {x}");
            }
        }
    }
    for (k, &x) in w_rec.iter().enumerate() {
        assert!(x * sign[k % h] >= 0.0, "Dale's law at [{}][{}]: {x}", k / h, k % h);
    }
}

#[test]
fn constraints_hold_after_construction_and_after_loading() {
    let m = masked_model(3);
    check_invariants(&m);
    // E/I balance of the recurrent layer: excitatory sum = |inhibitory sum|.
    let h = 20;
    let w_rec = m.spans().w_rec.of(&m.params);
    let sign = m.neuron_sign.as_ref().unwrap();
    let e: f32 = w_rec.iter().enumerate().filter(|(k, _)| sign[k % h] > 0.0).map(|(_, w)| w).sum();
    let i: f32 = w_rec.iter().enumerate().filter(|(k, _)| sign[k % h] < 0.0).map(|(_, w)| w).sum();
    assert!(e > 0.0 && (e + i).abs() < 1e-5 * e, "E {e} I {i}");
    let text = m.to_json();
    let neuroloop_host::ctrnn::Loaded { model: back, repaired } =
        Model::from_json(&text, LoadOptions::default()).unwrap();
    assert_eq!(repaired.pruned + repaired.clamped, 0);
    check_invariants(&back);
    assert_eq!(
        back.params.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
        m.params.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    assert_eq!(back.masks, m.masks);
    assert_eq!(back.neuron_sign, m.neuron_sign);
}

#[test]
fn nn4n_1_1_1_balance_divides_by_ten() {
    let m = masked_model(3);
    let opts = InitOptions {
        masks: m.masks.clone(),
        neuron_sign: m.neuron_sign.clone(),
        balance: EiBalance::DivideBy10,
        ..InitOptions::default()
    };
    let a = random_model(m.dims, Activation::Relu, &opts, 3);
    let b = random_model(m.dims, Activation::Relu, &InitOptions { balance: EiBalance::Scale, ..opts.clone() }, 3);
    let wi = &a.params[..60];
    let bi = &b.params[..60];
    // The input layer has no sign mask: unaffected by the rule.
    assert_eq!(wi, bi);
    let (ra, rb) = (&a.params[80..480], &b.params[80..480]);
    let max_a = ra.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(max_a <= 1.0 / (20f32).sqrt() / 10.0 + 1e-7, "{max_a}");
    assert_ne!(ra, rb);
}

#[test]
fn multi_area_density_per_area_pair_is_binomial() {
    let h = 200;
    let mut areas = MultiArea::equal(h, 2, [0.3, 0.1, 0.6]).unwrap();
    areas.input_areas = vec![0];
    let dims = Dims { inputs: 4, hidden: h, outputs: 1 };
    let (masks, sign) = areas.build(dims, 11).unwrap();
    assert!(sign.is_none());
    let rec = masks.sparsity_rec.unwrap();
    // P[to][from]: within 0.6, forward (0 -> 1) 0.3, feedback (1 -> 0) 0.1; 100 x 100 pairs each.
    for (to, from, p) in [(0, 0, 0.6f32), (1, 1, 0.6), (1, 0, 0.3), (0, 1, 0.1)] {
        let mut n = 0.0;
        for i in to * 100..(to + 1) * 100 {
            for j in from * 100..(from + 1) * 100 {
                n += rec[i * h + j];
            }
        }
        let (mean, sd) = (10_000.0 * p, (10_000.0 * p * (1.0 - p)).sqrt());
        assert!((n - mean).abs() < 5.0 * sd, "block ({to},{from}): {n} vs {mean} +- {sd}");
    }
    let sin = masks.sparsity_in.unwrap();
    assert!(
        sin[..100 * 4].iter().all(|&x| x == 1.0) && sin[100 * 4..].iter().all(|&x| x == 0.0),
        "input only to area 0"
    );
    // E/I: the first 80 % of each area is excitatory; cutting I -> E between areas removes them.
    areas.ei = Some(AreaEi { inter_area: [true, true, false, true], ..AreaEi::default() });
    let (masks, sign) = areas.build(dims, 11).unwrap();
    let sign = sign.unwrap();
    assert_eq!(sign.iter().filter(|&&s| s > 0.0).count(), 160);
    assert!(sign[79] > 0.0 && sign[80] < 0.0 && sign[179] > 0.0 && sign[180] < 0.0);
    let rec = masks.sparsity_rec.unwrap();
    for i in 0..h {
        for j in 0..h {
            if i / 100 != j / 100 && sign[j] < 0.0 && sign[i] > 0.0 {
                assert_eq!(rec[i * h + j], 0.0, "I -> E between areas at [{i}][{j}]");
            }
        }
    }
}

/// A valid small model file to break in many ways.
fn base() -> Value {
    json!({
        "format": "neuroloop-ctrnn", "version": 1, "activation": "relu", "alpha": 0.1,
        "w_in": [[0.5], [-0.25]], "w_rec": [[0.0, -0.125], [0.75, 0.0]], "b_rec": [0.0, 0.0],
        "w_out": [[1.0, -1.0]], "b_out": [0.0], "neuron_sign": [1, -1],
        "noise_std": {"preact": 0.05, "postact": 0.0}, "meta": {"source": "spec example"}
    })
}

fn load(v: &Value) -> Result<Model, ModelError> {
    Model::from_json(&v.to_string(), LoadOptions::default()).map(|m| m.model)
}

fn with(f: impl FnOnce(&mut Value)) -> Result<Model, ModelError> {
    let mut v = base();
    f(&mut v);
    load(&v)
}

#[test]
fn the_spec_example_loads() {
    let m = load(&base()).unwrap();
    assert_eq!(m.dims, Dims { inputs: 1, hidden: 2, outputs: 1 });
    assert_eq!(m.noise.pre, 0.05);
    assert_eq!(&m.params[m.params.len() - 2..], [0.1, 0.1]);
}

#[test]
fn every_kind_of_bad_model_file_is_a_typed_error() {
    use ModelError as E;
    assert!(matches!(Model::from_json("{not json", LoadOptions::default()), Err(E::Json(_))));
    assert!(matches!(load(&json!([1, 2])), Err(E::NotAnObject)));
    assert!(matches!(with(|v| v["format"] = json!("onnx")), Err(E::Format { .. })));
    assert!(matches!(with(|v| v["version"] = json!(2)), Err(E::Version { .. })));
    assert!(matches!(with(|v| v["learning_rate"] = json!(0.1)), Err(E::UnknownKey { key }) if key == "learning_rate"));
    assert!(
        matches!(with(|v| v["masks"] = json!({"sparsity_hidden": [[1]]})), Err(E::UnknownKey { key }) if key == "masks.sparsity_hidden")
    );
    assert!(
        matches!(with(|v| { v.as_object_mut().unwrap().remove("w_rec"); }), Err(E::Missing { field }) if field == "w_rec")
    );
    assert!(
        matches!(with(|v| v["w_rec"] = json!([[0.0, 1.0], [0.5]])), Err(E::Shape { field, .. }) if field == "w_rec")
    );
    assert!(
        matches!(with(|v| v["w_out"] = json!([[1.0, -1.0, 2.0]])), Err(E::Shape { field, .. }) if field == "w_out")
    );
    assert!(matches!(with(|v| v["b_rec"] = json!([0.0, "x"])), Err(E::Field { path, .. }) if path == "b_rec[1]"));
    assert!(matches!(with(|v| v["noise_std"] = json!(0.1)), Err(E::Field { path, .. }) if path == "noise_std"));
    assert!(matches!(with(|v| v["w_in"] = json!([[1e40], [0.0]])), Err(E::NotFinite { field, .. }) if field == "w_in"));
    assert!(matches!(with(|v| v["activation"] = json!("softplus")), Err(E::Activation { name }) if name == "softplus"));
    assert!(matches!(with(|v| v["alpha"] = json!([0.1, 1.5])), Err(E::Alpha { index: 1, .. })));
    assert!(matches!(with(|v| v["alpha"] = json!(0.0)), Err(E::Alpha { index: 0, .. })));
    assert!(matches!(with(|v| v["noise_std"] = json!({"preact": -0.1})), Err(E::NegativeNoise { .. })));
    assert!(
        matches!(with(|v| v["noise_std"] = json!({"pre": 0.1})), Err(E::UnknownKey { key }) if key == "noise_std.pre")
    );
    assert!(matches!(with(|v| v["neuron_sign"] = json!([1, 0.5])), Err(E::NeuronSign { index: 1, .. })));
    assert!(matches!(
        with(|v| v["masks"] = json!({"sparsity_rec": [[0, 2], [1, 0]]})),
        Err(E::MaskEntry { row: 0, col: 1, .. })
    ));
    assert!(matches!(with(|v| v["masks"] = json!({"ei_out": [[1, 0]]})), Err(E::MaskEntry { row: 0, col: 1, .. })));
    // Weights that break their constraints: a pruned synapse that is not zero, a wrong sign,
    // Dale's law, and an ei_rec that disagrees with neuron_sign.
    let pruned = with(|v| v["masks"] = json!({"sparsity_rec": [[1, 0], [1, 1]]}));
    assert!(matches!(pruned, Err(E::Violation { ref field, row: 0, col: 1, .. }) if field == "w_rec"), "{pruned:?}");
    let sign = with(|v| v["masks"] = json!({"ei_in": [[1], [1]]}));
    assert!(matches!(sign, Err(E::Violation { ref field, row: 1, col: 0, .. }) if field == "w_in"), "{sign:?}");
    let dale = with(|v| v["w_rec"] = json!([[0.0, 0.125], [0.75, 0.0]]));
    assert!(
        matches!(dale, Err(E::Violation { ref field, row: 0, col: 1, rule, .. }) if field == "w_rec" && rule.contains("Dale")),
        "{dale:?}"
    );
    let ei = with(|v| v["masks"] = json!({"ei_rec": [[1, 1], [1, -1]]}));
    assert!(matches!(ei, Err(E::SignDisagrees { row: 0, col: 1, .. })), "{ei:?}");
    let text = ei.unwrap_err().to_string();
    assert!(text.contains("disagrees with neuron_sign[1]") && !text.contains("must be +1 or -1"), "{text}");
    // Every error names its field in its message.
    let text = with(|v| v["b_rec"] = json!([0.0, "x"])).unwrap_err().to_string();
    assert!(text.contains("b_rec[1]"), "{text}");
}

#[test]
fn lenient_loading_options() {
    let mut v = base();
    v["w_rec"] = json!([[0.0, 0.125], [0.75, 0.0]]); // breaks Dale's law at [0][1]
    v["alpha"] = json!(1.5);
    let opts = LoadOptions { clamp_on_load: true, allow_any_alpha: true };
    let neuroloop_host::ctrnn::Loaded { model: m, repaired } = Model::from_json(&v.to_string(), opts).unwrap();
    assert_eq!((repaired.pruned, repaired.clamped), (0, 1));
    assert_eq!(m.params[2 + 2 + 1], 0.0, "w_rec[0][1] clamped to 0");
}

#[test]
fn embedded_model_equals_the_loaded_one() {
    // firmware/src/models/ctrnn_fixture.rs and its blob (what the firmware runs) were written by
    // `neuroloop ctrnn embed` from the model of the nn4n fixture.
    use neuroloop_firmware::models::ctrnn_fixture as embedded;
    let model = fixture_model();
    assert_eq!(embedded::V0.to_vec(), model.v0);
    assert_eq!((embedded::CONFIG.dims, embedded::CONFIG.activation), (model.dims, model.activation));
    assert_eq!(
        embedded::PARAMS.map(f32::to_bits).to_vec(),
        model.params.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
    );
    // The generator still writes exactly the committed files.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/firmware/src/models");
    let src = rust_source(&model, "neuroloop_core", "ctrnn_fixture.f32le");
    assert_eq!(src, std::fs::read_to_string(format!("{dir}/ctrnn_fixture.rs")).unwrap(), "regenerate the model");
    assert_eq!(blob(&model), std::fs::read(format!("{dir}/ctrnn_fixture.f32le")).unwrap());
    // And a board-style network over the const array runs like the loaded one.
    let mut params = embedded::PARAMS;
    let board = Ctrnn::new(&embedded::CONFIG, &mut params[..]).unwrap();
    let host = model.network().unwrap();
    let (mut sb, mut sh) = ([0.0f32; 32], vec![0.0f32; 32]);
    let (mut yb, mut yh) = ([0.0f32; 2], [0.0f32; 2]);
    for t in 0..20 {
        let u = [t as f32 * 0.1, -0.3, 1.0];
        board.step(&mut sb, &u, &mut yb, None).unwrap();
        host.step(&mut sh, &u, &mut yh, None).unwrap();
        assert_eq!(yb, yh);
    }
}

#[test]
fn the_embed_command_writes_the_module_and_its_blob() {
    let tmp = temp_dir();
    let model = tmp.path().join("m.json");
    fixture_model().save(&model).unwrap();
    let out = tmp.path().join("my_model.rs");
    let (code, stdout, err) =
        cli(&["ctrnn", "embed", "--model", model.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(stdout.contains("my_model.f32le"));
    let src = std::fs::read_to_string(&out).unwrap();
    assert!(src.contains("include_bytes!(\"my_model.f32le\")") && src.contains("pub const PARAMS: [f32; 386]"));
    assert_eq!(std::fs::read(tmp.path().join("my_model.f32le")).unwrap().len(), 4 * (386 + 16));
}

/// The model of the nn4n fixture, as a model file would hold it.
fn fixture_model() -> Model {
    let f: Value = serde_json::from_str(FIXTURE).unwrap();
    let m = json!({
        "format": "neuroloop-ctrnn", "version": 1, "activation": f["activation"], "alpha": f["alpha"],
        "w_in": f["w_in_to_from"], "b_in": f["b_in"], "w_rec": f["w_rec_to_from"], "b_rec": f["b_rec"],
        "w_out": f["w_out_to_from"], "b_out": f["b_out"], "meta": {"source": f["name"]}
    });
    load(&m).unwrap()
}

/// Writes a fixture in the nn4n fixture format from a model and the core's own trajectory.
fn make_fixture(m: &Model, steps: usize, seed: u64) -> Value {
    let Dims { inputs: i, hidden: h, outputs: o } = m.dims;
    let net = m.network().unwrap();
    let mut rng = NetRng::seed_from_u64(seed);
    let input: Vec<Vec<f32>> = (0..steps).map(|_| (0..i).map(|_| rng.uniform_f32() * 2.0 - 1.0).collect()).collect();
    let v0: Vec<f32> = (0..h).map(|_| rng.uniform_f32() - 0.5).collect();
    let mut state = vec![0.0f32; 2 * h];
    net.init_state(&v0, &mut state).unwrap();
    let fr0 = state[h..].to_vec();
    let (mut hv, mut hr, mut out) = (vec![], vec![], vec![]);
    let mut y = vec![0.0f32; o];
    for u in &input {
        net.step(&mut state, u, &mut y, None).unwrap();
        hv.push(state[..h].to_vec());
        hr.push(state[h..].to_vec());
        out.push(y.clone());
    }
    let p = &m.params;
    let mat = |s: usize, r: usize, c: usize| -> Vec<Vec<f32>> {
        (0..r).map(|k| p[s + k * c..s + (k + 1) * c].to_vec()).collect()
    };
    let masks = json!({
        "orientation": "[to][from]",
        "sparsity_in_to_from": m.masks.sparsity_in.as_ref().map(|x| x.chunks(i).collect::<Vec<_>>()),
        "sparsity_rec_to_from": m.masks.sparsity_rec.as_ref().map(|x| x.chunks(h).collect::<Vec<_>>()),
        "sparsity_out_to_from": m.masks.sparsity_out.as_ref().map(|x| x.chunks(h).collect::<Vec<_>>()),
        "ei_in_to_from": Value::Null,
        "ei_rec_to_from": m.masks.ei_rec.as_ref().map(|x| x.chunks(h).collect::<Vec<_>>()),
        "ei_out_to_from": m.masks.ei_out.as_ref().map(|x| x.chunks(h).collect::<Vec<_>>()),
        "neuron_sign": m.neuron_sign,
    });
    json!({
        "name": "masked_relu", "T": steps, "dims": {"input": i, "hidden": h, "output": o},
        "activation": m.activation.name(), "alpha": p[p.len() - h..],
        "noise": {"preact_noise": 0.0, "postact_noise": 0.0},
        "w_in_to_from": mat(0, h, i), "b_in": p[h * i..h * i + h],
        "w_rec_to_from": mat(h * i + h, h, h), "b_rec": p[h * i + h + h * h..h * i + 2 * h + h * h],
        "w_out_to_from": mat(h * i + 2 * h + h * h, o, h), "b_out": p[h * i + 2 * h + h * h + o * h..h * i + 2 * h + h * h + o * h + o],
        "masks": masks,
        "runs": [{"name": "random_init", "input": input, "v0": v0, "fr0": fr0, "hidden_v": hv, "hidden_fr": hr, "output": out}],
    })
}

#[test]
fn masked_dale_fixtures_are_checked_too() {
    let m = masked_model(5);
    let fixture = make_fixture(&m, 30, 1);
    let r = check_fixture(&fixture.to_string(), false).unwrap();
    assert_eq!((r.max_hidden_diff, r.max_output_diff), (0.0, 0.0), "the core replays its own trajectory exactly");
    // Through the CLI, from a file.
    let tmp = temp_dir();
    let path = tmp.path().join("masked-fixture.json");
    std::fs::write(&path, fixture.to_string()).unwrap();
    let (code, out, _) = cli(&["ctrnn", "check", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    // A trajectory that disagrees fails with exit 1.
    let mut bad = fixture.clone();
    bad["runs"][0]["output"][5][0] = json!(123.0);
    std::fs::write(&path, bad.to_string()).unwrap();
    let (code, out, _) = cli(&["ctrnn", "check", path.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.lines().last().unwrap().ends_with("FAIL"));
    // Weights that break the fixture's own masks, or noise, are errors.
    let mut broken = fixture.clone();
    let sparsity = broken["masks"]["sparsity_rec_to_from"].clone();
    let (i, j) =
        (0..20).flat_map(|i| (0..20).map(move |j| (i, j))).find(|&(i, j)| sparsity[i][j] == json!(0.0)).unwrap();
    broken["w_rec_to_from"][i][j] = json!(0.5);
    assert!(matches!(check_fixture(&broken.to_string(), false), Err(ModelError::Violation { .. })));
    let mut noisy = fixture;
    noisy["noise"]["preact_noise"] = json!(0.1);
    assert!(check_fixture(&noisy.to_string(), false).is_err());
}

#[test]
fn a_fixture_with_an_alpha_outside_0_1_is_refused_as_the_loader_refuses_it() {
    // nn4n does not bound a learned alpha; the model loader refuses one outside (0, 1] unless
    // --allow-any-alpha, and so does the fixture check (a passing replay is of a model that
    // `ctrnn run` takes under the same flag).
    let mut m = masked_model(6);
    let h = m.dims.hidden;
    let n = m.params.len();
    m.params[n - h + 3] = -0.0013;
    let fixture = make_fixture(&m, 20, 2).to_string();
    let e = check_fixture(&fixture, false).unwrap_err();
    assert!(matches!(e, ModelError::Alpha { index: 3, .. }), "{e:?}");
    let r = check_fixture(&fixture, true).unwrap();
    assert!(r.passes(), "{r:?}");
    let tmp = temp_dir();
    let path = tmp.path().join("alpha.json");
    std::fs::write(&path, &fixture).unwrap();
    let (code, _, err) = cli(&["ctrnn", "check", path.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("error:") && err.contains("alpha[3]") && err.contains("(0, 1]"), "{err}");
    let (code, out, _) = cli(&["ctrnn", "check", "--allow-any-alpha", path.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn batched_and_parallel_steps_equal_single_steps_bit_for_bit() {
    // A masked nn4n-style model; B 37 (an odd batch, more than one rayon group), H 20.
    let m = masked_model(8);
    let net = m.network().unwrap();
    let (b, h, i, o) = (37, 20, 3, 2);
    let mut rng = NetRng::seed_from_u64(3);
    let mut states: Vec<f32> = (0..b * 2 * h).map(|_| rng.uniform_f32()).collect();
    let (mut singles, mut parallel) = (states.clone(), states.clone());
    let (mut outs, mut par_outs) = (vec![0.0f32; b * o], vec![0.0f32; b * o]);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
    for _ in 0..30 {
        let inputs: Vec<f32> = (0..b * i).map(|_| rng.uniform_f32()).collect();
        net.step_batch(&mut states, &inputs, &mut outs, None).unwrap();
        pool.install(|| step_batch_parallel(&net, &mut parallel, &inputs, &mut par_outs)).unwrap();
        for s in 0..b {
            let mut y = [0.0f32; 2];
            net.step(&mut singles[s * 2 * h..(s + 1) * 2 * h], &inputs[s * i..(s + 1) * i], &mut y, None).unwrap();
            assert_eq!(y, outs[s * o..(s + 1) * o]);
        }
        assert_eq!(states, singles);
        assert_eq!((&parallel, &par_outs), (&states, &outs));
    }
    assert!(net.step_batch(&mut states, &[0.0; 3], &mut outs, None).is_err(), "wrong input length");
    assert!(step_batch_parallel(&net, &mut states, &[0.0; 3], &mut outs).is_err(), "wrong input length");
}

#[test]
fn noise_is_seeded_and_scaled() {
    let dims = Dims { inputs: 1, hidden: 64, outputs: 1 };
    let mut m = random_model(
        dims,
        Activation::Tanh,
        &InitOptions { weights: neuroloop_host::ctrnn::WeightInit::Zero, ..InitOptions::default() },
        1,
    );
    m.noise = Noise { pre: 0.5, post: 0.0, scaling: NoiseScaling::Alpha };
    let run = |seed: u64, scaling: NoiseScaling| {
        let mut net = m.network().unwrap();
        net.set_noise(Noise { scaling, ..m.noise }).unwrap();
        let mut rng = NetRng::seed_from_u64(seed);
        let mut state = vec![0.0f32; 128];
        let mut y = [0.0f32];
        net.step(&mut state, &[0.0], &mut y, Some(&mut rng)).unwrap();
        state[..64].to_vec()
    };
    assert_eq!(run(4, NoiseScaling::Alpha), run(4, NoiseScaling::Alpha));
    assert_ne!(run(4, NoiseScaling::Alpha), run(5, NoiseScaling::Alpha));
    // With zero weights, one step from v = 0 gives v = scale * sigma * xi: sd alpha * 0.5 = 0.05
    // (nn4n) or sqrt(2 alpha) * 0.5 = 0.224 (Euler-Maruyama).
    let sd = |v: Vec<f32>| (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
    let a = sd((0..50).flat_map(|s| run(s, NoiseScaling::Alpha)).collect());
    let e = sd((0..50).flat_map(|s| run(s, NoiseScaling::EulerMaruyama)).collect());
    assert!((a - 0.05).abs() < 0.005 && (e - 0.2236).abs() < 0.02, "{a} {e}");
    // No generator: noise-free.
    let net = m.network().unwrap();
    let mut state = vec![0.0f32; 128];
    net.step(&mut state, &[0.0], &mut [0.0], None).unwrap();
    assert!(state.iter().all(|&x| x == 0.0));
}

#[test]
fn cli_runs_a_model_on_a_csv() {
    let tmp = temp_dir();
    let dir = tmp.path();
    let model = fixture_model();
    let mpath = dir.join("m.json");
    model.save(&mpath).unwrap();
    let f: Value = serde_json::from_str(FIXTURE).unwrap();
    let run = &f["runs"][0]; // zero_init: v0 = 0, as the model file's default
    let rows: Vec<String> = run["input"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","))
        .collect();
    let upath = dir.join("u.csv");
    std::fs::write(&upath, format!("u0,u1,u2\n{}\n", rows.join("\n"))).unwrap();
    let ypath = dir.join("y.csv");
    let run_model = || {
        cli_line(&format!(
            "ctrnn run --model {} --input {} --output {} --force",
            mpath.display(),
            upath.display(),
            ypath.display()
        ))
    };
    let (code, _, err) = run_model();
    assert_eq!(code, 0, "{err}");
    let y = std::fs::read_to_string(&ypath).unwrap();
    let expected = run["output"].as_array().unwrap();
    assert_eq!(y.lines().count(), expected.len());
    for (line, e) in y.lines().zip(expected) {
        for (a, b) in line.split(',').zip(e.as_array().unwrap()) {
            assert!((a.parse::<f64>().unwrap() - b.as_f64().unwrap()).abs() < 1e-5);
        }
    }
    // A row of the wrong width is an error naming the line.
    std::fs::write(&upath, "0.1,0.2\n").unwrap();
    let (code, _, err) = run_model();
    assert_eq!(code, 1);
    assert!(err.contains("line 1") && err.contains("3 inputs"), "{err}");
    // An empty input and an unparsable first row are errors, not silent successes.
    for (text, says) in [("", "no input rows"), ("0.1,zz,0.3\n0.1,0.2,0.3\n", "line 1")] {
        std::fs::write(&upath, text).unwrap();
        let (code, _, err) = run_model();
        assert_eq!(code, 1, "{text:?}");
        assert!(err.contains(says), "{text:?}: {err}");
    }
    let _ = Masks::default();
}
