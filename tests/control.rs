//! Closed loop: a short seeded training run improves the return; eval's JSON; the SORN
//! controller learns from a teacher; recording and rendering; bad requests.

mod common;

use common::{cartpole_teacher, cli, cli_line, fails, fixture, last_json, temp_dir};
use neuroloop_host::control::sorn_controller::{RlsOptions, SornController, train_sorn_readout, train_sorn_rls};
use neuroloop_host::control::{Controller, EsOptions, evaluate, train_es};
use neuroloop_host::env::EnvId;

#[test]
fn a_short_training_run_improves_the_cartpole_return() {
    let opts = EsOptions { generations: 25, ..EsOptions::default() };
    let trained = train_es(EnvId::CartPole, &opts, 1, &mut |_| {}).unwrap();
    assert_eq!(trained.curve.len(), 25);
    let first = trained.curve[0].mean_return;
    let mean = evaluate(&Controller::Ctrnn(trained.model.clone()), EnvId::CartPole, 20, 100).unwrap().mean;
    assert!(mean > first + 100.0 && mean > 200.0, "return {first} -> {mean}");
    // Same seed, same result.
    let again = train_es(EnvId::CartPole, &opts, 1, &mut |_| {}).unwrap();
    assert_eq!(again.model.params, trained.model.params);
}

