//! Plants from the host: gymnasium fixture replays through the CLI, and the registry the CLI
//! lists. The plants' own tests (physics, spaces, time limits, reference values) are in the
//! core, beside each plant (`cargo test -p neuroloop-core`).

mod common;

use common::{cli, fixture, fixture_text};
use neuroloop_host::env::EnvId;
use neuroloop_host::env::fixture::check_env_fixture;

#[test]
fn cartpole_replays_gymnasium_exactly_enough() {
    let r = check_env_fixture(&fixture_text("cartpole_v1.json")).unwrap();
    assert_eq!((r.env, r.episodes, r.steps, r.mismatches), (EnvId::CartPole, 3, 330, 0));
    assert!(r.max_state_diff < 1e-12 && r.max_obs_diff < 1e-12, "{r:?}");
    let (code, out, _) = cli(&["env", "check", fixture("cartpole_v1.json").to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(out.lines().last().unwrap().ends_with("ok"));
    // A fixture whose recorded state disagrees fails.
    let mut v: serde_json::Value = serde_json::from_str(&fixture_text("cartpole_v1.json")).unwrap();
    v["episodes"][0]["steps"][3]["state"][2] = serde_json::json!(0.5);
    assert!(!check_env_fixture(&v.to_string()).unwrap().passes());
}

#[test]
fn every_gymnasium_plant_replays_with_exact_rewards() {
    // tools/make_env_fixtures.py with gymnasium 1.4.0: clipped torques and forces, the left
    // wall, the goal (MountainCarContinuous's +100), wrapped angles, clipped velocities. Every
    // reward and termination equals gymnasium's bit for bit; the state within 1e-12 (libm's
    // sin/cos may differ from the C library's by an ulp; the rewards still agree).
    for (file, env, episodes, steps) in [
        ("cartpole_v1.json", EnvId::CartPole, 3, 330),
        ("pendulum_v1.json", EnvId::Pendulum, 4, 800),
        ("mountain_car_v0.json", EnvId::MountainCar, 3, 624),
        ("mountain_car_continuous_v0.json", EnvId::MountainCarContinuous, 3, 507),
        ("acrobot_v1.json", EnvId::Acrobot, 3, 653),
    ] {
        let r = check_env_fixture(&fixture_text(file)).unwrap();
        assert_eq!((r.env, r.episodes, r.steps, r.mismatches), (env, episodes, steps, 0), "{file}");
        assert!(r.max_state_diff < 1e-12 && r.max_obs_diff == 0.0, "{file}: {r:?}");
    }
    // The goal bonus is in the fixture, so the exact comparison covers it.
    let v: serde_json::Value = serde_json::from_str(&fixture_text("mountain_car_continuous_v0.json")).unwrap();
    let last = &v["episodes"][0]["steps"].as_array().unwrap().last().unwrap()["reward"];
    assert!(last.as_f64().unwrap() > 99.0, "{last}");
}

#[test]
fn bad_fixtures_are_errors_that_say_where() {
    let mut v: serde_json::Value = serde_json::from_str(&fixture_text("cartpole_v1.json")).unwrap();
    v["episodes"][1]["steps"][2]["action"] = serde_json::json!("left");
    let e = check_env_fixture(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("episodes[1].steps[2].action"), "{e}");
    v["env"] = serde_json::json!("Pong-v5");
    let e = check_env_fixture(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("env") && e.contains("CartPole-v1"), "names the known ids: {e}");
    let e = check_env_fixture("{").unwrap_err().to_string();
    assert!(e.contains("EOF"), "{e}");
}

#[test]
fn the_cli_lists_every_registered_environment() {
    let (code, out, _) = cli(&["eval", "--help"]);
    assert_eq!(code, 0);
    for id in EnvId::ALL {
        assert!(out.contains(id.name()), "{id} missing from --help:\n{out}");
    }
    let (code, _, err) = cli(&["train", "--env", "Pong-v5", "--controller", "ctrnn", "--seed", "1", "--out", "x"]);
    assert_eq!(code, 2);
    assert!(err.contains("DiffDrive-v0"), "{err}");
}
