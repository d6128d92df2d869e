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

/// The CTRNN CartPole controller of `tests/fixtures/cartpole_controller.json`.
fn fixture_teacher() -> neuroloop_host::ctrnn::Model {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json");
    neuroloop_host::ctrnn::Model::load(std::path::Path::new(path), Default::default()).unwrap().0
}

#[test]
fn sorn_reservoir_controller_learns_cartpole_from_a_teacher() {
    use neuroloop_host::sorn_control::{SornController, train_sorn_readout};
    let teacher = fixture_teacher();
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

#[test]
fn sorn_controller_learns_online_by_rls_in_a_few_teacher_episodes() {
    use neuroloop_host::sorn_control::{RlsOptions, SornController, train_sorn_rls};
    let teacher = fixture_teacher();
    let o = RlsOptions::default();
    let ctl = train_sorn_rls("CartPole-v1", &teacher, 1, &o).unwrap();
    assert_eq!(ctl.readout_units(), 48);
    assert_eq!(ctl.readout[0].len(), 49);
    let (mean, _, _) = ctl.evaluate(20, 500).unwrap();
    assert!(mean >= 475.0, "RLS readout return {mean}");
    // After one teacher episode the readout balances far worse: the learning is real.
    let one = train_sorn_rls("CartPole-v1", &teacher, 1, &RlsOptions { episodes: 1, ..o }).unwrap();
    let (weak, _, _) = one.evaluate(20, 500).unwrap();
    assert!(weak < mean - 100.0, "1 episode {weak}, {} episodes {mean}", o.episodes);
    // Saved and loaded, it acts the same; bad options are errors, not panics.
    let path = std::env::temp_dir().join(format!("neuroloop-rls-{}.json", std::process::id()));
    ctl.save(&path).unwrap();
    assert_eq!(SornController::load(&path).unwrap(), ctl);
    std::fs::remove_file(&path).unwrap();
    assert!(train_sorn_rls("CartPole-v1", &teacher, 1, &RlsOptions { units: 0, ..o }).is_err());
    assert!(train_sorn_rls("CartPole-v1", &teacher, 1, &RlsOptions { units: 201, ..o }).is_err());
    let err = train_sorn_rls("CartPole-v1", &teacher, 1, &RlsOptions { forgetting: 1.5, ..o }).unwrap_err();
    assert!(err.to_string().contains("forgetting"), "{err}");
}

#[test]
fn eval_records_episodes_and_renders_a_gif() {
    let dir = std::env::temp_dir().join(format!("neuroloop-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cartpole_controller.json");
    let rec = dir.join("episodes");
    let gif = dir.join("cartpole.gif");
    let (code, out, err) = cli(&[
        "eval",
        "--env",
        "CartPole-v1",
        "--model",
        model,
        "--episodes",
        "2",
        "--seed",
        "7",
        "--record",
        rec.to_str().unwrap(),
        "--render",
        gif.to_str().unwrap(),
        "--render-every",
        "25",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    let mean = v["mean_return"].as_f64().unwrap();
    // One CSV row per step; the rewards of both recorded episodes sum to the evaluated returns.
    let mut total = 0.0;
    for seed in [7, 8] {
        let csv = std::fs::read_to_string(rec.join(format!("episode-{seed}.csv"))).unwrap();
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        total += rows.iter().map(|r| r.split(',').nth(6).unwrap().parse::<f64>().unwrap()).sum::<f64>();
        let last: Vec<&str> = rows.last().unwrap().split(',').collect();
        assert_eq!(last[7..], ["0", "1"], "a 500-step episode ends truncated");
        let bytes = std::fs::read(rec.join(format!("episode-{seed}/states.npy"))).unwrap();
        let states = npyz::NpyFile::new(&bytes[..]).unwrap();
        assert_eq!(states.shape(), &[rows.len() as u64 + 1, 4]);
    }
    assert_eq!(total / 2.0, mean);
    let bytes = std::fs::read(&gif).unwrap();
    assert_eq!(&bytes[..6], b"GIF89a");
    // 500 steps, a frame every 25 steps and the last: 21 image descriptors (0x2C after a
    // graphic control extension 0x21 0xF9 ... 0x00).
    let frames = bytes.windows(3).filter(|w| w == &[0x00, 0x2C, 0x00]).count();
    assert!(frames >= 21, "{frames} frames");
    // A model that does not fit the environment is an error naming the dims.
    let (code, _, err) = cli(&["eval", "--env", "Pendulum-v1", "--model", model, "--seed", "1"]);
    assert_eq!(code, 1);
    assert!(err.contains("do not fit"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