#[test]
fn train_and_eval_from_the_cli() {
    let tmp = temp_dir();
    let dir = tmp.path().join("run");
    let d = dir.to_str().unwrap();
    let train = ["train", "--env", "CartPole-v1", "--controller", "ctrnn", "--seed", "2", "--out", d];
    let (code, out, err) = cli(&[&train[..], &["--generations", "10"]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("final_mean_return"));
    for f in ["model.json", "learning_curve.csv", "learning_curve.png", "learning_curve.svg"] {
        assert!(dir.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(dir.join("learning_curve.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("generation,population_mean,mean_return"));
    assert_eq!(csv.lines().count(), 11);
    let model = dir.join("model.json");
    let m = model.to_str().unwrap();
    let (code, out, _) = cli(&["eval", "--env", "CartPole-v1", "--model", m, "--episodes", "5", "--seed", "3"]);
    assert_eq!(code, 0);
    let v = last_json(&out);
    assert_eq!(v["episodes"].as_u64(), Some(5));
    assert!(v["mean_return"].as_f64().unwrap() >= 1.0 && v["std_return"].as_f64().unwrap() >= 0.0);
    // An existing output directory needs --force; unknown environments and the SORN controller
    // on another plant are errors.
    let err = fails(&[&train[..], &["--generations", "1"]].concat());
    assert!(err.contains("--force"));
    let (code, _, err) = cli(&["eval", "--env", "Pong-v5", "--model", m, "--seed", "1"]);
    assert_eq!(code, 2, "clap refuses an id that is not registered");
    assert!(err.contains("CartPole-v1"), "{err}");
    let err = fails(&["train", "--env", "Pendulum-v1", "--controller", "sorn", "--seed", "1", "--out", d, "--force"]);
    assert!(err.contains("CartPole-v1 only"), "{err}");
}

#[test]
fn sorn_reservoir_controller_learns_cartpole_from_a_teacher() {
    let teacher = cartpole_teacher();
    let ctl = train_sorn_readout(EnvId::CartPole, &teacher, 1, 10, 0.3, 0.1).unwrap();
    let mean = evaluate(&Controller::Sorn(ctl.clone()), EnvId::CartPole, 20, 500).unwrap().mean;
    assert!(mean >= 475.0, "SORN readout return {mean}");
    // A readout fitted on a single teacher episode balances worse than one fitted on ten.
    let weak = train_sorn_readout(EnvId::CartPole, &teacher, 1, 1, 0.3, 0.1).unwrap();
    assert!(evaluate(&Controller::Sorn(weak), EnvId::CartPole, 20, 500).unwrap().mean <= mean);
    // Save, load, same behaviour; through the CLI's eval too.
    let tmp = temp_dir();
    let path = tmp.path().join("controller.json");
    ctl.save(&path).unwrap();
    let back = SornController::load(&path).unwrap();
    assert_eq!(back, ctl);
    let p = path.to_str().unwrap();
    let (code, out, _) = cli(&["eval", "--env", "CartPole-v1", "--model", p, "--episodes", "5", "--seed", "3"]);
    assert_eq!(code, 0);
    assert!(out.contains("mean_return"));
    let err = fails(&["eval", "--env", "Acrobot-v1", "--model", p, "--seed", "3"]);
    assert!(err.contains("trained on CartPole-v1"), "{err}");
}

#[test]
fn sorn_controller_learns_online_by_rls_in_a_few_teacher_episodes() {
    let teacher = cartpole_teacher();
    let o = RlsOptions::default();
    let ctl = train_sorn_rls(EnvId::CartPole, &teacher, 1, &o).unwrap();
    assert_eq!(ctl.readout_units(), 48);
    assert_eq!(ctl.readout[0].len(), 49);
    let mean = evaluate(&Controller::Sorn(ctl.clone()), EnvId::CartPole, 20, 500).unwrap().mean;
    assert!(mean >= 475.0, "RLS readout return {mean}");
    // After one teacher episode the readout balances far worse: the learning is real.
    let one = train_sorn_rls(EnvId::CartPole, &teacher, 1, &RlsOptions { episodes: 1, ..o }).unwrap();
    let weak = evaluate(&Controller::Sorn(one), EnvId::CartPole, 20, 500).unwrap().mean;
    assert!(weak < mean - 100.0, "1 episode {weak}, {} episodes {mean}", o.episodes);
    // Saved and loaded, it acts the same; bad options are errors, not panics.
    let tmp = temp_dir();
    let path = tmp.path().join("rls.json");
    ctl.save(&path).unwrap();
    assert_eq!(SornController::load(&path).unwrap(), ctl);
    assert!(train_sorn_rls(EnvId::CartPole, &teacher, 1, &RlsOptions { units: 0, ..o }).is_err());
    assert!(train_sorn_rls(EnvId::CartPole, &teacher, 1, &RlsOptions { units: 201, ..o }).is_err());
    let err = train_sorn_rls(EnvId::CartPole, &teacher, 1, &RlsOptions { forgetting: 1.5, ..o }).unwrap_err();
    assert!(err.to_string().contains("forgetting"), "{err}");
}

#[test]
fn eval_records_episodes_and_renders_a_gif() {
    let tmp = temp_dir();
    let model = fixture("cartpole_controller.json");
    let model = model.to_str().unwrap();
    let rec = tmp.path().join("episodes");
    let gif = tmp.path().join("cartpole.gif");
    let (code, out, err) = cli_line(&format!(
        "eval --env CartPole-v1 --model {model} --episodes 2 --seed 7 --record {} --render {} --render-every 25",
        rec.display(),
        gif.display()
    ));
    assert_eq!(code, 0, "{err}");
    let mean = last_json(&out)["mean_return"].as_f64().unwrap();
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
    let err = fails(&["eval", "--env", "Pendulum-v1", "--model", model, "--seed", "1"]);
    assert!(err.contains("do not fit"), "{err}");
}

#[test]
fn evaluation_equals_episode_by_episode_runs_of_the_core_loop() {
    // evaluate() runs the episodes in parallel through VecEnv; the same episodes one by one
    // through the core's run_episode give the same returns.
    use neuroloop_core::env::Env;
    use neuroloop_core::episode::run_episode;
    let teacher = cartpole_teacher();
    let ctl = Controller::Ctrnn(teacher.clone());
    let mut total = 0.0;
    let mut env = EnvId::CartPole.make();
    for seed in 40..46 {
        let mut p = teacher.policy(env.action_space()).unwrap();
        total += run_episode(&mut env, &mut p, seed, &mut ()).unwrap().total_reward;
    }
    assert_eq!(evaluate(&ctl, EnvId::CartPole, 6, 40).unwrap().mean, total / 6.0);
}
