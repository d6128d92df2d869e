//! Closed loop: a short seeded training run improves the return; eval's JSON; bad requests.

use neuroloop_host::control::{EsOptions, evaluate, train_es};

fn cli(args: &[&str]) -> (u8, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = neuroloop_host::cli::run(std::iter::once("neuroloop").chain(args.iter().copied()), &mut out, &mut err);
    (code, String::from_utf8(out).unwrap(), String::from_utf8(err).unwrap())
}

#[test]
fn a_short_training_run_improves_the_cartpole_return() {
    let opts = EsOptions { generations: 25, ..EsOptions::default() };
    let (model, curve) = train_es("CartPole-v1", &opts, 1, &mut |_| {}).unwrap();
    assert_eq!(curve.len(), 25);
    let first = curve[0].mean_return;
    let (mean, _) = evaluate(&model, "CartPole-v1", 20, 100).unwrap();
    assert!(mean > first + 100.0 && mean > 200.0, "return {first} -> {mean}");
    // Same seed, same result.
    let (again, _) = train_es("CartPole-v1", &opts, 1, &mut |_| {}).unwrap();
    assert_eq!(again.params, model.params);
}

#[test]
fn train_and_eval_from_the_cli() {
    let dir = std::env::temp_dir().join(format!("neuroloop-train-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let (code, out, err) = cli(&[
        "train",
        "--env",
        "CartPole-v1",
        "--controller",
        "ctrnn",
        "--seed",
        "2",
        "--out",
        d,
        "--generations",
        "10",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("final_mean_return"));
    for f in ["model.json", "learning_curve.csv", "learning_curve.png", "learning_curve.svg"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let model = dir.join("model.json");
    let (code, out, _) =
        cli(&["eval", "--env", "CartPole-v1", "--model", model.to_str().unwrap(), "--episodes", "5", "--seed", "3"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["episodes"].as_u64(), Some(5));
    assert!(v["mean_return"].as_f64().unwrap() >= 1.0 && v["std_return"].as_f64().unwrap() >= 0.0);
    // An existing output directory needs --force; unknown environments and the unfinished SORN
    // controller are errors.
    let (code, _, err) = cli(&[
        "train",
        "--env",
        "CartPole-v1",
        "--controller",
        "ctrnn",
        "--seed",
        "2",
        "--out",
        d,
        "--generations",
        "1",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("--force"));
    let (code, _, err) = cli(&["eval", "--env", "Pong-v5", "--model", model.to_str().unwrap(), "--seed", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown environment"), "{err}");
    let (code, _, err) =
        cli(&["train", "--env", "Pendulum-v1", "--controller", "sorn", "--seed", "1", "--out", d, "--force"]);
    assert_eq!(code, 1);
    assert!(err.contains("CartPole-v1 only"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sorn_reservoir_controller_learns_cartpole_from_a_teacher() {
    use neuroloop_host::sorn_control::{SornController, train_sorn_readout};
    let (teacher, _) = neuroloop_host::ctrnn::Model::load(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json")),
        Default::default(),
    )
    .unwrap();
    let ctl = train_sorn_readout("CartPole-v1", &teacher, 1, 10, 0.3, 0.1).unwrap();
    let (mean, _, _) = ctl.evaluate(20, 500).unwrap();
    assert!(mean >= 475.0, "SORN readout return {mean}");
    // A readout fitted on a single teacher episode balances worse than one fitted on ten.
    let weak = train_sorn_readout("CartPole-v1", &teacher, 1, 1, 0.3, 0.1).unwrap();
    assert!(weak.evaluate(20, 500).unwrap().0 <= mean);
    // Save, load, same behaviour; through the CLI's eval too.
    let dir = std::env::temp_dir().join(format!("neuroloop-sornctl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("controller.json");
    ctl.save(&path).unwrap();
    let back = SornController::load(&path).unwrap();
    assert_eq!(back, ctl);
    let (code, out, _) =
        cli(&["eval", "--env", "CartPole-v1", "--model", path.to_str().unwrap(), "--episodes", "5", "--seed", "3"]);
    assert_eq!(code, 0);
    assert!(out.contains("mean_return"));
    let (code, _, err) = cli(&["eval", "--env", "Acrobot-v1", "--model", path.to_str().unwrap(), "--seed", "3"]);
    assert_eq!(code, 1);
    assert!(err.contains("trained on CartPole-v1"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
